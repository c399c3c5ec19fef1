/**
 * Term data: categories (action, flag, messages, default rewrite), bilingual term lists and context patterns,
 * and name-detection data, all as JSON under ./terms. This module validates the data and compiles it into a
 * {@link TermSet}. A company can ship its own term files and build its own set with {@link parseTermSet}.
 */
import { z } from 'zod';
import { AhoCorasick } from './aho-corasick';
import { NameDataSchema, compileNames, type NameMatcher } from './names';
import type { GuardAction, GuardLanguage } from './types';
import categoriesJson from './terms/categories.json';
import zhJson from './terms/zh.json';
import enJson from './terms/en.json';
import namesJson from './terms/names.json';

const Localized = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const PartialLocalized = z.object({ zh: z.string().min(1).optional(), en: z.string().min(1).optional() });
const CategoryName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'category names are UPPER_SNAKE_CASE');

/** Shape of `terms/categories.json`. */
export const CategoriesFileSchema = z.object({
  categories: z.record(
    CategoryName,
    z.object({
      action: z.enum(['BLOCK', 'WARN', 'ESCALATE']),
      flag: z.string().min(1).optional(),
      message: Localized,
      rewrite: Localized.optional(),
      /** ESCALATE only: who should handle it (employee relations, compliance, legal), in both languages. */
      handler: Localized.optional(),
    }),
  ),
});

const TermEntry = z.union([
  z.string().min(1),
  z.object({
    term: z.string().min(1),
    rewrite: PartialLocalized.optional(),
    notAfter: z.array(z.string().min(1)).optional(),
    notBefore: z.array(z.string().min(1)).optional(),
    caseSensitive: z.boolean().optional(),
  }),
]);

/** Shape of a term file (`terms/zh.json`, `terms/en.json`). */
export const TermFileSchema = z.object({
  language: z.enum(['zh', 'en']),
  terms: z.array(z.object({ category: CategoryName, terms: z.array(TermEntry) })),
  patterns: z
    .array(
      z.object({
        category: CategoryName,
        reportedCategory: CategoryName.optional(),
        pattern: z.string().min(1),
        flags: z.enum(['', 'i']).optional(),
        rewrite: PartialLocalized.optional(),
      }),
    )
    .default([]),
});

/** A category as compiled: what a hit does and how it is explained. */
export interface CategoryInfo {
  action: GuardAction;
  flag: string;
  message: Record<GuardLanguage, string>;
  rewrite?: Record<GuardLanguage, string>;
  /** Who handles an escalation of this category. */
  handler?: Record<GuardLanguage, string>;
}

/** A literal term as compiled. */
export interface CompiledTerm {
  /** The term without a trailing `*`. */
  text: string;
  category: string;
  /** Trailing `*`: the match extends over the rest of the word (pregnan* → pregnancy). */
  prefix: boolean;
  caseSensitive: boolean;
  /** Skip when one of these ends within two characters before the match (爸妈年纪大). */
  notAfter: string[];
  /** Skip when one of these starts right after the match (男同事). */
  notBefore: string[];
  rewrite?: Partial<Record<GuardLanguage, string>>;
}

/** A context pattern as compiled. */
export interface CompiledPattern {
  category: string;
  /** Used instead of `category` when someone else is quoted or reported as saying it. */
  reportedCategory?: string;
  regex: RegExp;
  rewrite?: Partial<Record<GuardLanguage, string>>;
}

/** Everything {@link scanTerms} needs, compiled once. */
export interface TermSet {
  categories: ReadonlyMap<string, CategoryInfo>;
  terms: readonly CompiledTerm[];
  automaton: AhoCorasick;
  patterns: readonly CompiledPattern[];
  names: NameMatcher;
}

/** Raw JSON inputs of a term set. */
export interface TermSetSources {
  categories: unknown;
  termFiles: ReadonlyArray<{ file: string; json: unknown }>;
  names: unknown;
}

export type TermSetResult = { ok: true; termSet: TermSet } | { ok: false; problems: string[] };

