/** shared/prompt — the one place prompts are built (inference and fine-tuning data alike). */
export type { ChatMessage } from './types';
export { render, renderCondense, renderDiagnostic, renderSystem } from './render';
export type { PromptSource, RenderOptions } from './render';
