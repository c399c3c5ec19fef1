/**
 * GenerationResult -> InsertionPlan: what the host will write, decided before anything touches the document.
 * One block per section (template order, template heading style), the body split into paragraphs, and — where
 * the template asks to explain its conclusions — a comment on each conclusion with its confidence and the turns
 * or fields it rests on (e.g. "置信度 0.85 · 依据: T2, T4").
 */
import type { AuditRecord, InsertionPlan, PlanBlock, PlanComment, PlanTarget } from '../host/port';
import type { FieldType, Template } from '../templates/schema';
import { planText } from './audit-chain';
import { guardLanguage } from './evidence';
import type { GenerationResult } from './types';

type Lang = 'zh' | 'en';

const WORDS: Record<Lang, { confidence: string; sources: string; conflict: string; sep: string; list: string }> = {
  zh: { confidence: '置信度', sources: '依据', conflict: '字段相互矛盾,置信度已下调,请核实', sep: ' · ', list: ', ' },
  en: { confidence: 'Confidence', sources: 'Sources', conflict: 'fields contradict each other; confidence lowered, please check', sep: ' · ', list: ', ' },
};


function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Body text -> paragraphs: one per line, trimmed, no empty ones. */
export function toParagraphs(body: string): string[] {
  return body
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function labelOf(template: Template, type: FieldType | undefined, value: unknown): string | undefined {
  if (type?.type !== 'enum' || type.taxonomy === undefined) return undefined;
  const entry = template.taxonomies[type.taxonomy]?.find((e) => e.code === value);
  return entry ? `${String(entry.code)} ${entry.label}` : undefined;
}

/** One conclusion's explanation: enum labels (cell, readiness, code), confidence, sources. */
function explainOne(
  template: Template,
  schema: FieldType | undefined,
  value: Record<string, unknown>,
  lang: Lang,
  values?: Record<string, string>,
): string | undefined {
  const w = WORDS[lang];
  const props = schema?.type === 'object' ? schema.properties : {};
  const parts: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    const label = labelOf(template, props[name], v);
    if (label) parts.push(label);
  }
  const confidence = value['confidence'];
  if (typeof confidence === 'number') parts.push(`${w.confidence} ${confidence.toFixed(2)}`);
  const sources = value['sources'];
  if (Array.isArray(sources) && sources.length > 0) {
    // A table row's field names carry their exact values, so the reader sees what the conclusion rests on.
    const shown = sources.map((src) => {
      const name = String(src);
      return values && Object.hasOwn(values, name) ? `${name}=${values[name] ?? ''}` : name;
    });
    parts.push(`${w.sources}: ${shown.join(w.list)}`);
  }
  return typeof confidence === 'number' || parts.length > 0 ? parts.join(w.sep) : undefined;
}

/** The explanation of a section from the fields under its key (an object, or a list of objects such as reasons). */
export function explainSection(template: Template, fields: unknown, key: string, values?: Record<string, string>): string | undefined {
  if (!isObject(fields)) return undefined;
  const lang = guardLanguage(template);
  const schema = template.fields?.schema;
  const sub = schema?.type === 'object' ? schema.properties[key] : undefined;
  const value = fields[key];
  if (isObject(value)) return explainOne(template, sub, value, lang, values);
  if (Array.isArray(value)) {
    const itemType = sub?.type === 'array' ? sub.items : undefined;
    const lines = value.filter(isObject).map((v) => explainOne(template, itemType, v, lang, values)).filter((l): l is string => l !== undefined);
    return lines.length > 0 ? lines.join('\n') : undefined;
  }
  return undefined;
}

/** Options of {@link buildPlan}. */
export interface PlanOptions {
  /** Attach the result's audit record so the host stores it with the insertion (default true). */
  withAudit?: boolean;
  /** Time stamped on the audit record (the host restamps it with the insertion time). */
  now?: () => Date;
}

/** The insertion plan for a result. Sections the model did not write are left out; nothing is invented. */
export function buildPlan(result: GenerationResult, template: Template, target: PlanTarget, options: PlanOptions = {}): InsertionPlan {
  const lang = guardLanguage(template);
  const conflicted = result.flags.some((f) => f.flag === 'FIELD_CONFLICT');
  const blocks: PlanBlock[] = [];
  for (const section of template.sections) {
    const body = result.sections[section.key];
    if (body === undefined) continue;
    const paragraphs = toParagraphs(body);
    const comments: PlanComment[] = [];
    if (template.explain) {
      const explanation = explainSection(template, result.fields, section.key, result.sourceValues);
      if (explanation !== undefined) {
        const text = conflicted ? `${explanation}${WORDS[lang].sep}${WORDS[lang].conflict}` : explanation;
        // The conclusion is the section's first paragraph; a section without body is explained on its heading.
        comments.push({ anchorText: paragraphs[0] ?? section.heading, text });
      }
    }
    blocks.push({ heading: section.heading, headingStyle: template.headingStyle, paragraphs, comments });
  }
  const plan: InsertionPlan = { auditId: result.auditId, target, blocks };
  if (options.withAudit ?? true) {
    // The record says what left the pane: the text exactly as the host writes it (hashed when stored).
    const text = planText(blocks, target.kind === 'after-table' ? target.title : undefined);
    const audit: AuditRecord = { ...result.audit, event: 'inserted', text, time: (options.now ?? (() => new Date()))().toISOString() };
    plan.audit = audit;
  }
  return plan;
}