function issues(file: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/**
 * Validates and compiles term data. Never throws: problems (schema errors, unknown categories, invalid regular
 * expressions, patterns that can match the empty string) are returned with the file and field they concern.
 */
export function parseTermSet(src: TermSetSources): TermSetResult {
  const problems: string[] = [];
  const cats = CategoriesFileSchema.safeParse(src.categories);
  if (!cats.success) problems.push(...issues('categories.json', cats.error));
  const names = NameDataSchema.safeParse(src.names);
  if (!names.success) problems.push(...issues('names.json', names.error));

  const categories = new Map<string, CategoryInfo>();
  if (cats.success) {
    for (const [name, c] of Object.entries(cats.data.categories)) {
      const info: CategoryInfo = { action: c.action, flag: c.flag ?? `${c.action}:${name}`, message: c.message };
      if (c.rewrite) info.rewrite = c.rewrite;
      if (c.handler) info.handler = c.handler;
      categories.set(name, info);
    }
  }
  const known = (file: string, where: string, cat: string): void => {
    if (cats.success && !categories.has(cat)) problems.push(`${file}: ${where}: unknown category ${cat}`);
  };

  const terms: CompiledTerm[] = [];
  const patterns: CompiledPattern[] = [];
  for (const { file, json } of src.termFiles) {
    const parsed = TermFileSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...issues(file, parsed.error));
      continue;
    }
    parsed.data.terms.forEach((list, li) => {
      known(file, `terms.${li}.category`, list.category);
      for (const entry of list.terms) {
        const e = typeof entry === 'string' ? { term: entry } : entry;
        const prefix = e.term.endsWith('*');
        const text = prefix ? e.term.slice(0, -1) : e.term;
        if (!text) {
          problems.push(`${file}: terms.${li}: "*" alone is not a term`);
          continue;
        }
        const t: CompiledTerm = {
          text,
          category: list.category,
          prefix,
          caseSensitive: e.caseSensitive ?? false,
          notAfter: e.notAfter ?? [],
          notBefore: e.notBefore ?? [],
        };
        if (e.rewrite) t.rewrite = e.rewrite;
        terms.push(t);
      }
    });
    parsed.data.patterns.forEach((p, pi) => {
      known(file, `patterns.${pi}.category`, p.category);
      if (p.reportedCategory) known(file, `patterns.${pi}.reportedCategory`, p.reportedCategory);
      let regex: RegExp;
      try {
        regex = new RegExp(p.pattern, `g${p.flags ?? ''}`);
      } catch (err) {
        problems.push(`${file}: patterns.${pi}.pattern: ${(err as Error).message}`);
        return;
      }
      if (new RegExp(`^(?:${p.pattern})$`, p.flags ?? '').test('')) {
        problems.push(`${file}: patterns.${pi}.pattern: matches the empty string`);
        return;
      }
      const c: CompiledPattern = { category: p.category, regex };
      if (p.reportedCategory) c.reportedCategory = p.reportedCategory;
      if (p.rewrite) c.rewrite = p.rewrite;
      patterns.push(c);
    });
  }
  if (problems.length > 0 || !names.success) return { ok: false, problems };
  return {
    ok: true,
    termSet: { categories, terms, automaton: new AhoCorasick(terms.map((t) => t.text)), patterns, names: compileNames(names.data) },
  };
}

function mustParse(src: TermSetSources): TermSet {
  const r = parseTermSet(src);
  if (!r.ok) throw new Error(`built-in guard term data is invalid: ${r.problems.join('; ')}`);
  return r.termSet;
}

/** The built-in term data (terms/*.json). */
export const BUILTIN_TERM_SOURCES: TermSetSources = {
  categories: categoriesJson,
  termFiles: [
    { file: 'zh.json', json: zhJson },
    { file: 'en.json', json: enJson },
  ],
  names: namesJson,
};

let builtin: TermSet | undefined;

/** The built-in term set, compiled on first use. */
export function builtinTermSet(): TermSet {
  builtin ??= mustParse(BUILTIN_TERM_SOURCES);
  return builtin;
}
