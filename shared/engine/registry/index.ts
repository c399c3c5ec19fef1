/** The model registry: built-in Qwen2.5 variants plus validated custom models. */
export * from './builtin';
export * from './custom';
export * from './file';
export * from './pins';
export type { ModelEntry, ModelRegistry, WebLlmModelRecord, Quantization } from '../model-record';
export { findModel } from '../model-record';
