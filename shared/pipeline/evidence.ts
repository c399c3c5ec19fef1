/**
 * What the model is allowed to see. The source as read is redacted (personal data), then everything that must
 * never serve as evidence is withheld: sentences that use a protected trait (BLOCK hits: health, pregnancy,
 * maternity leave, region, age …) and third parties' names. Escalations stay: the model needs to see them to
 * write "已标记并建议转交核实" instead of a summary. Table rows lose a whole cell when it carries a protected trait.
 *
 * The same function feeds inference (generate) and fine-tuning data (buildMessages), so a trained model sees
 * exactly what it will see in Word.
 */
import { guardText, redact, scanTerms, type GuardHit, type GuardLanguage } from '../guard';
import type { PromptSource } from '../prompt';
import { normaliseSource, recordToText, renderTurns, splitSentences, type NormalisedSource, type Turn } from '../source';
import type { Template } from '../templates/schema';
import type { PipelineSource, Withheld } from './types';

/** The guard's language for a template (placeholders, messages). */
export function guardLanguage(template: Template): GuardLanguage {
  return template.language.startsWith('zh') ? 'zh' : 'en';
}

const PLACEHOLDER: Record<GuardLanguage, { protected: string; name: string }> = {
  zh: { protected: '[此处涉及个人敏感信息,已略去]', name: '[姓名已隐去]' },
  en: { protected: '[sensitive personal information removed]', name: '[name removed]' },
};

/** A hit that keeps its text out of the prompt: protected traits (BLOCK) and people's names. */
function withholds(hit: GuardHit): 'sentence' | 'name' | undefined {
  if (hit.action === 'BLOCK') return 'sentence';
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
function cleanTurnText(text: string, lang: GuardLanguage): { text: string; reasons: string[] } | undefined {
  const hits = scanTerms(text, { language: lang });
  const acting = hits.filter((h) => withholds(h) !== undefined);
  if (acting.length === 0) return undefined;
  const reasons = [...new Set(acting.map((h) => h.flag))];
  const blocks = acting.filter((h) => withholds(h) === 'sentence');
  const names = acting.filter((h) => withholds(h) === 'name');
  // Sentences that overlap a BLOCK hit go; the others stay, with names replaced.
  const kept: string[] = [];
  let offset = 0;
  let dropped = false;
  for (const sentence of splitSentences(text)) {
    const start = offset;
    const end = offset + sentence.length;
    offset = end;
    if (blocks.some((h) => h.start < end && h.end > start)) {
      dropped = true;
      continue;
    }
    const local = names.filter((h) => h.start >= start && h.end <= end).map((h) => ({ ...h, start: h.start - start, end: h.end - start }));
    kept.push(replaceNames(sentence, local, PLACEHOLDER[lang].name));
  }
  let out = kept.join('').trim();
  if (dropped) out = out === '' ? PLACEHOLDER[lang].protected : `${out} ${PLACEHOLDER[lang].protected}`;
  // Belt and braces: if anything withheld survived (a hit spanning odd boundaries), the whole turn goes.
  if (scanTerms(out, { language: lang }).some((h) => withholds(h) !== undefined)) out = PLACEHOLDER[lang].protected;
  return { text: out, reasons };
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
  /** What was withheld and why. */
  withheld: Withheld[];
  /** Result of the guard over the whole source as read (redactions, hits on the redacted text, flags). */
  guard: ReturnType<typeof guardText>;
}

/** The text of a source as read (a table row as `字段: 值` lines in header order). */
export function sourceTextOf(source: PipelineSource): string {
  return source.kind === 'table-row' ? recordToText({ fields: source.fields }, source.header) : source.text;
}

/** Builds the evidence for `source` under `template`. Never throws on any input. */
export function prepareEvidence(template: Template, source: PipelineSource): Evidence {
  const lang = guardLanguage(template);
  const sourceText = sourceTextOf(source);
  const guard = guardText(sourceText, { language: lang });
  const withheld: Withheld[] = [];

  if (source.kind === 'table-row') {
    const fields: Record<string, string> = {};
    for (const name of [...source.header, ...Object.keys(source.fields).filter((n) => !source.header.includes(n))]) {
      if (!Object.hasOwn(source.fields, name) || Object.hasOwn(fields, name)) continue;
      // Redaction only: the cell is scanned below, with its field name.
      const value = redact(source.fields[name] ?? '', { language: lang }).text;
      // The field name counts too: a column called 婚育状况 is protected whatever it holds.
      const lineHits = scanTerms(`${name}: ${value}`, { language: lang });
      const blocks = lineHits.filter((h) => withholds(h) === 'sentence');
      if (blocks.length > 0) {
        withheld.push({ where: name, reasons: [...new Set(blocks.map((h) => h.flag))] });
        continue;
      }
      const names = scanTerms(value, { language: lang }).filter((h) => withholds(h) === 'name');
      if (names.length > 0) withheld.push({ where: name, reasons: ['THIRD_PARTY_NAME'] });
      fields[name] = replaceNames(value, names, PLACEHOLDER[lang].name);
    }
    const header = source.header.filter((n) => Object.hasOwn(fields, n));
    const text = recordToText({ fields }, header);
    return {
      sourceText,
      promptSource: { kind: 'table-row', text },
      normalised: normaliseSource(text, 'notes'),
      fields,
      withheld,
      guard,
    };
  }

  const base = normaliseSource(guard.redacted.text, source.kind);
  const turns: Turn[] = base.turns.map((turn) => {
    const cleaned = cleanTurnText(turn.text, lang);
    if (!cleaned) return turn;
    withheld.push({ where: turn.id, reasons: cleaned.reasons });
    return { ...turn, text: cleaned.text };
  });
  const text = renderTurns(turns);
  // `input` is dropped: offsets refer to the redacted text, which the withheld turns no longer match.
  const normalised: NormalisedSource = { kind: base.kind, turns, text };
  return { sourceText, promptSource: { kind: source.kind, text }, normalised, withheld, guard };
}
