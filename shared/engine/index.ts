/**
 * The engine's page-facing API. The worker side (worker-server.ts, webllm.worker.ts) is deliberately not
 * exported: only the worker imports it, so WebLLM never reaches a page bundle.
 */
export type {
  GenerateChunk,
  GenerateRequest,
  GenerationUsage,
  LlmEngine,
  LoadOptions,
  LoadPhase,
  LoadProgress,
  ResponseFormat,
} from './port';
export { EngineError, describeEngineError, isEngineError, ENGINE_ERROR_CODES } from './errors';
export type { EngineErrorCode, EngineErrorData, EngineErrorDetail, Locale, LocalizedText } from './errors';
export { WebLlmEngine } from './webllm-engine';
export { OpenAiCompatibleEngine } from './openai-engine';
export type { OpenAiEngineOptions } from './openai-engine';
export { SERVER_KINDS, DEFAULT_SERVER_CONCURRENCY, parseCompanyServer, servedModelId, serverHost, structuredOutputOf } from './server';
export type { CompanyServer, ServerKind, StructuredOutputField } from './server';
export type { EngineStatus, WebLlmEngineOptions, WorkerLike } from './webllm-engine';
export { chooseModel, detectCapabilities, explainNoWebGpu } from './capabilities';
export type { ChoiceReason, GpuCapabilities, ModelChoice, ModelPreference } from './capabilities';
export { findModel, quantizationOf, declaredContextWindow } from './model-record';
export type { ModelEntry, ModelRegistry, ModelSource, Quantization, WebLlmModelRecord } from './model-record';
export { estimateTokens, estimateChatTokens } from './tokens';
export { chooseCacheBackend, requestPersistentStorage } from './cache-backend';
