/**
 * Interview feedback: the per-competency scores and the overall score are computed from the scores the
 * interviewers wrote in the source ("专业能力4分", "Communication 5"), never taken from the model. The model
 * writes the narrative; {@link enforceInterviewScores} writes the computed averages, their source line ids and
 * the overall score back into the structured fields after parsing, whatever the model put there.
 */
import { normaliseSource, type TextSourceKind } from '../source';
import type { Template, TaxonomyEntry } from '../templates/schema';

/** One interviewer's score for one competency, with the source line it was read from. */
export interface InterviewScore {
  competency: string;
  score: number;
  line: string;
}

/** The computed scores: per competency the average of the interviewers' scores, and the overall score. */
export interface InterviewScores {
  scores: InterviewScore[];
  /** Competency code → average (two decimals) and the line ids it rests on, in source order. */
  averages: Map<string, { score: number; sources: string[] }>;
  /** Mean of the competency averages (each competency counts once), two decimals; null when nothing was scored. */
  overall: number | null;
}

const MIN = 1;
const MAX = 5;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The competency taxonomy, when the template's fields carry competency scores (interview feedback). */
function competencyTaxonomy(template: Template): TaxonomyEntry[] | undefined {
  const comp = template.fields?.schema.type === 'object' ? template.fields.schema.properties['competencies'] : undefined;
  if (comp?.type !== 'array' || comp.items.type !== 'object') return undefined;
  const item = comp.items.properties;
  const code = item['competency'];
  if (code?.type !== 'enum' || code.taxonomy === undefined || item['score']?.type !== 'number') return undefined;
  return template.taxonomies[code.taxonomy];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Reads every "competency label + score" the interviewers wrote (专业能力4分, 沟通表达:4 分, Problem solving 4,
 * Communication: 5/5). Labels come from the template's competency taxonomy, so a company's own list works.
 * Returns undefined for templates without competency scores.
 */
export function readInterviewScores(template: Template, text: string, kind: TextSourceKind): InterviewScores | undefined {
  const taxonomy = competencyTaxonomy(template);
  if (!taxonomy) return undefined;
  const matchers = taxonomy.map((e) => ({
    code: String(e.code),
    // The label, optional "score" words and separator, then a 1–5 score (halves allowed) not followed by more digits.
    regex: new RegExp(
      `${/^[A-Za-z]/.test(e.label) ? '\\b' : ''}${escape(e.label)}(?:\\s*(?:得分|评分|打分|score[sd]?|rated|rating))?\\s*[::]?\\s*(?:为|是|of|=)?\\s*([1-5](?:\\.5)?)(?![\\d.]*\\d)(?:\\s*(?:分|/\\s*5|out of 5))?`,
      'gi',
    ),
  }));
  const scores: InterviewScore[] = [];
  for (const turn of normaliseSource(text, kind).turns) {
    for (const m of matchers) {
      for (const hit of turn.text.matchAll(m.regex)) {
        const score = Number(hit[1]);
        if (score >= MIN && score <= MAX) scores.push({ competency: m.code, score, line: turn.id });
      }
    }
  }
  const averages = new Map<string, { score: number; sources: string[] }>();
  for (const e of taxonomy) {
    const mine = scores.filter((s) => s.competency === String(e.code));
    if (mine.length === 0) continue;
    averages.set(String(e.code), {
      score: round2(mine.reduce((a, s) => a + s.score, 0) / mine.length),
      sources: [...new Set(mine.map((s) => s.line))],
    });
  }
  const values = [...averages.values()].map((a) => a.score);
  const overall = values.length === 0 ? null : round2(values.reduce((a, b) => a + b, 0) / values.length);
  return { scores, averages, overall };
}

/** What {@link enforceInterviewScores} did. */
export interface EnforcedScores {
  fields: unknown;
  /** One line per value the model wrote that the computed scores replaced (empty when it agreed). */
  overridden: string[];
}

/**
 * Writes the computed scores into the fields: each listed competency's `score` becomes the interviewers'
 * average (null when no interviewer scored it) and its `sources` the lines the scores came from; competencies
 * the interviewers scored but the model left out are added (within the list's limit); `overall` is set when the
 * schema declares it. The model's differing values are reported in `overridden` and discarded.
 */
export function enforceInterviewScores(template: Template, fields: unknown, computed: InterviewScores): EnforcedScores {
  if (!isObject(fields) || !Array.isArray(fields['competencies'])) return { fields, overridden: [] };
  const schema = template.fields?.schema.type === 'object' ? template.fields.schema : undefined;
  const list = schema?.properties['competencies'];
  const room = list?.type === 'array' ? (list.maxItems ?? Infinity) : Infinity;
  const overridden: string[] = [];
  const seen = new Set<string>();
  const competencies: unknown[] = [];
  for (const item of fields['competencies'] as unknown[]) {
    if (!isObject(item) || typeof item['competency'] !== 'string') {
      competencies.push(item);
      continue;
    }
    const code = item['competency'];
    if (seen.has(code)) {
      overridden.push(`competencies.${code}: duplicate entry dropped`);
      continue;
    }
    seen.add(code);
    const avg = computed.averages.get(code);
    const score = avg?.score ?? null;
    const sources = avg?.sources ?? (Array.isArray(item['sources']) ? item['sources'] : []);
    if (item['score'] !== score) overridden.push(`competencies.${code}.score: ${JSON.stringify(item['score'] ?? null)} → ${JSON.stringify(score)}`);
    competencies.push({ ...item, score, sources });
  }
  for (const [code, avg] of computed.averages) {
    if (seen.has(code) || competencies.length >= room) continue;
    overridden.push(`competencies.${code}: added (${JSON.stringify(avg.score)}, scored in ${avg.sources.join(', ')})`);
    competencies.push({ competency: code, score: avg.score, sources: avg.sources });
  }
  const out: Record<string, unknown> = { ...fields, competencies };
  if (schema?.properties['overall']) {
    if (fields['overall'] !== undefined && fields['overall'] !== computed.overall) {
      overridden.push(`overall: ${JSON.stringify(fields['overall'])} → ${JSON.stringify(computed.overall)}`);
    }
    out['overall'] = computed.overall;
  }
  return { fields: out, overridden };
}
