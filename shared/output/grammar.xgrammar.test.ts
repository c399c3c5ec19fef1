/**
 * The generated grammars against the real thing: the xgrammar build that @mlc-ai/web-llm bundles (compiled to
 * wasm inside lib/index.js) and that constrains decoding in the browser. web-llm does not export it, so the
 * xgrammar module is cut out of the bundle and evaluated here; it runs on the CPU, no GPU or model needed.
 *
 * These tests check what the grammars MEAN (character-level acceptance, cache off); grammar.runtime.test.ts
 * checks that they survive the runtime's own path (cache on, the real vocabulary, both web-llm builds).
 *
 * Checks: each grammar parses; canonical outputs are accepted and broken ones rejected (character level,
 * `Testings.isGrammarAcceptString`); a token-level decode with a synthetic vocabulary goes through
 * `GrammarCompiler` / `GrammarMatcher` / token bitmasks like web-llm does; the fields JSON Schema compiles
 * with xgrammar's JSON-Schema converter; web-llm's request checks accept the response format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate, type Template } from '../templates';
import { deriveContract, renderFieldsLine, renderRecord } from './index';
import { englishExit, englishTalent, exitEn, exitFixtures, exitZh, talentFixtures, talentZh, type FixtureOutput } from './test-fixtures';
import { loadBundledXgrammar, type XgGrammar, type Xgrammar } from '../../models/eval/xgrammar';

let xg: Xgrammar;
/** What xgrammar printed (compile warnings such as the expected "clamping to 127"). */
const printed: string[] = [];
function print(line: string): void {
  printed.push(line);
}

beforeAll(() => {
  xg = loadBundledXgrammar('@mlc-ai/web-llm', print);
});

const grammars = new Map<Template, XgGrammar>();
async function grammarOf(t: Template): Promise<XgGrammar> {
  let g = grammars.get(t);
  if (!g) {
    g = await xg.Grammar.fromEBNF(deriveContract(t).grammar);
    grammars.set(t, g);
  }
  return g;
}
afterAll(() => grammars.forEach((g) => g.dispose()));

async function accepts(t: Template, text: string): Promise<boolean> {
  return xg.Testings.isGrammarAcceptString(await grammarOf(t), text);
}

const all = (): FixtureOutput[] => [...exitFixtures(), ...talentFixtures(), englishExit(), englishTalent()];
const E1 = exitFixtures()[0] as FixtureOutput;
const R = E1.sections.reasons ?? '';
const X = E1.sections.experience ?? '';
const S = E1.sections.suggestions ?? '';
const F = renderFieldsLine(exitZh, E1.fields);
const lines = (...parts: string[]): string => parts.join('\n');

