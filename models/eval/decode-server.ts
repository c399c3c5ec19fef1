/**
 * The grammar side of `liuhen_models generate` (Python, transformers): a line-oriented JSON helper that
 *  - builds each prompt with the pipeline's own `buildMessages` (shared/prompt is the only place prompts are
 *    built) for the model's prompt profile, and
 *  - constrains decoding with the template's grammar (shared/output `deriveContract`) in the xgrammar build
 *    that WebLLM runs in the task pane, over the model's own vocabulary, as web-llm does (cache on).
 *
 * Requests, one JSON object per line on stdin; one answer per line on stdout:
 *   {"op":"init","template","lang"?,"templateFile"?,"profile":{"profile","fields"}?,"vocab":[…],"vocabType","vocabSize","stop":[…]}
 *     -> {"ok":true,"maxTokens","grammarSha256","templateId","profile"}
 *   {"op":"prompt","kind","source"}  -> {"messages":[…]}
 *   {"op":"start"}                   -> {"mask":"<base64 of the int32 token bitmask>"}
 *   {"op":"accept","token"}          -> {"accepted","terminated","mask"?}
 * Errors: {"error":"…"}. Usage: tsx models/eval/decode-server.ts (started by the Python side).
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { promptProfileOf } from '../../shared/engine/model-record';
import { deriveContract } from '../../shared/output';
import { buildMessages } from '../../shared/pipeline';
import { profileTemplate, type PromptProfile } from '../../shared/prompt';
import type { Template } from '../../shared/templates';
import { resolveTemplate } from '../dataset/template-arg';
import { loadBundledXgrammar, type XgCompiled, type XgMatcher } from './xgrammar';

interface State {
  template: Template;
  profile: PromptProfile;
  compiled: XgCompiled;
  matcher?: XgMatcher;
}

const xg = loadBundledXgrammar('@mlc-ai/web-llm', (line) => process.stderr.write(`xgrammar: ${line}\n`));
let state: State | undefined;

const b64 = (mask: Int32Array): string => Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength).toString('base64');

async function handle(req: Record<string, unknown>): Promise<unknown> {
  switch (req.op) {
    case 'init': {
      const t = resolveTemplate({
        ...(typeof req.template === 'string' ? { template: req.template } : {}),
        ...(typeof req.lang === 'string' ? { lang: req.lang } : {}),
        ...(typeof req.templateFile === 'string' ? { templateFile: req.templateFile } : {}),
      });
      if (typeof t === 'string') return { error: t };
      const declared = req.profile as { profile: 'full' | 'compact'; fields?: boolean } | undefined;
      const profile = promptProfileOf({ model: '', model_id: '', model_lib: '', ...(declared ? { liuhen_prompt: declared } : {}) });
      const grammar = deriveContract(profileTemplate(t, profile)).grammar;
      const vocab = req.vocab as string[];
      const info = await xg.TokenizerInfo.createTokenizerInfo(vocab, String(req.vocabType ?? 'byte_level'), false, Number(req.vocabSize ?? vocab.length), req.stop as number[]);
      // Cache on, as web-llm compiles grammars (the grammar is printed and parsed again on that path).
      const compiler = await xg.GrammarCompiler.createGrammarCompiler(info, true);
      const compiled = await compiler.compileGrammar(grammar);
      state = { template: t, profile, compiled };
      return {
        ok: true,
        maxTokens: deriveContract(profileTemplate(t, profile)).maxTokens,
        grammarSha256: createHash('sha256').update(grammar).digest('hex'),
        templateId: t.id,
        profile,
      };
    }
    case 'prompt': {
      if (!state) return { error: 'init first' };
      const kind = req.kind === 'notes' ? 'notes' : 'transcript';
      return { messages: buildMessages(state.template, { kind, text: String(req.source ?? '') }, state.profile) };
    }
    case 'start': {
      if (!state) return { error: 'init first' };
      state.matcher?.dispose();
      state.matcher = await xg.GrammarMatcher.createGrammarMatcher(state.compiled);
      return { mask: b64(await state.matcher.getNextTokenBitmask()) };
    }
    case 'accept': {
      const m = state?.matcher;
      if (!m) return { error: 'start first' };
      const accepted = m.acceptToken(Number(req.token));
      const terminated = m.isTerminated();
      return { accepted, terminated, ...(accepted && !terminated ? { mask: b64(await m.getNextTokenBitmask()) } : {}) };
    }
    default:
      return { error: `unknown op ${JSON.stringify(req.op)}` };
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  let answer: unknown;
  try {
    answer = await handle(JSON.parse(line) as Record<string, unknown>);
  } catch (e) {
    answer = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
