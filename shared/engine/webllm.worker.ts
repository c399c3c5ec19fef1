/**
 * Entry of the engine Web Worker. The ONLY module that imports @mlc-ai/web-llm at runtime: webpack puts it
 * (and WebLLM) into the worker's own chunk, so the page never downloads or parses WebLLM before first paint.
 */
import { deleteModelAllInfoInCache, hasModelInCache, MLCEngine, modelVersion, type AppConfig } from '@mlc-ai/web-llm';
import type { Endpoint } from '../protocol/rpc';
import { watchGpuDeviceLoss } from './gpu-watch';
import { serveEngine, type MlcEngineLike, type WebLlmModule } from './worker-server';

const webllm: WebLlmModule = {
  createEngine: ({ appConfig, initProgressCallback }): MlcEngineLike =>
    new MLCEngine({ appConfig: appConfig as AppConfig, initProgressCallback, logLevel: 'WARN' }),
  hasModelInCache: (modelId, appConfig) => hasModelInCache(modelId, appConfig as AppConfig),
  deleteModelAllInfoInCache: (modelId, appConfig) => deleteModelAllInfoInCache(modelId, appConfig as AppConfig),
  version: modelVersion,
};

serveEngine(self as unknown as Endpoint, { webllm, watchDeviceLoss: (onLost) => void watchGpuDeviceLoss(onLost) });
