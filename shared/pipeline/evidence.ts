/**
 * What the model is allowed to see. The source as read is redacted (personal data), then everything that must
 * never serve as evidence is withheld: sentences that use a protected trait (BLOCK hits: health, pregnancy,
 * maternity leave, region, age …), sentences that carry an allegation or a legal signal (ESCALATE hits:
 * harassment, discrimination, retaliation, whistleblowing, a lawyer, 永不录用), and third parties' names.
 * Allegations are escalated, not summarised: the model never sees them, and the record gets a fixed neutral line
 * ({@link escalationLine}) naming who handles it. Table rows lose a whole cell when it carries either.
 *
 * The same function feeds inference (generate) and fine-tuning data (buildMessages), so a trained model sees
 * exactly what it will see in Word.
 */
import { guardOutput, guardText, guardTextSteps, isLanguageMismatch, redact, scanTerms, type GuardHit, type GuardLanguage, type Redaction } from '../guard';
import type { SectionTexts } from '../output';
import type { PromptSource } from '../prompt';
import { normaliseSourceSteps, recordToText, renderTurns, splitSentences, type NormalisedSource, type Turn } from '../source';
import type { Template } from '../templates/schema';
import { runSliced, runSteps, type SliceOptions } from '../steps';
import type { PipelineSource, ReviewReason, Withheld } from './types';

/** The guard's language for a template (placeholders, messages). */
export function guardLanguage(template: Template): GuardLanguage {
  return template.language.startsWith('zh') ? 'zh' : 'en';
}

const PLACEHOLDER: Record<GuardLanguage, { protected: string; escalated: string; name: string }> = {
  zh: { protected: '[此处涉及个人敏感信息,已略去]', escalated: '[此处为员工反映的需另行处理的事项,已略去]', name: '[姓名已隐去]' },
  en: { protected: '[sensitive personal information removed]', escalated: '[a matter raised for separate handling, removed]', name: '[name removed]' },
};

/**
 * The fixed, neutral line a record gets when the source carried an allegation or a legal signal: it says that a
 * matter was raised and handed on, and to whom, without saying what it was.
 */
export function escalationLine(lang: GuardLanguage, handlers: readonly string[]): string {
  const who = handlers.length > 0 ? handlers.join(lang === 'zh' ? '、' : ', ') : lang === 'zh' ? '员工关系/合规部门' : 'employee relations / compliance';
  return lang === 'zh'
    ? `员工在沟通中反映了需另行核实的事项,已转交${who}处理,本记录不作概括或定性。`
    : `The employee raised a matter that needs separate review; it has been handed on to ${who} and is not summarised in this record.`;
}

/** A hit that keeps its text out of the prompt: protected traits (BLOCK), allegations (ESCALATE) and names. */
function withholds(hit: GuardHit): 'sentence' | 'name' | undefined {
  if (hit.action === 'BLOCK' || hit.action === 'ESCALATE') return 'sentence';
  if (hit.flag === 'THIRD_PARTY_NAME' || hit.category === 'THIRD_PARTY_NAME') return 'name';
  return undefined;
}

/** Replaces name spans in `text` by the placeholder (hits index into `text`). */
function replaceNames(text: string, hits: readonly GuardHit[], placeholder: string): string {
  let out = '';
  let at = 0;
  for (const h of [...hits].sort((a, b) => a.start - b.start)) {
    if (h.start < at) continue;
    out += text.slice(at, h.start) + placeholder;
    at = h.end;
  }
  return out + text.slice(at);
}

/**
 * One turn's text with protected-trait sentences dropped and names replaced. Returns undefined when nothing had
 * to change.
 */
function cleanTurnText(text: string, lang: GuardLanguage): { text: string; reasons: string[]; handlers: string[] } | undefined {
  const hits = scanTerms(text, { language: lang });
  const acting = hits.filter((h) => withholds(h) !== undefined);
  if (acting.length === 0) return undefined;
  const reasons = [...new Set(acting.map((h) => h.flag))];
  const handlers = handlersOf(acting);
  const blocks = acting.filter((h) => withholds(h) === 'sentence');
  const names = acting.filter((h) => withholds(h) === 'name');
  // Sentences that overlap a BLOCK hit go; the others stay, with names replaced.
  const kept: string[] = [];
  let offset = 0;
  let dropped = false;
  let escalated = false;
  for (const sentence of splitSentences(text)) {
    const start = offset;
    const end = offset + sentence.length;
    offset = end;
    const inside = blocks.filter((h) => h.start < end && h.end > start);
    if (inside.length > 0) {
      if (inside.some((h) => h.action === 'ESCALATE')) escalated = true;
      else dropped = true;
      continue;
    }
    const local = names.filter((h) => h.start >= start && h.end <= end).map((h) => ({ ...h, start: h.start - start, end: h.end - start }));
    kept.push(replaceNames(sentence, local, PLACEHOLDER[lang].name));
  }
  let out = kept.join('').trim();
  for (const [on, placeholder] of [[escalated, PLACEHOLDER[lang].escalated], [dropped, PLACEHOLDER[lang].protected]] as const) {
    if (on) out = out === '' ? placeholder : `${out} ${placeholder}`;
  }
  // Belt and braces: if anything withheld survived (a hit spanning odd boundaries), the whole turn goes.
  if (scanTerms(out, { language: lang }).some((h) => withholds(h) !== undefined)) out = PLACEHOLDER[lang].protected;
  return { text: out, reasons, handlers };
}

