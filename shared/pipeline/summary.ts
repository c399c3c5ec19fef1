/**
 * Summaries of many inputs: a column of survey answers, pasted answers, several exit records. The result is
 * themes with counts and one or two representative, redacted quotes each.
 *
 * The model never counts. In passes that each fit the context window it (1) proposes themes from an evenly
 * spaced sample (skipped when the company gives its own theme list), (2) labels every item with one theme code,
 * the grammar forcing exactly one valid code per item in order. Code then counts the labels, computes shares
 * and picks the quotes. Every item is redacted before any prompt exists; items that raise an allegation are
 * kept out of the model and the quotes and only counted as referred; items with protected traits or names
 * are labelled from their remaining sentences and never quoted.
 */
import type { GenerateRequest, GenerationUsage, LlmEngine } from '../engine/port';
import { estimateChatTokens } from '../engine/tokens';
import { guardText, scanTerms, type GuardLanguage } from '../guard';
import { discoveryGrammar, labellingGrammar, labellingMaxTokens } from '../output/summary-grammar';
import { renderLabelling, renderThemeDiscovery, renderThemeMerge, summaryLang, type SummaryTheme } from '../prompt/summary';
import { splitSentences } from '../source';
import { FALLBACK_CONTEXT_WINDOW } from './generate';

export type { SummaryTheme } from '../prompt/summary';

/** The code every theme list ends with: items that fit no theme. */
export const OTHER = 'OTHER';
/** Most items labelled in one request (small models lose their place in longer lists). */
export const MAX_BATCH_ITEMS = 40;
/** Items shown to theme discovery (an evenly spaced sample). */
export const DISCOVERY_SAMPLE = 120;
/** Characters of one item the model sees (long answers are cut; their quote is cut too). */
const ITEM_MAX_CHARS = 300;
const QUOTE_MAX_CHARS = 80;
const SAFETY_TOKENS = 32;
const DISCOVERY_MAX_TOKENS = 160;

/** What to summarise. */
export interface SummaryInput {
  /** The items (answers or records) as read, one per entry. Empty entries are skipped. */
  items: readonly string[];
  engine: LlmEngine;
  /** BCP 47 language of the summary (prompts, labels, the inserted text). */
  language: string;
  /** The company's own themes (e.g. the exit-reason taxonomy); when absent, themes are found in the items. */
  themes?: readonly SummaryTheme[];
  /** At most this many themes are found (default 8, plus OTHER). */
  maxThemes?: number;
  signal?: AbortSignal;
  /** Progress: which pass, how many requests of it are done and how many there are. */
  onProgress?: (p: SummaryProgress) => void;
  seed?: number;
}

export interface SummaryProgress {
  pass: 'discover' | 'merge' | 'label';
  done: number;
  total: number;
}

/** One theme of the result. */
export interface ThemeCount extends SummaryTheme {
  /** Items labelled with this theme (counted by code from the per-item labels). */
  count: number;
  /** `count` / items labelled, 0–1. */
  share: number;
  /** One or two representative items, redacted, never one with a protected trait, a name or an allegation. */
  quotes: string[];
}

/** What a summary produced. */
export interface SummaryResult {
  language: string;
  /** Non-empty items read. */
  total: number;
  /** Items the model labelled (total minus referred). */
  labelled: number;
  /** Items that raise an allegation: kept out of the model and the quotes, counted only. */
  referred: number;
  /** Themes by count, largest first; themes with no items are left out. */
  themes: ThemeCount[];
  /** The theme code of each non-empty item, in input order (`null` for referred ones): what the counts rest on. */
  labels: Array<string | null>;
  /** Whether the themes were found in the items (false: the company's list was used). */
  discovered: boolean;
  /** Engine requests made, per pass. */
  requests: { discover: number; merge: number; label: number };
  usage: { promptTokens: number; completionTokens: number };
  /** Set when the writer cancelled (the result is then incomplete and must not be inserted). */
  aborted: boolean;
}

