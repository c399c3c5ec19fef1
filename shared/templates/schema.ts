/**
 * The template schema: what a document template (a JSON file) may say. Templates are data, so a company can
 * add or replace one without touching code; everything that depends on a template (prompt, output contract,
 * parser, insertion styles) is derived from what is declared here.
 */
import { z } from 'zod';

/** Where a template's input may come from. */
export const SourceKindSchema = z.enum(['transcript', 'notes', 'table-row']);
export type SourceKind = z.infer<typeof SourceKindSchema>;

/** Word built-in paragraph styles a template may ask for (Word.BuiltInStyleName values). */
export const HeadingStyleSchema = z.enum(['Heading1', 'Heading2', 'Heading3', 'Heading4', 'Normal', 'Strong', 'Title', 'Subtitle']);
export type HeadingStyle = z.infer<typeof HeadingStyleSchema>;

/** One headed prose section of the record, in output order. */
export const SectionSchema = z.strictObject({
  /** Stable machine key, e.g. `reasons`; used in exports and the structured fields. */
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case ASCII key such as "reasons"'),
  /** The literal heading line the model writes and Word shows, e.g. `【离职原因】`. */
  heading: z.string().min(1).max(40).refine((h) => !/[\r\n]/.test(h), 'a heading is one line'),
  /** What the model should write in this section (one or two short sentences). */
  guidance: z.string().min(1).max(400),
  required: z.boolean().default(true),
  /** Upper limit of this section's body, counted in characters (code points). */
  maxChars: z.number().int().positive().max(5000),
  /** What to write when the source says nothing for this section (e.g. `员工未提出具体建议。`). */
  emptyText: z.string().max(100).optional(),
});
export type Section = z.infer<typeof SectionSchema>;

/**
 * A structured field type: a small, closed vocabulary that compiles to both JSON Schema and an EBNF grammar
 * (shared/output). `enum` values come either inline or from one of the template's taxonomies, so a company
 * that replaces its reason-code list changes data in one place.
 */
export type FieldType =
  | { type: 'string'; maxChars?: number | undefined; nullable?: boolean | undefined; description?: string | undefined }
  | { type: 'boolean'; nullable?: boolean | undefined; description?: string | undefined }
  | { type: 'number'; min?: number | undefined; max?: number | undefined; nullable?: boolean | undefined; description?: string | undefined }
  | { type: 'integer'; min?: number | undefined; max?: number | undefined; nullable?: boolean | undefined; description?: string | undefined }
  | { type: 'enum'; values?: Array<string | number> | undefined; taxonomy?: string | undefined; nullable?: boolean | undefined; description?: string | undefined }
  /** Confidence 0–1: sugar for a number in [0, 1]. */
  | { type: 'confidence'; description?: string | undefined }
  /** Where a conclusion comes from: turn ids (`T3`, `N2`) or table field names. */
  | { type: 'sources'; description?: string | undefined }
  | { type: 'array'; items: FieldType; minItems?: number | undefined; maxItems?: number | undefined; description?: string | undefined }
  | {
      type: 'object';
      properties: Record<string, FieldType>;
      required?: string[] | undefined;
      nullable?: boolean | undefined;
      description?: string | undefined;
    };

const description = z.string().max(300).optional();
export const FieldTypeSchema: z.ZodType<FieldType> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('string'), maxChars: z.number().int().positive().optional(), nullable: z.boolean().optional(), description }),
    z.strictObject({ type: z.literal('boolean'), nullable: z.boolean().optional(), description }),
    z.strictObject({ type: z.literal('number'), min: z.number().optional(), max: z.number().optional(), nullable: z.boolean().optional(), description }),
    z.strictObject({ type: z.literal('integer'), min: z.number().int().optional(), max: z.number().int().optional(), nullable: z.boolean().optional(), description }),
    z
      .strictObject({
        type: z.literal('enum'),
        values: z.array(z.union([z.string(), z.number()])).min(1).optional(),
        taxonomy: z.string().optional(),
        nullable: z.boolean().optional(),
        description,
      })
      .refine((e) => (e.values === undefined) !== (e.taxonomy === undefined), 'an enum needs exactly one of "values" or "taxonomy"'),
    z.strictObject({ type: z.literal('confidence'), description }),
    z.strictObject({ type: z.literal('sources'), description }),
    z.strictObject({
      type: z.literal('array'),
      items: FieldTypeSchema,
      minItems: z.number().int().nonnegative().optional(),
      maxItems: z.number().int().positive().optional(),
      description,
    }),
    z.strictObject({
      type: z.literal('object'),
      properties: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case ASCII property name'), FieldTypeSchema),
      required: z.array(z.string()).optional(),
      nullable: z.boolean().optional(),
      description,
    }),
  ]),
);