/** `text` with the hits' spans replaced by spaces. */
function blankSpans(text: string, hits: readonly GuardHit[]): string {
  let out = '';
  let at = 0;
  for (const h of [...hits].sort((a, b) => a.start - b.start)) {
    if (h.start < at) continue;
    out += `${text.slice(at, h.start)} `;
    at = h.end;
  }
  return out + text.slice(at);
}

/** Distinct handlers of the escalations among `hits`. */
function handlersOf(hits: readonly GuardHit[]): string[] {
  return [...new Set(hits.filter((h) => h.action === 'ESCALATE' && h.handler).map((h) => h.handler ?? ''))];
}

/** The evidence for one source: what the prompt carries, and what was kept from it. */
export interface Evidence {
  /** The source text as read from the document (hashed for the audit record; never sent anywhere). */
  sourceText: string;
  /** The source for `render`: redacted, normalised, protected content withheld. */
  promptSource: PromptSource;
  /** Turns of the prompt source (a table row becomes one `N…` turn per field line), for low-information checks and chunking. */
  normalised: NormalisedSource;
  /** Table rows only: the fields the model sees, after withholding. */
  fields?: Record<string, string>;
  /** Table rows only: what the field-conflict check reads (withheld cells included, their protected words blanked). */
  conflictFields?: Record<string, string>;
  /** What was withheld and why. */
  withheld: Withheld[];
  /** Who must handle the allegations withheld from the model (empty when there were none). */
  escalations: string[];
  /** Result of the guard over the whole source as read (redactions, hits on the redacted text, flags). */
  guard: ReturnType<typeof guardText>;
}

/** The text of a source as read (a table row as `字段: 值` lines in header order). */
export function sourceTextOf(source: PipelineSource): string {
  return source.kind === 'table-row' ? recordToText({ fields: source.fields }, source.header) : source.text;
}

/** Builds the evidence for `source` under `template`. Never throws on any input. */
export function prepareEvidence(template: Template, source: PipelineSource): Evidence {
  return runSteps(prepareEvidenceSteps(template, source));
}

/**
 * {@link prepareEvidence} in slices that yield to the event loop (a long source is ~0.25 s of redaction,
 * normalisation and withholding): the same evidence, byte for byte, or undefined when `signal` aborted first.
 */
export function prepareEvidenceSliced(template: Template, source: PipelineSource, options: SliceOptions = {}): Promise<Evidence | undefined> {
  return runSliced(prepareEvidenceSteps(template, source), options);
}

