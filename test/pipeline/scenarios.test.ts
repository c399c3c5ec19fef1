/**
 * The scenario templates (onboarding notes, performance conversation record, interview feedback, job
 * description, meeting minutes; zh-CN and en): each loads as a built-in, renders a prompt with its contract,
 * compiles to a grammar on WebLLM's own path (xgrammar with the cache ON, the real Qwen2.5 vocabulary) that
 * accepts the fixture's expected record, and goes through generate() with the fixture's record giving exactly
 * the expected sections, fields and flags, with nothing forbidden reaching the prompt or the record.
 */
import { describe, expect, it } from 'vitest';
import scenarioJson from '../fixtures/scenarios.json';
import { deriveContract, deriveGrammar, renderOutput, repairOutput } from '../../shared/output';
import { generate } from '../../shared/pipeline/generate';
import { render } from '../../shared/prompt';
import { BUILTIN_TEMPLATES, type Template } from '../../shared/templates';
import { SCENARIO_TEMPLATE_FILES } from '../../shared/templates/scenarios';
import { FakeEngine } from '../doubles/fake-engine';
import { useRuntimeCompiler } from '../xgrammar-runtime';

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

describe('job description: discriminatory requirements (age, gender, marital/childbearing, hukou, ethnicity, religion, health)', () => {
  const jd = cases.find((c) => c.id === 'JD1')!;
  const cases2 = [
    {
      template: templateOf({ template: 'job-description', language: 'zh-CN' }),
      source: 'N1 岗位名称:招聘专员\nN2 要求:2年以上招聘经验;35岁以下,限男性;已婚已育优先;限本地户籍\nN3 地点:杭州',
      inSource: ['BLOCK:AGE', 'BLOCK:GENDER_STEREOTYPE', 'BLOCK:MARITAL_STATUS', 'BLOCK:REGION_STEREOTYPE'],
      withheld: ['35岁', '限男性', '已婚已育', '本地户籍'],
      bad: { requirements: '2年以上招聘经验。\n年龄35岁以下,男性优先。' },
    },
    {
      template: templateOf({ template: 'job-description', language: 'en' }),
      source: 'N1 Title: Recruiter\nN2 Requirements: 2+ years of recruiting; under 35, male preferred; must be single; local hukou required.\nN3 Location: Hangzhou',
      inSource: ['BLOCK:AGE', 'BLOCK:GENDER_STEREOTYPE', 'BLOCK:MARITAL_STATUS', 'BLOCK:REGION_STEREOTYPE'],
      withheld: ['under 35', 'male preferred', 'must be single', 'hukou'],
      bad: { requirements: 'Two or more years of recruiting.\nUnder 35, male preferred.' },
    },
  ];
  for (const c of cases2) {
    it(`${c.template.language}: flagged in the input and kept out of the prompt; in the model's output the draft goes to review`, async () => {
      const template = c.template;
      const good = template.language === 'en' ? cases.find((x) => x.id === 'JD2')! : jd;
      // The model's draft copies a discriminatory requirement back into the JD.
      const sections = { ...good.expected.sections, ...c.bad };
      const engine = new FakeEngine({ outputs: [renderOutput(template, sections, good.expected.fields)] });
      const result = await generate({ template, source: { kind: 'notes', text: c.source }, engine, modelId: 'fake' });
      const sourceFlags = result.flags.filter((f) => f.where === 'source').map((f) => f.flag);
      for (const f of c.inSource) expect(sourceFlags, f).toContain(f);
      const prompt = engine.requests.flatMap((q) => q.messages.map((m) => m.content)).join('\n');
      for (const s of c.withheld) expect(prompt, s).not.toContain(s);
      // (A flag is listed once, where first seen; the output's own hits are in outputHits.)
      expect(result.outputHits.map((h) => h.category)).toEqual(expect.arrayContaining(['AGE', 'GENDER_STEREOTYPE']));
      expect(result.review).toContain('blocked-terms');
      // A rewrite comes with each hit, so the writer knows what to write instead.
      const hit = result.outputHits.find((h) => h.category === 'AGE');
      expect(hit?.rewrite).toMatch(/经验|experience/);
    });
  }

  it('a clean draft of the same discriminatory role profile is not sent to review for blocked terms', async () => {
    const template = cases2[0]!.template;
    const engine = new FakeEngine({ outputs: [renderOutput(template, jd.expected.sections, jd.expected.fields)] });
    const result = await generate({ template, source: { kind: 'notes', text: cases2[0]!.source }, engine, modelId: 'fake' });
    expect(result.outputHits).toEqual([]);
    expect(result.review).not.toContain('blocked-terms');
  });
});

describe('scenario grammars on the WebLLM runtime path (xgrammar, cache on, Qwen2.5 vocabulary)', () => {
  const rt = useRuntimeCompiler();

  for (const c of cases) {
    it(`${c.id} ${c.template}@${c.language}: compiles and accepts the expected record, rejects one with an unknown code`, async () => {
      const t = templateOf(c);
      const ebnf = deriveGrammar(t);
      const compiled = await rt.compiler.compileGrammar(ebnf);
      compiled.dispose();
      const grammar = await rt.xg.Grammar.fromEBNF(ebnf);
      try {
        const good = renderOutput(t, c.expected.sections, c.expected.fields);
        expect(await rt.xg.Testings.isGrammarAcceptString(grammar, good)).toBe(true);
        const firstEnum = JSON.stringify(c.expected.fields).match(/"([A-Z][A-Z_]+)"/)?.[1];
        if (firstEnum) expect(await rt.xg.Testings.isGrammarAcceptString(grammar, good.replace(`"${firstEnum}"`, '"NOT_A_CODE"'))).toBe(false);
      } finally {
        grammar.dispose();
      }
    }, 60_000);
  }
});