interface PreparedItem {
  /** Index among the non-empty items. */
  index: number;
  /** What the model sees: redacted, protected-trait sentences and names removed, cut to ITEM_MAX_CHARS. */
  text: string;
  /** Quotable (redacted, no hits at all, not cut), or undefined. */
  quote?: string;
  referred: boolean;
}

function langOf(language: string): GuardLanguage {
  return summaryLang(language);
}

/** Redacts an item and decides what the model may see of it and whether it may be quoted. */
export function prepareItem(raw: string, index: number, language: string): PreparedItem {
  const lang = langOf(language);
  const guard = guardText(raw.replace(/\s+/g, ' ').trim(), { language: lang });
  const text = guard.redacted.text;
  if (guard.hits.some((h) => h.action === 'ESCALATE')) return { index, text: '', referred: true };
  const withheld = guard.hits.filter((h) => h.action === 'BLOCK' || h.flag === 'THIRD_PARTY_NAME' || h.category === 'THIRD_PARTY_NAME');
  let seen = text;
  if (withheld.length > 0) {
    let at = 0;
    seen = splitSentences(text)
      .filter((s) => {
        const start = at;
        at += s.length;
        return !withheld.some((h) => h.start < at && h.end > start);
      })
      .join('')
      .trim();
    // Anything withheld that survived sentence boundaries takes the whole item out.
    if (scanTerms(seen, { language: lang }).some((h) => h.action === 'BLOCK' || h.flag === 'THIRD_PARTY_NAME')) seen = '';
  }
  const cut = Array.from(seen);
  const shown = cut.length > ITEM_MAX_CHARS ? `${cut.slice(0, ITEM_MAX_CHARS).join('')}…` : seen;
  const quotable = guard.hits.length === 0 && cut.length > 0;
  return { index, text: shown, referred: false, ...(quotable ? { quote: shown } : {}) };
}

interface Counter {
  requests: { discover: number; merge: number; label: number };
  usage: { promptTokens: number; completionTokens: number };
}

async function ask(
  engine: LlmEngine,
  request: GenerateRequest,
  pass: keyof Counter['requests'],
  counter: Counter,
): Promise<{ text: string; aborted: boolean }> {
  counter.requests[pass] += 1;
  let text = '';
  let usage: GenerationUsage | undefined;
  let finish: 'stop' | 'length' | 'abort' = 'stop';
  for await (const chunk of engine.generate(request)) {
    if (chunk.type === 'text') text += chunk.text;
    else {
      usage = chunk.usage;
      finish = chunk.finishReason;
    }
  }
  if (usage) {
    counter.usage.promptTokens += usage.promptTokens;
    counter.usage.completionTokens += usage.completionTokens;
  }
  return { text, aborted: finish === 'abort' || request.signal?.aborted === true };
}

/** Reads `CODE|label` lines; invalid lines are skipped. */
export function parseThemes(text: string): SummaryTheme[] {
  const out: SummaryTheme[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z][A-Z_]{0,23})\s*\|\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    const code = m[1]!;
    const label = Array.from(m[2]!.replace(/\s*\(\d+\)$/, '')).slice(0, 24).join('');
    if (!out.some((t) => t.code === code)) out.push({ code, label });
  }
  return out;
}

/** Reads `n=CODE` lines into labels by 0-based position; unknown codes and missing lines stay undefined. */
export function parseLabels(text: string, count: number, codes: ReadonlySet<string>): Array<string | undefined> {
  const labels: Array<string | undefined> = Array.from({ length: count }, () => undefined);
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s*=\s*([A-Z_]+)\s*$/.exec(line);
    if (!m) continue;
    const i = Number(m[1]) - 1;
    if (i >= 0 && i < count && codes.has(m[2]!) && labels[i] === undefined) labels[i] = m[2]!;
  }
  return labels;
}