describe('generated grammars in web-llm 0.2.86\'s xgrammar', () => {
  it.each([exitZh, exitEn, talentZh, talentEn()].map((t) => [`${t.id}@${t.language}`, t] as const))('%s parses', async (_name, t) => {
    const g = await grammarOf(t);
    expect(g.toString()).toMatch(/^root ::= /m);
  });

  it.each(all().map((f) => [f.id, f] as const))('accepts the canonical output of %s', async (_id, f) => {
    expect(await accepts(f.template, f.text)).toBe(true);
  });

  it('accepts multi-line bodies, numbers that are not list numbers, and spaces in the JSON', async () => {
    const text = lines('【离职原因】', R, '2023年调薪一次,涨幅2.5%。', '【在职体验】', X, '【意见建议】', S, F.replace('"reasons":', '"reasons": ').replace(',"flags"', ', "flags"'));
    expect(await accepts(exitZh, text)).toBe(true);
  });

  it.each([
    ['a preamble (zh)', `好的,以下是整理后的记录:\n${E1.text}`],
    ['a preamble (en)', `Certainly! Here is the record:\n${E1.text}`],
    ['a Markdown heading **【离职原因】**', E1.text.replace('【离职原因】', '**【离职原因】**')],
    ['a missing section', lines('【离职原因】', R, '【意见建议】', S, F)],
    ['swapped sections', lines('【离职原因】', R, '【意见建议】', S, '【在职体验】', X, F)],
    ['an empty section', lines('【离职原因】', R, '【在职体验】', '【意见建议】', S, F)],
    ['a blank line', lines('【离职原因】', R, '', '【在职体验】', X, '【意见建议】', S, F)],
    ['a "- " bullet', lines('【离职原因】', R, '【在职体验】', X, '【意见建议】', `- ${S}`, F)],
    ['a "1." list', lines('【离职原因】', R, '【在职体验】', X, '【意见建议】', `1.${S}`, F)],
    ['a "#" line', lines('【离职原因】', R, '# 补充', '【在职体验】', X, '【意见建议】', S, F)],
    ['bold text', E1.text.replace('薪酬竞争力', '**薪酬竞争力**')],
    ['a heading followed by text on its line', E1.text.replace('【离职原因】\n', '【离职原因】')],
    ['cut-off JSON', E1.text.slice(0, -3)],
    ['an unknown reason code', E1.text.replace('"COMP"', '"SALARY"')],
    ['confidence 1.5', E1.text.replace('"confidence":0.9', '"confidence":1.5')],
    ['confidence with three decimals', E1.text.replace('"confidence":0.9', '"confidence":0.905')],
    ['an undeclared property', E1.text.replace('"flags":[]', '"flags":[],"notes":"x"')],
    ['properties out of schema order', E1.text.replace('{"code":"COMP","role":"primary"', '{"role":"primary","code":"COMP"')],
    ['seven reasons (at most six)', E1.text.replace(/"reasons":\[(.*?)\],"flags"/, (_m, r: string) => `"reasons":[${r},${r.split('},{')[0]}}, ${r.split('},{')[0]}},${r.split('},{')[0]}}],"flags"`)],
    ['a JSON object over two lines', E1.text.replace(',"flags"', ',\n"flags"')],
    ['text after the JSON', `${E1.text}\n希望以上内容对您有帮助。`],
    ['a missing fields line', renderRecord(exitZh, E1.sections)],
  ])('rejects %s', async (_what, text) => {
    expect(await accepts(exitZh, text)).toBe(false);
  });

  it('rejects a nine-box cell outside 1..9 and accepts null', async () => {
    const tr1 = talentFixtures()[0] as FixtureOutput;
    expect(await accepts(talentZh, tr1.text.replace('"cell":9', '"cell":10'))).toBe(false);
    expect(await accepts(talentZh, tr1.text.replace('"cell":9', '"cell":null'))).toBe(true);
    expect(await accepts(talentZh, tr1.text.replace('"readiness":"READY_1_2"', '"readiness":null'))).toBe(false);
  });

  it('keeps "[" out of English bodies, so a heading cannot be repeated inside a body', async () => {
    const f = englishExit();
    expect(await accepts(exitEn, f.text.replace('[Suggestions]\n', '[Suggestions]\n[Reasons for leaving]\n'))).toBe(false);
    expect(await accepts(exitEn, f.text.replace('Suggests written', 'Suggests [written]'))).toBe(false);
  });

  it('does not bound lengths: over-long text is left to parseOutput to report', async () => {
    expect(await accepts(exitZh, lines('【离职原因】', '员'.repeat(400), '【在职体验】', X, '【意见建议】', S, F))).toBe(true);
  });

  it('KNOWN LIMITATION of this xgrammar build: 【 in a body is not excluded (xgrammar #848)', async () => {
    // The grammar says text-char ::= [^…【]; web-llm 0.2.86's xgrammar admits every non-ASCII character in a
    // negated class and warns "clamping to 127". When this starts failing, web-llm ships a fixed xgrammar:
    // flip the expectation to false and drop this note (and the one in grammar.ts).
    const repeated = E1.text.replace('【意见建议】\n', '【意见建议】\n【离职原因】\n');
    expect(await accepts(exitZh, repeated), 'accepted').toBe(true);
    expect(printed.some((w) => w.includes('clamping to 127'))).toBe(true);
  });
});

