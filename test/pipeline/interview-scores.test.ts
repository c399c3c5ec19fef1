/**
 * Interview feedback: competency averages and the overall score are computed from the interviewers' scores in
 * the source, not written by the model. A model that writes other numbers is overwritten after parsing.
 */
import { describe, expect, it } from 'vitest';
import scenarioJson from '../fixtures/scenarios.json';
import { renderOutput } from '../../shared/output';
import { generate } from '../../shared/pipeline/generate';
import { readInterviewScores } from '../../shared/pipeline/interview-scores';
import { BUILTIN_TEMPLATES, type Template } from '../../shared/templates';
import { FakeEngine } from '../doubles/fake-engine';

interface Case {
  id: string;
  template: string;
  language: string;
  source: string;
  expected: { sections: Record<string, string>; fields: Record<string, unknown> };
}
const cases = scenarioJson.cases as unknown as Case[];
const byId = (id: string): Case => cases.find((c) => c.id === id)!;
const templateOf = (c: Case): Template => BUILTIN_TEMPLATES.find((t) => t.id === c.template && t.language === c.language)!;

describe('interview feedback scores are computed from the interviewers’ scores', () => {
  it('reads each interviewer’s score with its line (zh: 专业能力4分; en: Communication 5) and averages per competency', () => {
    const zh = readInterviewScores(templateOf(byId('IF1')), byId('IF1').source, 'notes')!;
    expect(Object.fromEntries(zh.averages)).toEqual({
      PROFESSIONAL: { score: 3.5, sources: ['N1', 'N2'] },
      PROBLEM_SOLVING: { score: 3, sources: ['N2'] },
      COMMUNICATION: { score: 4, sources: ['N1'] },
      COLLABORATION: { score: 4, sources: ['N3'] },
      ROLE_FIT: { score: 4, sources: ['N3'] },
    });
    expect(zh.overall).toBe(3.7);
    const en = readInterviewScores(templateOf(byId('IF2')), byId('IF2').source, 'notes')!;
    expect(Object.fromEntries([...en.averages].map(([k, v]) => [k, v.score]))).toEqual({ PROBLEM_SOLVING: 4, COMMUNICATION: 5, OWNERSHIP: 5 });
    expect(en.overall).toBe(4.67);
  });

  it('ignores numbers that are not scores (years, team sizes) and templates without competency scores', () => {
    const t = templateOf(byId('IF2'));
    const r = readInterviewScores(t, 'N1 Panel 1: Communication 5/5.\nN2 Panel 2: Communication 3 out of 5; 12 years of experience.\nN3 Panel 2: Ownership 7.', 'notes')!;
    expect(Object.fromEntries(r.averages)).toEqual({ COMMUNICATION: { score: 4, sources: ['N1', 'N2'] } });
    const jd = BUILTIN_TEMPLATES.find((x) => x.id === 'job-description' && x.language === 'en')!;
    expect(readInterviewScores(jd, 'N1 Communication 5', 'notes')).toBeUndefined();
  });

  for (const id of ['IF1', 'IF2']) {
    it(`${id}: the model cannot override the scores — wrong averages, an invented score and a wrong overall are replaced`, async () => {
      const c = byId(id);
      const t = templateOf(c);
      const expected = c.expected.fields as { competencies: Array<{ competency: string; score: number | null; sources: string[] }>; overall: number };
      // The model inflates every score, invents one for a competency nobody scored, drops one and claims 5 overall.
      const [first, ...rest] = expected.competencies;
      const tampered = {
        ...expected,
        overall: 5,
        competencies: [
          ...rest.map((x) => ({ ...x, score: 5 })),
          { competency: 'LEADERSHIP', score: 5, sources: [first!.sources[0]!] },
        ],
      };
      const engine = new FakeEngine({ outputs: [renderOutput(t, c.expected.sections, tampered)] });
      const result = await generate({ template: t, source: { kind: 'notes', text: c.source }, engine, modelId: 'fake' });
      const fields = result.fields as typeof expected;
      const scoreOf = (code: string) => fields.competencies.find((x) => x.competency === code)?.score;
      for (const x of expected.competencies) expect(scoreOf(x.competency), x.competency).toBe(x.score);
      expect(scoreOf('LEADERSHIP')).toBeNull();
      expect(fields.overall).toBe(expected.overall);
      // The record the writer inserts carries the computed numbers, not the model's.
      expect(result.audit.fields).toEqual(result.fields);
    });
  }
});