/** Cuts `items` into consecutive batches whose prompt and answer fit `window`. */
function batches<T>(items: readonly T[], fits: (batch: readonly T[]) => boolean, maxItems: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  for (const item of items) {
    const next = [...current, item];
    if (current.length > 0 && (next.length > maxItems || !fits(next))) {
      out.push(current);
      current = [item];
    } else current = next;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function otherTheme(language: string): SummaryTheme {
  return { code: OTHER, label: summaryLang(language) === 'zh' ? '其他' : 'Other' };
}

/** Evenly spaced sample of at most `n` items (deterministic). */
function sample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/** Up to two quotes for a theme: the quotable items closest to the theme's median length, distinct. */
function pickQuotes(items: readonly PreparedItem[]): string[] {
  const quotable = items.filter((i) => i.quote !== undefined);
  if (quotable.length === 0) return [];
  const lengths = quotable.map((i) => Array.from(i.quote!).length).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)]!;
  const ranked = [...quotable].sort((a, b) => Math.abs(Array.from(a.quote!).length - median) - Math.abs(Array.from(b.quote!).length - median) || a.index - b.index);
  const out: string[] = [];
  for (const i of ranked) {
    const cps = Array.from(i.quote!);
    const q = cps.length > QUOTE_MAX_CHARS ? `${cps.slice(0, QUOTE_MAX_CHARS).join('')}…` : i.quote!;
    if (!out.includes(q)) out.push(q);
    if (out.length === 2) break;
  }
  return out;
}

