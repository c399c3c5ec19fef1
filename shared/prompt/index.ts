/** shared/prompt — the one place prompts are built (inference and fine-tuning data alike). */
export type { ChatMessage } from './types';
export { FULL_PROFILE, profileTemplate, render, renderCompactSystem, renderCondense, renderDiagnostic, renderSystem } from './render';
export type { PromptProfile, PromptSource, RenderOptions } from './render';
