/**
 * The generated grammars on the runtime's OWN path, in the xgrammar of both web-llm builds in this repository
 * (0.2.86, pinned; 0.2.79, the one the offline runtime wasm links with): a tokenizer info built from the real
 * Qwen2.5 vocabulary and a grammar compiler with its cache ON, exactly as WebLLM's chat pipeline creates them.
 * With the cache on, xgrammar prints each grammar and parses it again, so a grammar must read back the same.
 *
 * Also: print → re-parse gives the same grammar for generated templates (property test), the load-time checker
 * (grammarPortabilityProblems) agrees with the real xgrammar, and a matcher built on the real vocabulary accepts
 * each fixture's expected output token by token, then the stop token.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES, parseTemplate, parseTemplateText, templateKey, type Template } from '../templates';
import { deriveContract, grammarPortabilityProblems } from './index';
import { englishExit, englishTalent, exitFixtures, talentFixtures, type FixtureOutput } from './test-fixtures';
import {
  loadBundledXgrammar,
  qwenVocabulary,
  WEBLLM_BUILDS,
  webLlmVersion,
  type Vocabulary,
  type WebLlmBuild,
  type Xgrammar,
} from '../../models/eval/xgrammar';
import { useRuntimeCompiler } from '../../test/xgrammar-runtime';

const companyExample = ((): Template => {
  const file = 'acme.talent-review.zh-CN.json';
  const r = parseTemplateText(readFileSync(new URL(`../templates/examples/${file}`, import.meta.url), 'utf8'), file);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
})();
const TEMPLATES: Array<[string, Template]> = [...BUILTIN_TEMPLATES.map((t) => [templateKey(t), t] as [string, Template]), ['company example (acme)', companyExample]];

let vocab: Vocabulary;
beforeAll(() => {
  vocab = qwenVocabulary();
});

/** GPT-2's byte → printable character map, which byte-level vocabularies (Qwen2.5) spell tokens with. */
const BYTE_CHARS = ((): string[] => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(bs.includes(b) ? b : 256 + n++);
  return map;
})();

/** Token ids for `text` in the real vocabulary: greedy longest match over the byte-level spelling (a valid
 * tokenization, not necessarily the BPE one; the grammar must accept any). */
function tokenize(text: string): number[] {
  const index = new Map<string, number>();
  vocab.tokens.forEach((t, id) => {
    if (t !== '' && !t.startsWith('<|')) index.set(t, id);
  });
  const spelled = Array.from(new TextEncoder().encode(text), (b) => BYTE_CHARS[b] ?? '').join('');
  const ids: number[] = [];
  for (let i = 0; i < spelled.length; ) {
    let len = Math.min(24, spelled.length - i);
    while (len > 0 && !index.has(spelled.slice(i, i + len))) len--;
    if (len === 0) throw new Error(`no token at ${i}`);
    ids.push(index.get(spelled.slice(i, i + len)) ?? -1);
    i += len;
  }
  return ids;
}

/** Whether `grammar` reads back the same after xgrammar prints it (what the cache-on path does). */
async function roundTrips(xg: Xgrammar, grammar: string): Promise<{ same: boolean; printed: string }> {
  const once = await xg.Grammar.fromEBNF(grammar);
  const printed = once.toString();
  once.dispose();
  const twice = await xg.Grammar.fromEBNF(printed);
  const same = twice.toString() === printed;
  twice.dispose();
  return { same, printed };
}

