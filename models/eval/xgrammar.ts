/**
 * The one loader of the xgrammar that a web-llm build bundles (compiled to wasm inside its lib/index.js), loaded in Node, and the
 * calls WebLLM's chat pipeline makes with it: a tokenizer info from the model's real vocabulary and a grammar
 * compiler with its cache ON (`GrammarCompiler.createGrammarCompiler(tokenizerInfo)`), which prints each grammar
 * and parses it again. web-llm does not export xgrammar, so its UMD module is cut out of the bundle.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The two web-llm builds in this repository: the pinned product one, and the one the offline runtime wasm links with. */
export const WEBLLM_BUILDS = ['@mlc-ai/web-llm', '@mlc-ai/web-llm-0279'] as const;
export type WebLlmBuild = (typeof WEBLLM_BUILDS)[number];

export interface XgGrammar {
  dispose(): void;
  toString(): string;
}
export interface XgCompiled {
  dispose(): void;
}
export interface XgMatcher {
  acceptToken(id: number): boolean;
  getNextTokenBitmask(): Promise<Int32Array>;
  isTerminated(): boolean;
  reset(): void;
  dispose(): void;
}
export interface XgTokenizerInfo {
  dispose(): void;
}
export interface XgCompiler {
  compileGrammar(g: string | XgGrammar): Promise<XgCompiled>;
  dispose(): void;
}
export interface Xgrammar {
  Grammar: { fromEBNF(ebnf: string, root?: string): Promise<XgGrammar>; fromJSONSchema(schema: string): Promise<XgGrammar> };
  Testings: { isGrammarAcceptString(g: XgGrammar, input: string): Promise<boolean> };
  TokenizerInfo: { createTokenizerInfo(vocab: string[], type?: string, prependSpace?: boolean, size?: number, stop?: number[]): Promise<XgTokenizerInfo> };
  GrammarCompiler: { createGrammarCompiler(info: XgTokenizerInfo, cache?: boolean): Promise<XgCompiler> };
  GrammarMatcher: { createGrammarMatcher(c: XgCompiled): Promise<XgMatcher> };
}

const require = createRequire(import.meta.url);

/** Version of an installed web-llm build. */
export function webLlmVersion(build: WebLlmBuild): string {
  const pkg = path.join(path.dirname(require.resolve(`${build}/package.json`)), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * Evaluates the xgrammar UMD module bundled in a web-llm build's lib/index.js: the `(function (global, factory)`
 * wrapper whose factory ends with `exports.Testings = Testings;`. Its emscripten loader runs its Node branch
 * (the wasm is inlined as base64), which wants `createRequire` and a file URL in place of the bundler's dummy
 * path. xgrammar's stdout/stderr (compile warnings, parser errors) go to `print`.
 */
export function loadBundledXgrammar(build: WebLlmBuild, print: (line: string) => void = () => undefined): Xgrammar {
  const file = require.resolve(build);
  const src = readFileSync(file, 'utf8');
  const marker = src.indexOf('exports.Testings = Testings;');
  const start = src.lastIndexOf('(function (global, factory) {', marker);
  const end = src.indexOf('}));', marker);
  if (marker < 0 || start < 0 || end < 0) throw new Error(`xgrammar not found in ${build}: has the bundle's layout changed?`);
  const umd = src.slice(start, end + 4);
  const globalName = /^\s*\}\)\(([\w$]+), \(function \(exports\)/m.exec(umd)?.[1];
  if (!globalName) throw new Error(`unexpected xgrammar wrapper in ${build}`);
  const code =
    `var ${globalName} = {}; var exports = {};\n` +
    umd
      .replaceAll('"MLC_DUMMY_PATH"', JSON.stringify(`file://${file}`))
      .replace('console.log.bind(console)', 'print')
      .replace('console.error.bind(console)', 'print') +
    '\nreturn exports;';
  return new Function('createRequire', 'print', code)(createRequire, print) as Xgrammar;
}

/** The offline runtime's model folder (Qwen2.5 tokenizer, chat config). */
export const RUNTIME_MODEL_DIR = process.env.LIUHEN_RUNTIME_DIR
  ? path.join(process.env.LIUHEN_RUNTIME_DIR, 'model')
  : path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/webllm-runtime/model');

interface TokenizerJson {
  model: { vocab: Record<string, number> };
  added_tokens: Array<{ id: number; content: string }>;
}
interface ChatConfig {
  vocab_size: number;
  tokenizer_info: { token_postproc_method: string; prepend_space_in_encode: boolean };
}

/** The raw token table (what web-tokenizers' `idToToken` returns for every id), stop tokens, and the chat config. */
export interface Vocabulary {
  tokens: string[];
  stopTokenIds: number[];
  config: ChatConfig;
}

/** Reads the real Qwen2.5 vocabulary the way WebLLM sees it (byte-level token strings, added tokens included). */
export function qwenVocabulary(dir = RUNTIME_MODEL_DIR): Vocabulary {
  const tok = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
  const config = JSON.parse(readFileSync(path.join(dir, 'mlc-chat-config.json'), 'utf8')) as ChatConfig & { eos_token_id?: number | number[] };
  const tokens: string[] = [];
  for (const [t, id] of Object.entries(tok.model.vocab)) tokens[id] = t;
  for (const a of tok.added_tokens) tokens[a.id] = a.content;
  // web-tokenizers reports the tokenizer's own size; ids beyond it (padding up to vocab_size) have no token.
  for (let i = 0; i < tokens.length; i++) tokens[i] ??= '';
  const stop = ['<|im_end|>', '<|endoftext|>'].map((s) => tokens.indexOf(s)).filter((i) => i >= 0);
  return { tokens, stopTokenIds: stop, config };
}

/** Tokenizer info and grammar compiler exactly as WebLLM's chat pipeline creates them (cache on). */
export async function runtimeCompiler(xg: Xgrammar, vocab: Vocabulary): Promise<{ info: XgTokenizerInfo; compiler: XgCompiler }> {
  const { token_postproc_method, prepend_space_in_encode } = vocab.config.tokenizer_info;
  const info = await xg.TokenizerInfo.createTokenizerInfo(vocab.tokens, token_postproc_method, prepend_space_in_encode, vocab.config.vocab_size, vocab.stopTokenIds);
  const compiler = await xg.GrammarCompiler.createGrammarCompiler(info);
  return { info, compiler };
}
