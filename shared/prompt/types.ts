/** One chat message, in the OpenAI / WebLLM shape. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