/** {@link prepareEvidence} as steps: pauses between the guard, normalisation's line batches, cells and turns. */
export function* prepareEvidenceSteps(template: Template, source: PipelineSource): Generator<void, Evidence, void> {
  const lang = guardLanguage(template);
  const sourceText = sourceTextOf(source);
  const guard = yield* guardTextSteps(sourceText, { language: lang });
  yield;
  const withheld: Withheld[] = [];

  if (source.kind === 'table-row') {
    const fields: Record<string, string> = {};
    // What the field-conflict check reads: a withheld cell still counts, minus its protected words, so a negative
    // remark next to a maternity note is not lost (the note itself never counts as a negative remark).
    const conflictFields: Record<string, string> = {};
    for (const name of [...source.header, ...Object.keys(source.fields).filter((n) => !source.header.includes(n))]) {
      if (!Object.hasOwn(source.fields, name) || Object.hasOwn(fields, name)) continue;
      // Redaction only: the cell is scanned below, with its field name.
      const value = redact(source.fields[name] ?? '', { language: lang }).text;
      // The field name counts too: a column called 婚育状况 is protected whatever it holds.
      const lineHits = scanTerms(`${name}: ${value}`, { language: lang });
      const blocks = lineHits.filter((h) => withholds(h) === 'sentence');
      if (blocks.length > 0) {
        const handlers = handlersOf(blocks);
        withheld.push({ where: name, reasons: [...new Set(blocks.map((h) => h.flag))], ...(handlers.length > 0 ? { handlers } : {}) });
        conflictFields[name] = blankSpans(value, scanTerms(value, { language: lang }).filter((h) => withholds(h) === 'sentence'));
        continue;
      }
      const names = scanTerms(value, { language: lang }).filter((h) => withholds(h) === 'name');
      if (names.length > 0) withheld.push({ where: name, reasons: ['THIRD_PARTY_NAME'] });
      fields[name] = replaceNames(value, names, PLACEHOLDER[lang].name);
      conflictFields[name] = fields[name];
      yield;
    }
    const header = source.header.filter((n) => Object.hasOwn(fields, n));
    const text = recordToText({ fields }, header);
    return {
      sourceText,
      promptSource: { kind: 'table-row', text },
      normalised: yield* normaliseSourceSteps(text, 'notes'),
      fields,
      conflictFields,
      withheld,
      escalations: [...new Set(withheld.flatMap((w) => w.handlers ?? []))],
      guard,
    };
  }

  const base = yield* normaliseSourceSteps(guard.redacted.text, source.kind);
  const turns: Turn[] = [];
  for (const turn of base.turns) {
    yield;
    const cleaned = cleanTurnText(turn.text, lang);
    if (!cleaned) {
      turns.push(turn);
      continue;
    }
    withheld.push({ where: turn.id, reasons: cleaned.reasons, ...(cleaned.handlers.length > 0 ? { handlers: cleaned.handlers } : {}) });
    turns.push({ ...turn, text: cleaned.text });
  }
  const text = renderTurns(turns);
  // `input` is dropped: offsets refer to the redacted text, which the withheld turns no longer match.
  const normalised: NormalisedSource = { kind: base.kind, turns, text };
  const escalations = [...new Set(withheld.flatMap((w) => w.handlers ?? []))];
  return { sourceText, promptSource: { kind: source.kind, text }, normalised, withheld, escalations, guard };
}

/** What {@link checkOutput} found and what the record becomes. */
export interface OutputCheck {
  /** The sections as they go into the plan: markup removed, personal data replaced, the escalation line added. */
  sections: SectionTexts;
  /** Sensitive-term hits in the model's sections (offsets per section text; `match` quotes it). */
  hits: GuardHit[];
  /** Personal data the model wrote (per section, no values). */
  redactions: Redaction[];
  /** Flags for the audit record (`where: 'output'`), e.g. `OUTPUT_PII:CN_MOBILE`, `OUTPUT_MARKUP`. */
  flags: string[];
  /** Why the writer must look first. */
  review: ReviewReason[];
}

/**
 * The output gets the same guard as the source: personal data and names the model wrote are replaced and sent
 * to review; protected traits, legal conclusions and allegations are flagged; markup is removed; an output in
 * another language than the template's is flagged. Where the source carried an allegation, the fixed neutral
 * line ({@link escalationLine}) is appended to the last section the model wrote. Never throws.
 */
export function checkOutput(template: Template, sections: SectionTexts, escalations: readonly string[] = []): OutputCheck {
  const lang = guardLanguage(template);
  const out: SectionTexts = {};
  const hits: GuardHit[] = [];
  const redactions: Redaction[] = [];
  const flags: string[] = [];
  const review = new Set<ReviewReason>();
  const add = (f: string): void => {
    if (!flags.includes(f)) flags.push(f);
  };
  let all = '';
  for (const [key, body] of Object.entries(sections)) {
    if (typeof body !== 'string') continue;
    const g = guardOutput(body, lang);
    out[key] = g.text;
    all += `${body}\n`;
    hits.push(...g.hits);
    redactions.push(...g.redactions);
    for (const r of g.redactions) add(`OUTPUT_PII:${r.type}`);
    if (g.redactions.length > 0) review.add('personal-data');
    if (g.markup.length > 0) {
      add('OUTPUT_MARKUP');
      review.add('markup');
    }
  }
  for (const h of hits) add(h.flag);
  if (hits.some((h) => h.flag === 'THIRD_PARTY_NAME')) review.add('personal-data');
  if (hits.some((h) => h.action === 'BLOCK')) review.add('blocked-terms');
  if (hits.some((h) => h.action === 'ESCALATE')) review.add('escalation');
  if (isLanguageMismatch(all, lang)) {
    add('LANGUAGE_MISMATCH');
    review.add('language-mismatch');
  }
  if (escalations.length > 0) {
    review.add('escalation');
    const line = escalationLine(lang, escalations);
    const keys = template.sections.map((s) => s.key).filter((k) => out[k] !== undefined);
    const last = keys[keys.length - 1] ?? template.sections[template.sections.length - 1]?.key;
    if (keys.length > 0 && last !== undefined && !(out[last] ?? '').includes(line)) out[last] = out[last] ? `${out[last]}\n${line}` : line;
  }
  return { sections: out, hits, redactions, flags, review: [...review] };
}