describe('templates with other heading styles and field types', () => {
  it('a heading without brackets cannot start a body line (prefix trie)', async () => {
    const t = custom();
    const ok = lines('Reasons for leaving:', 'Pay.', 'Reasons matter.', 'Reasonable offer.', 'Outlook:', 'Stable.', 'Fields:', '{"score":3,"tag":"b","note":null}');
    expect(await accepts(t, ok)).toBe(true);
    expect(await accepts(t, ok.replace('Reasons matter.', 'Reasons for leaving: again'))).toBe(false);
    expect(await accepts(t, ok.replace('Reasons matter.', 'Outlook:'))).toBe(false);
  });

  it('optional sections and optional properties may be left out, never reordered', async () => {
    const t = custom();
    expect(await accepts(t, lines('Reasons for leaving:', 'Pay.', 'Fields:', '{"score":1}'))).toBe(true);
    expect(await accepts(t, lines('Reasons for leaving:', 'Pay.', 'Fields:', '{"tag":"a","score":1}'))).toBe(false);
    expect(await accepts(t, lines('Reasons for leaving:', 'Pay.', 'Fields:', '{"score":6}'))).toBe(false);
    expect(await accepts(t, lines('Outlook:', 'Stable.', 'Fields:', '{"score":1}'))).toBe(false);
    expect(await accepts(t, lines('Reasons for leaving:', 'Pay.', 'Fields:', '{"score":2,"note":"say \\"hi\\" \\u00e9"}'))).toBe(true);
  });
});

describe('token-level decoding as web-llm does it', () => {
  /** A toy vocabulary: every character of the fixtures, some multi-character tokens, and a stop token. */
  function vocabulary(texts: string[]): string[] {
    const set = new Set<string>();
    for (const t of texts) for (const ch of t) set.add(ch);
    for (const tok of ['【离职原因】', '【在职体验】', '【意见建议】', '【结构化信息】', '员工', '建议', '{"', '":"', '","', '":', ',"', '"}', '"]', '},{', 'primary', 'secondary', 'confidence', 'sources', '**', '- ', '# ', '1. ', ' ', '```']) set.add(tok);
    return [...set, '<eos>'];
  }

  function tokenize(text: string, vocab: string[]): number[] {
    const ids: number[] = [];
    const byLength = vocab.map((v, i) => [v, i] as const).filter(([v]) => v !== '<eos>').sort((a, b) => b[0].length - a[0].length);
    for (let i = 0; i < text.length; ) {
      const hit = byLength.find(([v]) => text.startsWith(v, i));
      if (!hit) throw new Error(`no token for ${JSON.stringify(text.slice(i, i + 5))}`);
      ids.push(hit[1]);
      i += hit[0].length;
    }
    return ids;
  }

  const allowed = (mask: Int32Array, id: number): boolean => (((mask[id >> 5] ?? 0) >>> (id & 31)) & 1) === 1;

  it('every token of each fixture is allowed by the mask, then the stop token ends it; Markdown is masked out', async () => {
    const fixtures = exitFixtures();
    const vocab = vocabulary(fixtures.map((f) => f.text));
    const eos = vocab.length - 1;
    const info = await xg.TokenizerInfo.createTokenizerInfo(vocab, 'raw', false, vocab.length, [eos]);
    const compiler = await xg.GrammarCompiler.createGrammarCompiler(info, false);
    const compiled = await compiler.compileGrammar(deriveContract(exitZh).grammar);
    try {
      for (const f of fixtures) {
        const matcher = await xg.GrammarMatcher.createGrammarMatcher(compiled);
        const ids = tokenize(f.text, vocab);
        for (const [n, id] of ids.entries()) {
          const mask = await matcher.getNextTokenBitmask();
          if (n === 2) {
            // Tokens 0 and 1 are "【离职原因】" and "\n": the body starts here, and may not start like Markdown.
            for (const bad of ['**', '- ', '# ', '1. ', ' ', '```']) expect(allowed(mask, vocab.indexOf(bad)), bad).toBe(false);
          }
          expect(allowed(mask, id), `${f.id}: token ${n} ${JSON.stringify(vocab[id])}`).toBe(true);
          expect(matcher.acceptToken(id)).toBe(true);
        }
        const last = await matcher.getNextTokenBitmask();
        expect(allowed(last, eos)).toBe(true);
        expect(matcher.acceptToken(eos)).toBe(true);
        expect(matcher.isTerminated()).toBe(true);
        matcher.dispose();
      }
    } finally {
      compiled.dispose();
      compiler.dispose();
      info.dispose();
    }
  });
});

