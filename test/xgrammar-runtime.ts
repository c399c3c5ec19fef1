/**
 * For grammar tests on WebLLM's runtime path: registers the suite's beforeAll / afterAll that load the xgrammar a
 * web-llm build bundles and WebLLM's cache-on compiler over the real Qwen2.5 vocabulary (models/eval/xgrammar.ts),
 * and disposes them after. The returned object's fields are set once beforeAll has run.
 */
import { afterAll, beforeAll } from 'vitest';
import { loadBundledXgrammar, qwenVocabulary, runtimeCompiler, type Vocabulary, type WebLlmBuild, type XgCompiler, type Xgrammar, type XgTokenizerInfo } from '../models/eval/xgrammar';

export interface RuntimeGrammar {
  xg: Xgrammar;
  info: XgTokenizerInfo;
  compiler: XgCompiler;
}

export function useRuntimeCompiler(options: { build?: WebLlmBuild; vocab?: () => Vocabulary; print?: (line: string) => void; timeoutMs?: number } = {}): RuntimeGrammar {
  const rt = {} as RuntimeGrammar;
  beforeAll(async () => {
    rt.xg = loadBundledXgrammar(options.build ?? '@mlc-ai/web-llm', options.print);
    Object.assign(rt, await runtimeCompiler(rt.xg, options.vocab ? options.vocab() : qwenVocabulary()));
  }, options.timeoutMs ?? 120_000);
  afterAll(() => {
    rt.compiler?.dispose();
    rt.info?.dispose();
  });
  return rt;
}