/** A template built from parts a company could write, for the property tests. */
const TRICKY = ['é', 'ä', '·', '°', '×', 'E', 'a', 'F', '1', '0', '9', '【', '】', '[', ']', '-', '^', '"', '\\', '*', '#', '一', '、', ' ', '　', ':', '(', 'ü', 'ß', 'Ω'];
const piece = fc.array(fc.constantFrom(...TRICKY), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const heading = fc.tuple(fc.constantFrom('', '【', '[', 'Re', 'Ré'), piece, fc.constantFrom('', '】', ']', ':', '1')).map(([a, b, c]) => `${a}${b}${c}`.trim() || 'H');
const templateArb = fc
  .record({
    headings: fc.uniqueArray(heading, { minLength: 1, maxLength: 3 }),
    fieldsHeading: heading,
    values: fc.uniqueArray(fc.oneof(piece, fc.integer({ min: 0, max: 99 })), { minLength: 1, maxLength: 4 }),
    optional: fc.boolean(),
    maxItems: fc.integer({ min: 1, max: 5 }),
  })
  .filter((r) => !r.headings.includes(r.fieldsHeading))
  .map((r) => {
    const json = {
      id: 'prop',
      version: '1.0.0',
      language: 'en',
      name: 'Property',
      sources: ['notes'],
      role: 'r',
      sections: r.headings.map((h, i) => ({ key: `s${i}`, heading: h, guidance: 'g', maxChars: 100, required: !(r.optional && i > 0) })),
      tone: { formal: true, objective: true, thirdPerson: true, noEmotionalWords: true },
      maxTotalChars: 300,
      fields: {
        heading: r.fieldsHeading,
        guidance: 'g',
        schema: {
          type: 'object',
          properties: {
            tags: { type: 'array', items: { type: 'enum', values: r.values }, maxItems: r.maxItems },
            note: { type: 'string', nullable: true },
            score: { type: 'integer', min: 0, max: 3 },
          },
          required: ['tags'],
        },
      },
    };
    const t = parseTemplate(json, 'property.json');
    return t.ok ? t.template : undefined;
  })
  .filter((t): t is Template => t !== undefined);

describe.each(WEBLLM_BUILDS.map((b) => [`${webLlmVersion(b)} (${b})`, b] as [string, WebLlmBuild]))('web-llm %s xgrammar, runtime path', (_name, build) => {
  const printed: string[] = [];
  const rt = useRuntimeCompiler({ build, vocab: () => vocab, print: (line) => printed.push(line), timeoutMs: 60_000 });

  it.each(TEMPLATES)('%s compiles with the cache on and reads back the same after printing', async (_key, t) => {
    const { grammar } = deriveContract(t);
    expect(grammarPortabilityProblems(grammar)).toEqual([]);
    const compiled = await rt.compiler.compileGrammar(grammar);
    compiled.dispose();
    expect((await roundTrips(rt.xg, grammar)).same).toBe(true);
  }, 60_000);

  const fixtures = (): FixtureOutput[] => [...exitFixtures(), ...talentFixtures(), englishExit(), englishTalent()];
  it.each(fixtures().map((f) => [f.id, f] as const))('a matcher on the real vocabulary accepts the expected output of %s, then stops', async (_id, f) => {
    const compiled = await rt.compiler.compileGrammar(deriveContract(f.template).grammar);
    const matcher = await rt.xg.GrammarMatcher.createGrammarMatcher(compiled);
    try {
      const ids = tokenize(f.text);
      for (const [n, id] of ids.entries()) expect(matcher.acceptToken(id), `token ${n} ${JSON.stringify(vocab.tokens[id])}`).toBe(true);
      expect(matcher.acceptToken(vocab.stopTokenIds[0] ?? -1)).toBe(true);
      expect(matcher.isTerminated()).toBe(true);
      // And a Markdown bullet where a body starts is refused.
      matcher.reset();
      const heading = f.text.slice(0, f.text.indexOf('\n') + 1);
      for (const id of tokenize(heading)) expect(matcher.acceptToken(id)).toBe(true);
      expect(matcher.acceptToken(tokenize('- ')[0] ?? -1)).toBe(false);
    } finally {
      matcher.dispose();
      compiled.dispose();
    }
  });

  it('property: grammars of generated templates pass the load-time rule and print → re-parse to the same grammar', async () => {
    await fc.assert(
      fc.asyncProperty(templateArb, async (t) => {
        const { grammar } = deriveContract(t);
        expect(grammarPortabilityProblems(grammar)).toEqual([]);
        expect((await roundTrips(rt.xg, grammar)).same).toBe(true);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('generated templates compile with the cache on and the real vocabulary', async () => {
    // Few samples: each compile walks the 151k-token vocabulary (seconds on a busy machine).
    for (const t of fc.sample(templateArb, { numRuns: 3, seed: 11 })) {
      const compiled = await rt.compiler.compileGrammar(deriveContract(t).grammar);
      compiled.dispose();
    }
  }, 120_000);

  it('property: the load-time checker agrees with xgrammar on literals and classes with escaped characters before hex digits', async () => {
    const chars = fc.array(fc.constantFrom('é', '·', 'ÿ', '\u007f', '\u0001', '1', 'a', 'F', 'g', 'x', '中', '-', ' '), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(chars, fc.boolean(), async (cs, asClass) => {
        const escape = (c: string): string => {
          const cp = c.codePointAt(0) ?? 0;
          return cp < 0x20 || cp === 0x7f ? `\\u${cp.toString(16).padStart(4, '0')}` : c === '-' && asClass ? '\\u002d' : c; // not "\\-": llama.cpp's rule (checked elsewhere)
        };
        const grammar = asClass ? `root ::= [^${cs.map(escape).join('')}]` : `root ::= "${cs.map(escape).join('')}"`;
        // A fresh module each time: a grammar that fails to parse aborts the wasm.
        const fresh = loadBundledXgrammar(build);
        let ok: boolean;
        try {
          ok = (await roundTrips(fresh, grammar)).same;
        } catch {
          ok = false;
        }
        expect(grammarPortabilityProblems(grammar).length === 0, grammar).toBe(ok);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe('the rule the old grammars broke', () => {
  it('names the backwards class the runtime reported and the 0.2.79 parse errors', () => {
    const old = String.raw`root ::= [^\u0000-\u001f\u007f0-9*] "a"{1,3} [^\[]`;
    const messages = grammarPortabilityProblems(old).map((p) => p.message);
    expect(messages.some((m) => m.includes('U+007F followed by "0"'))).toBe(true);
    expect(messages.some((m) => m.includes('{m,n}'))).toBe(true);
    expect(messages.some((m) => m.includes('"\\["'))).toBe(true);
  });

  it('names what llama.cpp\'s GBNF parser rejects: "_" in rule names, "\\-" in a class', () => {
    const messages = grammarPortabilityProblems(String.raw`root ::= text_char "x"
text_char ::= [^\-a]`).map((p) => `${p.line}: ${p.message}`);
    expect(messages).toEqual([
      '2: the rule name "text_char": llama.cpp reads only letters, digits and "-" in rule names',
      '2: "\\-" in a character class: llama.cpp (before late 2026) cannot read it; write "-" as the last member',
    ]);
    expect(grammarPortabilityProblems('root ::= text-char "x"\ntext-char ::= [^a-]\n')).toEqual([]);
  });
});
