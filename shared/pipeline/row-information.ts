/**
 * Does a table row say enough to write a talent-review comment from? A row with a job title and nothing else
 * gets LOW_INFORMATION and no draft at all: a refusal the writer can see beats a confident comment made of
 * guesses. Empty and placeholder cells (`—`, `待评估`, `N/A`) and cells withheld as protected do not count.
 */
import { isMissingValue } from '../source';
import type { Template } from '../templates/schema';

/** Informative cells a row needs when the template does not say (`minRowFields`). */
export const DEFAULT_MIN_ROW_FIELDS = 3;

/** What {@link assessRow} found. */
export interface RowAssessment {
  low: boolean;
  /** Names of the cells that carry information, in row order. */
  informative: string[];
  /** How many the template asks for. */
  needed: number;
  /** Why no record is drafted, in the template's language (set when `low`). */
  message?: string;
}

/** Assesses the row the model would see (`fields` after withholding). */
export function assessRow(template: Template, fields: Record<string, string>): RowAssessment {
  const needed = template.minRowFields ?? DEFAULT_MIN_ROW_FIELDS;
  // The computed nine-box line is not information from the row.
  const informative = Object.keys(fields).filter((name) => name !== template.nineBox?.promptField && !isMissingValue(fields[name]));
  const low = informative.length < needed;
  if (!low) return { low, informative, needed };
  const have = informative.length === 0 ? '' : informative.join(template.language.startsWith('zh') ? '、' : ', ');
  const message = template.language.startsWith('zh')
    ? `信息不足,未起草评语:本行只有${informative.length}项有效数据${have ? `(${have})` : ''},至少需要${needed}项。请补充数据后再生成。`
    : `Too little information, no comment drafted: this row has ${informative.length} usable field${informative.length === 1 ? '' : 's'}${have ? ` (${have})` : ''}; at least ${needed} are needed. Add data and generate again.`;
  return { low, informative, needed, message };
}