/** One entry of a company-replaceable list (reason codes, nine-box cells, readiness buckets, flags). */
export const TaxonomyEntrySchema = z.strictObject({
  code: z.union([z.string().min(1), z.number()]),
  label: z.string().min(1),
  description: z.string().optional(),
});
export type TaxonomyEntry = z.infer<typeof TaxonomyEntrySchema>;

/** The structured part of the output: a JSON object written after the prose sections. */
export const FieldsSchema = z.strictObject({
  /** The line that introduces the JSON object in the model's output, e.g. `【结构化信息】`. */
  heading: z.string().min(1).max(40),
  /** What the structured part is for, told to the model in one sentence. */
  guidance: z.string().min(1).max(600),
  schema: FieldTypeSchema,
});

export const ToneSchema = z.strictObject({
  formal: z.boolean(),
  objective: z.boolean(),
  /** Refer to the employee in the third person ("员工…" / "The employee…"). */
  thirdPerson: z.boolean(),
  /** Forbid emotional or judgemental wording. */
  noEmotionalWords: z.boolean(),
  /** Extra rules in the template's language, one short sentence each. */
  rules: z.array(z.string().min(1).max(200)).max(10).default([]),
});

/** A rating level on a nine-box axis. */
export const RatingLevelSchema = z.enum(['low', 'medium', 'high']);
export type RatingLevel = z.infer<typeof RatingLevelSchema>;

/**
 * A company's rating scale for one nine-box axis: the column it is found in and which rating values count as
 * low, medium and high. Values are compared case-insensitively, without spaces and without a trailing note in
 * brackets (`A (2024)`).
 */
export const RatingScaleSchema = z.strictObject({
  /** Column names the rating may be in, first match wins (`绩效`, `绩效等级`, `Performance`). */
  fields: z.array(z.string().min(1)).min(1),
  low: z.array(z.string().min(1)).min(1),
  medium: z.array(z.string().min(1)).min(1),
  high: z.array(z.string().min(1)).min(1),
  /**
   * How several periods in one cell (`B+/A`) combine: `lowest` (a box needs sustained results), or the
   * `first` / `last` one written.
   */
  combine: z.enum(['lowest', 'first', 'last']).default('lowest'),
});
export type RatingScale = z.infer<typeof RatingScaleSchema>;

const CellCode = z.union([z.string().min(1), z.number()]);
const CellRow = z.tuple([CellCode, CellCode, CellCode]);

/**
 * How a table row is placed on the nine-box grid: deterministically, from the row's performance and potential
 * ratings. The model explains the cell; it never chooses it (the pipeline writes the computed cell into the
 * structured fields whatever the model wrote).
 */
export const NineBoxMappingSchema = z.strictObject({
  /** The taxonomy holding the cell codes and the company's cell labels (e.g. `nineBox`). */
  taxonomy: z.string().min(1),
  /** The object in the structured fields that holds `cell` and `sources` (e.g. `nine_box`). */
  fieldsKey: z.string().regex(/^[a-z][a-z0-9_]*$/),
  performance: RatingScaleSchema,
  potential: RatingScaleSchema,
  /** Cell code per potential row; each row lists the cells for low, medium, high performance. */
  grid: z.strictObject({ high: CellRow, medium: CellRow, low: CellRow }),
  /** The line the model sees with the computed cell, as a field of the row (e.g. `九宫格(按公司规则计算)`). */
  promptField: z.string().min(1).max(40),
  /** What "not placed" is called (e.g. `暂不落格`). */
  notPlacedLabel: z.string().min(1).max(40),
});
export type NineBoxMapping = z.infer<typeof NineBoxMappingSchema>;

