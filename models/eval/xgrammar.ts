/**
 * The xgrammar build that constrains decoding in the task pane — the one bundled (as wasm) inside
 * @mlc-ai/web-llm's lib/index.js — loaded in Node, so a model run on the admin's machine (`liuhen_models
 * generate`) is constrained by exactly the same grammar engine and grammar as in the pane. web-llm does not
 * export it, so the module is cut out of the bundle and evaluated (the same technique as
 * shared/output/grammar.xgrammar.test.ts, which checks the grammars themselves). It runs on the CPU.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The parts of xgrammar's web API used for token-level decoding. */
export interface XgMatcher {
  acceptToken(id: number): boolean;
  getNextTokenBitmask(): Promise<Int32Array>;
  isTerminated(): boolean;
  dispose(): void;
}
export interface XgCompiled {
  dispose(): void;
}
export interface XgTokenizerInfo {
  dispose(): void;
}
export interface Xgrammar {
  TokenizerInfo: {
    createTokenizerInfo(vocab: string[], vocabType: string, prependSpace: boolean, size: number, stop: number[]): Promise<XgTokenizerInfo>;
  };
  GrammarCompiler: { createGrammarCompiler(info: XgTokenizerInfo, cache?: boolean): Promise<{ compileGrammar(g: string): Promise<XgCompiled>; dispose(): void }> };
  GrammarMatcher: { createGrammarMatcher(c: XgCompiled): Promise<XgMatcher> };
}

/** Loads the xgrammar module bundled in the installed @mlc-ai/web-llm; `print` receives its log lines. */
export function loadBundledXgrammar(print: (line: string) => void = () => undefined): Xgrammar {
  const require = createRequire(import.meta.url);
  const webLlmPath = require.resolve('@mlc-ai/web-llm');
  const src = readFileSync(webLlmPath, 'utf8');
  const marker = src.indexOf('exports.Testings = Testings;');
  const start = src.lastIndexOf('function requireLib', marker);
  const head = /^function (requireLib\$?\d*) \(\) \{\s*if \((hasRequiredLib\$?\d*)\) return (lib\$?\d*)\.exports;/.exec(src.slice(start, start + 300));
  if (marker < 0 || start < 0 || !head) throw new Error('xgrammar not found in the web-llm bundle: has its layout changed?');
  const [, fn, flag, mod] = head;
  const call = src.indexOf(`= ${fn}();`, marker);
  const body = src.slice(start, src.lastIndexOf('\n', call));
  const global = /\}\)\((lib\$?\d*), \(function \(exports\)/.exec(body)?.[1];
  if (!global || !body.includes(`(${mod}, ${mod}.exports));`)) throw new Error('unexpected xgrammar wrapper in the web-llm bundle');
  const prologue = `var ${mod} = { exports: {} }; var ${global} = ${mod}.exports; var ${flag};\n`;
  const code =
    prologue +
    body
      .replaceAll('"MLC_DUMMY_PATH"', JSON.stringify(pathToFileURL(webLlmPath).href))
      .replace('console.log.bind(console)', 'print')
      .replace('console.error.bind(console)', 'print') +
    `\nreturn ${fn}();`;
  return new Function('createRequire', 'print', code)(createRequire, print) as Xgrammar;
}