/** Runs the summary; see the module comment. Engine errors other than a cancel reject with the engine's error. */
export async function summarise(input: SummaryInput): Promise<SummaryResult> {
  const { engine, language, signal } = input;
  const maxThemes = input.maxThemes ?? 8;
  const window = engine.contextWindow() ?? FALLBACK_CONTEXT_WINDOW;
  const seed = input.seed ?? 20240611;
  const counter: Counter = { requests: { discover: 0, merge: 0, label: 0 }, usage: { promptTokens: 0, completionTokens: 0 } };
  const prepared = input.items
    .map((raw) => raw.trim())
    .filter((raw) => raw !== '')
    .map((raw, index) => prepareItem(raw, index, language));
  const usable = prepared.filter((p) => !p.referred && p.text !== '');
  const base = (request: Omit<GenerateRequest, 'temperature' | 'seed' | 'signal'>): GenerateRequest => ({
    ...request,
    temperature: 0,
    seed,
    ...(signal ? { signal } : {}),
  });
  const fitsWindow = (messages: Parameters<typeof estimateChatTokens>[0], maxTokens: number): boolean =>
    estimateChatTokens(messages) + maxTokens + SAFETY_TOKENS <= window;

  let aborted = false;
  let themes: SummaryTheme[];
  const discovered = input.themes === undefined || input.themes.length === 0;
  if (!discovered) {
    themes = [...input.themes!];
  } else {
    // Pass 1: themes from an evenly spaced sample, batch by batch.
    const picked = sample(usable, DISCOVERY_SAMPLE).map((p) => p.text);
    const parts = batches(picked, (b) => fitsWindow(renderThemeDiscovery(language, b, maxThemes), DISCOVERY_MAX_TOKENS), MAX_BATCH_ITEMS * 2);
    const proposals = new Map<string, SummaryTheme & { batches: number }>();
    for (const [i, part] of parts.entries()) {
      input.onProgress?.({ pass: 'discover', done: i, total: parts.length });
      const r = await ask(
        engine,
        base({ messages: renderThemeDiscovery(language, part, maxThemes), maxTokens: DISCOVERY_MAX_TOKENS, responseFormat: { type: 'grammar', grammar: discoveryGrammar(maxThemes) } }),
        'discover',
        counter,
      );
      if (r.aborted) {
        aborted = true;
        break;
      }
      for (const t of parseThemes(r.text)) {
        const seen = proposals.get(t.code);
        proposals.set(t.code, seen ? { ...seen, batches: seen.batches + 1 } : { ...t, batches: 1 });
      }
    }
    themes = [...proposals.values()].filter((t) => t.code !== OTHER).map(({ code, label }) => ({ code, label }));
    // Pass 1b: several batches' themes are merged by the model when there are more than asked for.
    if (!aborted && themes.length > maxThemes) {
      input.onProgress?.({ pass: 'merge', done: 0, total: 1 });
      const list = [...proposals.values()].filter((t) => t.code !== OTHER).sort((a, b) => b.batches - a.batches);
      const r = await ask(
        engine,
        base({ messages: renderThemeMerge(language, list, maxThemes), maxTokens: DISCOVERY_MAX_TOKENS, responseFormat: { type: 'grammar', grammar: discoveryGrammar(maxThemes) } }),
        'merge',
        counter,
      );
      if (r.aborted) aborted = true;
      const merged = parseThemes(r.text).filter((t) => t.code !== OTHER);
      // If the merge said nothing usable, keep the themes most batches found.
      themes = (merged.length > 0 ? merged : list).slice(0, maxThemes).map(({ code, label }) => ({ code, label }));
    }
  }
  if (!themes.some((t) => t.code === OTHER)) themes.push(otherTheme(language));
  const codes = new Set(themes.map((t) => t.code));
  const codeList = themes.map((t) => t.code);

  // Pass 2: every item gets one label; the grammar allows exactly one valid code per numbered line.
  const labels = new Map<number, string>();
  const labelBatch = async (batch: readonly PreparedItem[]): Promise<boolean> => {
    const texts = batch.map((p) => p.text);
    const r = await ask(
      engine,
      base({
        messages: renderLabelling(language, themes, texts),
        maxTokens: labellingMaxTokens(codeList, batch.length),
        responseFormat: { type: 'grammar', grammar: labellingGrammar(codeList, batch.length) },
      }),
      'label',
      counter,
    );
    if (r.aborted) return false;
    parseLabels(r.text, batch.length, codes).forEach((code, i) => {
      if (code !== undefined) labels.set(batch[i]!.index, code);
    });
    return true;
  };
  if (!aborted) {
    const fitsLabel = (b: readonly PreparedItem[]): boolean =>
      fitsWindow(renderLabelling(language, themes, b.map((p) => p.text)), labellingMaxTokens(codeList, b.length));
    const parts = batches(usable, fitsLabel, MAX_BATCH_ITEMS);
    for (const [i, part] of parts.entries()) {
      input.onProgress?.({ pass: 'label', done: i, total: parts.length });
      if (!(await labelBatch(part))) {
        aborted = true;
        break;
      }
    }
    // An engine without grammar support may skip lines: those items are asked once more, then counted as OTHER.
    const missing = usable.filter((p) => !labels.has(p.index));
    if (!aborted && missing.length > 0) {
      for (const part of batches(missing, fitsLabel, MAX_BATCH_ITEMS)) {
        if (!(await labelBatch(part))) {
          aborted = true;
          break;
        }
      }
    }
    input.onProgress?.({ pass: 'label', done: parts.length, total: parts.length });
  }

  // Counting is code's job: from the per-item labels only.
  const perItem: Array<string | null> = prepared.map((p) => (p.referred ? null : (labels.get(p.index) ?? OTHER)));
  const labelled = perItem.filter((l) => l !== null).length;
  const counts = themes
    .map((t) => {
      const members = prepared.filter((p, i) => perItem[i] === t.code);
      return { ...t, count: members.length, share: labelled === 0 ? 0 : members.length / labelled, quotes: pickQuotes(members) };
    })
    .filter((t) => t.count > 0)
    // Largest first; OTHER last among equals so a named theme leads.
    .sort((a, b) => b.count - a.count || Number(a.code === OTHER) - Number(b.code === OTHER) || codeList.indexOf(a.code) - codeList.indexOf(b.code));
  return {
    language,
    total: prepared.length,
    labelled,
    referred: prepared.filter((p) => p.referred).length,
    themes: counts,
    labels: perItem,
    discovered,
    requests: counter.requests,
    usage: counter.usage,
    aborted,
  };
}
