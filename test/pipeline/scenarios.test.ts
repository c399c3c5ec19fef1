/**
 * The scenario templates (onboarding notes, performance conversation record, interview feedback, job
 * description, meeting minutes; zh-CN and en): each loads as a built-in, renders a prompt with its contract,
 * compiles to a grammar on WebLLM's own path (xgrammar with the cache ON, the real Qwen2.5 vocabulary) that
 * accepts the fixture's expected record, and goes through generate() with the fixture's record giving exactly
 * the expected sections, fields and flags, with nothing forbidden reaching the prompt or the record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scenarioJson from '../fixtures/scenarios.json';
import { deriveContract, deriveGrammar, renderOutput, repairOutput } from '../../shared/output';
import { generate } from '../../shared/pipeline/generate';
import { render } from '../../shared/prompt';
import { BUILTIN_TEMPLATES, type Template } from '../../shared/templates';
import { SCENARIO_TEMPLATE_FILES } from '../../shared/templates/scenarios';
import { FakeEngine } from '../doubles/fake-engine';
import { loadBundledXgrammar, qwenVocabulary, runtimeCompiler, type XgCompiler, type Xgrammar, type XgTokenizerInfo } from '../runtime/xgrammar';

interface ScenarioCase {
  id: string;
  template: string;
  language: string;
  kind: 'transcript' | 'notes';
  title: string;
  source: string;
  expected: { sections: Record<string, string>; fields: Record<string, unknown>; flags: string[]; must_not_contain: string[] };
}
const cases = scenarioJson.cases as unknown as ScenarioCase[];

function templateOf(c: Pick<ScenarioCase, 'template' | 'language'>): Template {
  const t = BUILTIN_TEMPLATES.find((x) => x.id === c.template && x.language === c.language);
  if (!t) throw new Error(`no built-in template ${c.template}@${c.language}`);
  return t;
}

const SCENARIOS = ['onboarding-interview', 'performance-conversation', 'interview-feedback', 'job-description', 'meeting-minutes'];

describe('scenario templates', () => {
  it('every scenario ships in zh-CN and en, each with a fixture', () => {
    for (const id of SCENARIOS) {
      for (const language of ['zh-CN', 'en']) {
        expect(BUILTIN_TEMPLATES.some((t) => t.id === id && t.language === language), `${id}@${language}`).toBe(true);
        expect(cases.some((c) => c.template === id && c.language === language), `fixture for ${id}@${language}`).toBe(true);
      }
    }
    expect(SCENARIO_TEMPLATE_FILES).toHaveLength(SCENARIOS.length * 2);
  });

  for (const c of cases) {
    const t = templateOf(c);
    describe(`${c.id} ${c.template}@${c.language}: ${c.title}`, () => {
      it('renders a prompt that carries the contract and the source', () => {
        const [system, user] = render(t, { kind: c.kind, text: c.source });
        for (const s of t.sections) expect(system?.content).toContain(s.heading);
        expect(system?.content).toContain(t.fields!.heading);
        expect(user?.content).toContain(c.source.split('\n')[1]!.slice(3, 15));
      });

      it("the fixture's expected record is a valid output of the contract", () => {
        const text = renderOutput(t, c.expected.sections, c.expected.fields);
        const r = repairOutput(t, text);
        expect(r.problems).toEqual([]);
        expect(r.fixed).toEqual([]);
        expect(r.sections).toEqual(c.expected.sections);
      });

      it('generate() with that record: expected sections, fields and flags; nothing forbidden reaches model or record', async () => {
        const engine = new FakeEngine({ outputs: [renderOutput(t, c.expected.sections, c.expected.fields)] });
        const result = await generate({ template: t, source: { kind: c.kind, text: c.source }, engine, modelId: 'fake' });
        expect(result.problems).toEqual([]);
        expect(result.sections).toEqual(c.expected.sections);
        expect(result.fields).toEqual(c.expected.fields);
        expect(result.flags.map((f) => f.flag).sort()).toEqual([...c.expected.flags].sort());
        expect(engine.requests[0]?.responseFormat).toEqual(deriveContract(t).responseFormat);
        const prompt = engine.requests.flatMap((q) => q.messages.map((m) => m.content)).join('\n');
        const record = [...Object.values(result.sections), JSON.stringify(result.fields), JSON.stringify(result.audit.fields ?? null)].join('\n');
        for (const s of c.expected.must_not_contain) {
          expect(record, s).not.toContain(s);
          // A source's discriminatory requirement may reach the prompt (the model is told to drop it); personal data may not.
          if (/^\d+$/.test(s)) expect(prompt, s).not.toContain(s);
        }
      });
    });
  }
});

describe('scenario grammars on the WebLLM runtime path (xgrammar, cache on, Qwen2.5 vocabulary)', () => {
  let xg: Xgrammar;
  let info: XgTokenizerInfo;
  let compiler: XgCompiler;
  beforeAll(async () => {
    xg = loadBundledXgrammar('@mlc-ai/web-llm');
    ({ info, compiler } = await runtimeCompiler(xg, qwenVocabulary()));
  }, 120_000);
  afterAll(() => {
    compiler?.dispose();
    info?.dispose();
  });

  for (const c of cases) {
    it(`${c.id} ${c.template}@${c.language}: compiles and accepts the expected record, rejects one with an unknown code`, async () => {
      const t = templateOf(c);
      const ebnf = deriveGrammar(t);
      const compiled = await compiler.compileGrammar(ebnf);
      compiled.dispose();
      const grammar = await xg.Grammar.fromEBNF(ebnf);
      try {
        const good = renderOutput(t, c.expected.sections, c.expected.fields);
        expect(await xg.Testings.isGrammarAcceptString(grammar, good)).toBe(true);
        const firstEnum = JSON.stringify(c.expected.fields).match(/"([A-Z][A-Z_]+)"/)?.[1];
        if (firstEnum) expect(await xg.Testings.isGrammarAcceptString(grammar, good.replace(`"${firstEnum}"`, '"NOT_A_CODE"'))).toBe(false);
      } finally {
        grammar.dispose();
      }
    }, 60_000);
  }
});