export const TemplateSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case id such as "exit-interview"'),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version such as "1.0.0"'),
    /** BCP 47 language of the record, e.g. `zh-CN` or `en`. */
    language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'BCP 47 tag such as "zh-CN" or "en"'),
    name: z.string().min(1).max(80),
    description: z.string().max(300).optional(),
    sources: z.array(SourceKindSchema).min(1),
    /** The role the model plays, one sentence (kept short: the system prompt is prefilled on every request). */
    role: z.string().min(1).max(300),
    sections: z.array(SectionSchema).min(1).max(12),
    headingStyle: HeadingStyleSchema.default('Heading3'),
    tone: ToneSchema,
    /** Upper limit of all section bodies together, in characters. */
    maxTotalChars: z.number().int().positive().max(20000),
    taxonomies: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), z.array(TaxonomyEntrySchema).min(1)).default({}),
    fields: FieldsSchema.optional(),
    /** Table fields a good record needs; missing ones are flagged as `MISSING:<field>` (table-row sources). */
    expectedFields: z.array(z.string().min(1)).default([]),
    /** Add Word comments with confidence and sources on the conclusions (hosts that support comments). */
    explain: z.boolean().default(false),
    /** Nine-box placement computed from the row's ratings (table-row templates). */
    nineBox: NineBoxMappingSchema.optional(),
    /**
     * A table row with fewer informative cells than this (empty or placeholder cells and withheld cells do not
     * count) is LOW_INFORMATION: no record is drafted for it. Default 3.
     */
    minRowFields: z.number().int().min(1).max(50).optional(),
  })
  .superRefine((t, ctx) => {
    const keys = new Set<string>();
    const headings = new Set<string>();
    t.sections.forEach((s, i) => {
      if (keys.has(s.key)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'key'], message: `duplicate section key "${s.key}"` });
      if (headings.has(s.heading)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'heading'], message: `duplicate heading "${s.heading}"` });
      keys.add(s.key);
      headings.add(s.heading);
    });
    const sectionChars = t.sections.reduce((n, s) => n + s.maxChars, 0);
    if (t.sections.some((s) => s.maxChars > t.maxTotalChars)) {
      ctx.addIssue({ code: 'custom', path: ['maxTotalChars'], message: `smaller than a section's maxChars (sections allow ${sectionChars} together)` });
    }
    if (t.fields) {
      if (headings.has(t.fields.heading)) ctx.addIssue({ code: 'custom', path: ['fields', 'heading'], message: 'must differ from every section heading' });
      checkTaxonomyRefs(t.fields.schema, t.taxonomies, ['fields', 'schema'], ctx);
    }
    if (t.nineBox) {
      const codes = new Set((t.taxonomies[t.nineBox.taxonomy] ?? []).map((e) => e.code));
      if (!(t.nineBox.taxonomy in t.taxonomies)) {
        ctx.addIssue({ code: 'custom', path: ['nineBox', 'taxonomy'], message: `unknown taxonomy "${t.nineBox.taxonomy}"` });
      } else {
        for (const row of ['high', 'medium', 'low'] as const) {
          t.nineBox.grid[row].forEach((c, i) => {
            if (!codes.has(c)) ctx.addIssue({ code: 'custom', path: ['nineBox', 'grid', row, i], message: `cell ${String(c)} is not a code of "${t.nineBox?.taxonomy}"` });
          });
        }
      }
      const holder = t.fields?.schema.type === 'object' ? t.fields.schema.properties[t.nineBox.fieldsKey] : undefined;
      if (holder?.type !== 'object' || !('cell' in holder.properties)) {
        ctx.addIssue({ code: 'custom', path: ['nineBox', 'fieldsKey'], message: `the fields need an object "${t.nineBox.fieldsKey}" with a "cell"` });
      }
    }
  });

function checkTaxonomyRefs(
  f: FieldType,
  taxonomies: Record<string, TaxonomyEntry[]>,
  path: Array<string | number>,
  ctx: z.RefinementCtx,
): void {
  if (f.type === 'enum' && f.taxonomy !== undefined && !(f.taxonomy in taxonomies)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'taxonomy'], message: `unknown taxonomy "${f.taxonomy}" (declared: ${Object.keys(taxonomies).join(', ') || 'none'})` });
  }
  if (f.type === 'array') checkTaxonomyRefs(f.items, taxonomies, [...path, 'items'], ctx);
  if (f.type === 'object') {
    for (const [name, sub] of Object.entries(f.properties)) checkTaxonomyRefs(sub, taxonomies, [...path, 'properties', name], ctx);
    for (const r of f.required ?? []) {
      if (!(r in f.properties)) ctx.addIssue({ code: 'custom', path: [...path, 'required'], message: `"${r}" is required but not declared in properties` });
    }
  }
}

/** A validated template, defaults applied. */
export type Template = z.infer<typeof TemplateSchema>;

/**
 * The JSON Schema of a template file (`template.schema.json`, referenced by each template's `$schema`), so an
 * editor can check and complete a company's own template as it is written. Cross-field rules (unique keys,
 * taxonomy references, limits) are only checked by {@link TemplateSchema} when the file is loaded.
 */
export function templateJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(TemplateSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Liuhen document template',
  };
}