describe('the fields JSON Schema in xgrammar\'s JSON-Schema converter', () => {
  it('accepts the fixtures\' fields and rejects broken ones', async () => {
    const g = await xg.Grammar.fromJSONSchema(JSON.stringify(deriveContract(exitZh).fieldsJsonSchema));
    try {
      for (const f of exitFixtures()) expect(await xg.Testings.isGrammarAcceptString(g, JSON.stringify(f.fields))).toBe(true);
      const good = JSON.stringify(E1.fields);
      expect(await xg.Testings.isGrammarAcceptString(g, good.replace('"COMP"', '"SALARY"'))).toBe(false);
      expect(await xg.Testings.isGrammarAcceptString(g, good.replace('"flags":[]', '"flags":[],"notes":"x"'))).toBe(false);
      expect(await xg.Testings.isGrammarAcceptString(g, good.replace('"reasons":', '"reasonz":'))).toBe(false);
      // This xgrammar build ignores minimum/maximum in JSON Schema; the EBNF's `confidence` rule and
      // validateFields are what enforce 0..1. Flip this when xgrammar starts enforcing the bounds.
      expect(await xg.Testings.isGrammarAcceptString(g, good.replace('"confidence":0.9', '"confidence":1.5'))).toBe(true);
      expect(await xg.Testings.isGrammarAcceptString(g, good.replace('"sources":["T2"]', '"sources":[""]'))).toBe(false);
    } finally {
      g.dispose();
    }
  });
});

describe('web-llm request validation', () => {
  it('accepts the contract as response_format with max_tokens', async () => {
    const webllm = (await import('@mlc-ai/web-llm')) as unknown as {
      postInitAndCheckFieldsChatCompletion(request: Record<string, unknown>, model: string): void;
    };
    for (const t of [exitZh, talentZh, exitEn]) {
      const c = deriveContract(t);
      const request: Record<string, unknown> = { messages: [{ role: 'user', content: '…' }], response_format: c.responseFormat, max_tokens: c.maxTokens };
      expect(() => webllm.postInitAndCheckFieldsChatCompletion(request, 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC')).not.toThrow();
    }
  });
});

function talentEn(): Template {
  return englishTalent().template;
}

/** A template with bare headings, an optional section, and integer / inline-enum / nullable string fields. */
function custom(): Template {
  const r = parseTemplate(
    {
      id: 'custom',
      version: '1.0.0',
      language: 'en',
      name: 'Custom',
      sources: ['notes'],
      role: 'r',
      sections: [
        { key: 'reasons', heading: 'Reasons for leaving:', guidance: 'g', maxChars: 200 },
        { key: 'outlook', heading: 'Outlook:', guidance: 'g', maxChars: 200, required: false },
      ],
      tone: { formal: true, objective: true, thirdPerson: true, noEmotionalWords: true },
      maxTotalChars: 400,
      fields: {
        heading: 'Fields:',
        guidance: 'g',
        schema: {
          type: 'object',
          properties: {
            score: { type: 'integer', min: 1, max: 5 },
            tag: { type: 'enum', values: ['a', 'b'] },
            note: { type: 'string', maxChars: 20, nullable: true },
          },
          required: ['score'],
        },
      },
    },
    'custom.json',
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
}
