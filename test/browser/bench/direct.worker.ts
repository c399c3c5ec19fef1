/** Baseline for the benchmark: WebLLM's own worker plumbing (WebWorkerMLCEngineHandler), unchanged. */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent): void => {
  handler.onmessage(event);
};
