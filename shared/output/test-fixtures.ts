/**
 * Test support only (imported by shared/output/*.test.ts, never by product code): the synthetic fixtures of
 * ../shared/fixtures turned into contract outputs — sections by key plus a fields object — for the built-in
 * templates.
 */
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { BUILTIN_TEMPLATES, type Template } from '../templates';
import { renderOutput } from './parse';

/** A fixture as a contract output. */
export interface FixtureOutput {
  id: string;
  template: Template;
  sections: Record<string, string>;
  fields: Record<string, unknown>;
  /** The canonical output text: headings, bodies, fields line. */
  text: string;
}

function builtin(id: string, language: string): Template {
  const t = BUILTIN_TEMPLATES.find((x) => x.id === id && x.language === language);
  if (!t) throw new Error(`no built-in template ${id}@${language}`);
  return t;
}

export const exitZh = builtin('exit-interview', 'zh-CN');
export const exitEn = builtin('exit-interview', 'en');
export const talentZh = builtin('talent-review', 'zh-CN');
export const talentEn = builtin('talent-review', 'en');

function codes(t: Template, taxonomy: string): Set<unknown> {
  return new Set((t.taxonomies[taxonomy] ?? []).map((e) => e.code));
}

/** Fixture section names are the headings without brackets: 离职原因 ↔ 【离职原因】. */
function sectionsByHeading(t: Template, byName: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of t.sections) {
    const name = s.heading.replace(/^【|】$/g, '');
    const body = byName[name];
    if (body === undefined) throw new Error(`fixture has no section "${name}"`);
    out[s.key] = body;
  }
  return out;
}

interface ExitReason {
  code: string;
  role?: string;
  stated?: boolean;
  confidence: number;
  sources: string[];
}

/** Exit-interview fixtures: expected sections; reasons with role defaulting to secondary and stated to true; record flags only. */
export function exitFixtures(): FixtureOutput[] {
  const flags = codes(exitZh, 'recordFlags');
  return exitJson.cases.map((c) => {
    const e = c.expected as unknown as { sections: Record<string, string>; reasons: ExitReason[]; flags: string[] };
    const sections = sectionsByHeading(exitZh, e.sections);
    const fields = {
      reasons: e.reasons.map((r) => ({ code: r.code, role: r.role ?? 'secondary', stated: r.stated ?? true, confidence: r.confidence, sources: r.sources })),
      // Guard flags (BLOCK:…, ESCALATE:…) belong to shared/guard, not to the record's fields.
      flags: e.flags.filter((f) => flags.has(f)),
    };
    return { id: c.id, template: exitZh, sections, fields, text: renderOutput(exitZh, sections, fields) };
  });
}

interface Conclusion {
  text: string;
  confidence: number;
  sources: string[];
}

function readiness(text: string | undefined): string {
  if (text === undefined || /不列入/.test(text)) return 'NOT_APPLICABLE';
  if (/1[–-]2年/.test(text)) return 'READY_1_2';
  if (/3年/.test(text)) return 'READY_3_PLUS';
  return 'READY_NOW';
}

/** Talent-review fixtures: nine-box label, strengths / development / succession texts, and their fields. */
export function talentFixtures(): FixtureOutput[] {
  const flags = codes(talentZh, 'recordFlags');
  const emptySuccession = talentZh.sections.find((s) => s.key === 'succession')?.emptyText ?? '';
  return talentJson.cases.map((c) => {
    const e = c.expected as unknown as {
      nine_box: { cell: number | null; label: string; confidence: number; sources: string[] };
      strengths: Conclusion[];
      development: Conclusion[];
      succession: Conclusion | null;
      flags: string[];
    };
    const sections = {
      nine_box: e.nine_box.label,
      strengths: e.strengths.map((s) => s.text).join(';'),
      development: e.development.map((s) => s.text).join(';'),
      succession: e.succession?.text ?? emptySuccession,
    };
    const first = (list: Conclusion[]): { confidence: number; sources: string[] } => ({
      confidence: list[0]?.confidence ?? 0,
      sources: list.flatMap((x) => x.sources).filter((s, i, all) => all.indexOf(s) === i),
    });
    const fields = {
      nine_box: { cell: e.nine_box.cell, confidence: e.nine_box.confidence, sources: e.nine_box.sources },
      strengths: first(e.strengths),
      development: first(e.development),
      succession: {
        readiness: readiness(e.succession?.text),
        confidence: e.succession?.confidence ?? e.nine_box.confidence,
        sources: e.succession?.sources ?? [],
      },
      flags: e.flags.filter((f) => flags.has(f)),
    };
    return { id: c.id, template: talentZh, sections, fields, text: renderOutput(talentZh, sections, fields) };
  });
}

/** A hand-written English exit-interview output (there are no English fixtures). */
export function englishExit(): FixtureOutput {
  const sections = {
    reasons:
      'The employee is leaving mainly for pay: an external offer is about 30% above the current salary. The employee also said that promotion criteria were unclear after a failed promotion review.',
    experience: 'The employee described colleagues and mentoring positively; frequent requirement changes caused rework.',
    suggestions: 'Suggests written feedback after promotion reviews. Suggests more transparent pay reviews.',
  };
  const fields = {
    reasons: [
      { code: 'COMP', role: 'primary', stated: true, confidence: 0.9, sources: ['T2'] },
      { code: 'CAREER', role: 'secondary', stated: true, confidence: 0.8, sources: ['T4'] },
    ],
    flags: [],
  };
  return { id: 'EN1', template: exitEn, sections, fields, text: renderOutput(exitEn, sections, fields) };
}

/** A hand-written English talent-review output. */
export function englishTalent(): FixtureOutput {
  const sections = {
    nine_box: 'Star (cell 9): performance A in both periods and high potential.',
    strengths: 'Deep technical expertise (9/10) and consistent A ratings.',
    development: 'Cross-team collaboration (6/10): lead one cross-department project with a business mentor.',
    succession: 'Successor for the architecture lead role; ready in 1–2 years.',
  };
  const fields = {
    nine_box: { cell: 9, confidence: 0.85, sources: ['Performance', 'Potential'] },
    strengths: { confidence: 0.9, sources: ['Technical depth', 'Performance'] },
    development: { confidence: 0.7, sources: ['Cross-team collaboration'] },
    succession: { readiness: 'READY_1_2', confidence: 0.55, sources: ['Potential'] },
    flags: [],
  };
  return { id: 'EN2', template: talentEn, sections, fields, text: renderOutput(talentEn, sections, fields) };
}
