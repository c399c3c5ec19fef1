/**
 * The dataset report an admin reads before training: what was built (or why not), every problem by row, the
 * suspected label inconsistencies, and the data card.
 */
import type { BuildResult, DatasetIssue } from './build';

/** Text safe inside a Markdown table cell (the eval report uses it too). */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function issueTable(issues: readonly DatasetIssue[]): string[] {
  if (issues.length === 0) return ['None.', ''];
  return ['| row | check | problem |', '| --- | --- | --- |', ...issues.map((i) => `| ${i.rows[0] ?? ''} | ${i.code} | ${cell(i.message)} |`), ''];
}

/** Markdown report of a build. `paths` are the files written (omitted when nothing was written). */
export function renderReport(result: BuildResult, paths?: { train: string; validation: string; card: string }): string {
  const { card } = result;
  const errors = result.issues.filter((i) => i.severity === 'error');
  const consistency = result.issues.filter((i) => i.severity === 'warning' && (i.code.startsWith('same-') || i.code === 'inconsistent-labels'));
  const otherWarnings = result.issues.filter((i) => i.severity === 'warning' && !consistency.includes(i));
  const lines: string[] = [
    `# Dataset report: ${card.template.name} (${card.template.id}@${card.template.language} v${card.template.version})`,
    '',
    result.built
      ? `**Built** ${card.counts.train} training and ${card.counts.validation} validation examples from ${card.counts.valid} of ${card.counts.rows} rows` +
        (card.counts.withErrors > 0 ? ` (${card.counts.withErrors} rows with errors skipped with --skip-invalid).` : '.')
      : `**Not built:** ${result.refusal ?? 'errors'}.`,
    '',
    '| | |',
    '| --- | --- |',
    `| input | ${card.input ? `${cell(card.input.name)} (${card.input.format}, sha256 \`${card.input.sha256.slice(0, 16)}…\`)` : '—'} |`,
    `| rows read | ${card.counts.rows} |`,
    `| valid rows | ${card.counts.valid} |`,
    `| rows with errors | ${card.counts.withErrors} |`,
    `| warnings | ${card.counts.warnings} |`,
    `| train / validation | ${card.counts.train} / ${card.counts.validation} (seed ${card.split.seed}, ${Math.round(card.split.validationFraction * 100)}% held out) |`,
    `| source kinds | ${Object.entries(card.counts.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || '—'} |`,
    `| personal data removed from inputs | ${Object.entries(card.counts.redactedInInputs).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'} |`,
    `| protected content withheld from prompts | ${Object.entries(card.counts.withheldInInputs).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'} |`,
    '',
  ];
  if (result.built && card.counts.valid < 50) {
    lines.push(`> Only ${card.counts.valid} examples: 50–500 approved records is the useful range; expect a weak fine-tune below it.`, '');
  }
  lines.push(`## Errors (${errors.length})`, '', ...issueTable(errors));
  lines.push(`## Possible label inconsistencies (${consistency.length})`, '', ...issueTable(consistency));
  lines.push(`## Other warnings (${otherWarnings.length})`, '', ...issueTable(otherWarnings));
  lines.push(
    '## Data card',
    '',
    'Every example is rendered by the pipeline\'s own prompt code and system prompt (redact → withhold protected content → normalise → render); ' +
      'the answer is the record in the contract\'s canonical form.',
    '',
    '```json',
    JSON.stringify(card, null, 2),
    '```',
    '',
  );
  if (paths) lines.push('## Files', '', `- training: \`${paths.train}\``, `- validation: \`${paths.validation}\``, `- data card: \`${paths.card}\``, '');
  return lines.join('\n');
}
