// @vitest-environment jsdom
/**
 * The pane's audit view over WordHost and the Word double: the chain verdict ("N records, chain intact", or the
 * first altered record), unreadable records reported, the writer's review per record with the verdicts recorded
 * in the trail, and the escalation export only on request, with its warning.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { TAG_PREFIX, WordHost } from '../../addin/word/word-host';
import type { InsertionPlan } from '../../shared/host/port';
import { exitFixtures, exitZh, talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { generate } from '../../shared/pipeline/generate';
import { buildPlan } from '../../shared/pipeline/plan';
import { AuditExport, EscalationExport } from '../../shared/ui/AuditExport';
import { STRINGS } from '../../shared/ui/i18n';
import { FakeEngine } from '../doubles/fake-engine';
import { WordMock } from '../doubles/office-mock';
import { installJsdomShims } from './jsdom-shims';

let mock: WordMock | undefined;
beforeEach(installJsdomShims);
afterEach(() => {
  cleanup();
  mock?.uninstall();
});

const rows = (talentJson.cases as unknown as Array<{ row: Record<string, string> }>).map((c) => c.row);
const outputs = talentFixtures().map((f) => f.text);

async function threeRecords(): Promise<{ host: WordHost; plans: InsertionPlan[]; mock: WordMock }> {
  mock = new WordMock({ wordApi: '1.6', body: ['盘点', '以上'], selection: { paragraphs: [0, 0] }, displayLanguage: 'en-US' }).install();
  const host = new WordHost();
  const sel = await host.readSelection();
  const plans: InsertionPlan[] = [];
  for (const i of [0, 1, 2]) {
    const fields = rows[i] as Record<string, string>;
    const r = await generate({ template: talentZh, source: { kind: 'table-row', fields, header: Object.keys(fields), rowIndex: i + 1 }, engine: new FakeEngine({ outputs: [outputs[i] ?? ''] }), modelId: 'm' });
    plans.push(buildPlan(r, talentZh, { kind: 'after-anchor', anchor: sel.anchor }));
  }
  await host.apply(plans);
  return { host, plans, mock };
}

function view(host: WordHost, saved: Array<{ name: string; content: string }> = []) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <AuditExport host={host} strings={STRINGS.en} locale="en" version={0} templates={[talentZh]} saveFile={(name, _mime, content) => Promise.resolve(void saved.push({ name, content }))} />
    </FluentProvider>,
  );
}

describe('audit view', () => {
  it('"3 records, chain intact"; review: accepted, edited (with the change count), rejected — recorded in the trail; approved export', async () => {
    const { host, plans, mock } = await threeRecords();
    const saved: Array<{ name: string; content: string }> = [];
    view(host, saved);
    await waitFor(() => expect(screen.getByTestId('audit-chain').textContent).toBe('3 records, chain intact'));
    const [a, b, c] = plans.map((p) => `${TAG_PREFIX}${p.auditId}`) as [string, string, string];
    mock.accept(a);
    mock.accept(b);
    mock.edit(b, 1, '核心骨干', '核心骨干成员');
    mock.reject(c);
    fireEvent.click(screen.getByTestId('audit-review'));
    await waitFor(() => expect(screen.getAllByTestId('review-item').map((li) => li.getAttribute('data-verdict'))).toEqual(['accepted', 'edited', 'rejected']));
    expect(screen.getAllByTestId('review-item')[1]?.textContent).toContain('edited after insertion · 2 character(s) changed');
    await waitFor(() => expect(screen.getByTestId('audit-note').textContent).toBe('3 review change(s) recorded in the trail.'));
    const trail = await host.readAudit();
    expect(trail.filter((r) => r.event === 'reviewed').map((r) => [r.ref, r.verdict, r.changeCount])).toEqual([
      [plans[0]?.auditId, 'accepted', undefined],
      [plans[1]?.auditId, 'edited', 2],
      [plans[2]?.auditId, 'rejected', undefined],
    ]);
    await waitFor(() => expect(screen.getByTestId('audit-chain').textContent).toBe('6 records, chain intact'));
    // A second check records nothing new.
    fireEvent.click(screen.getByTestId('audit-review'));
    await waitFor(() => expect(screen.getByTestId('audit-note').textContent).toBe('No review changes since the last check.'));
    fireEvent.click(screen.getByTestId('audit-approved'));
    await waitFor(() => expect(saved.map((s) => s.name)).toEqual([expect.stringMatching(/^liuhen-approved-.*\.jsonl$/)]));
    expect(saved[0]?.content.trim().split('\n')).toHaveLength(2);
  });

  it('a tampered document: the first altered record is named; an unreadable record is reported', async () => {
    const { host, mock, plans } = await threeRecords();
    const part = mock.parts[0] as { xml: string };
    // Someone edits the first record's model id in the document's XML.
    part.xml = part.xml.replace('&quot;modelId&quot;:&quot;m&quot;', '&quot;modelId&quot;:&quot;x&quot;');
    view(host);
    await waitFor(() => expect(screen.getByTestId('audit-chain').textContent).toBe(`3 records; chain broken at record 1 (${plans[0]?.auditId.slice(0, 8)}): altered after it was written`));
    cleanup();
    part.xml = part.xml.replace(/(<record>[^<]*<\/record><record>)[^<]*(<\/record>)/, '$1{damaged$2');
    view(host);
    await waitFor(() => expect(screen.getByTestId('audit-unreadable').textContent).toContain('Could not read record(s) 2'));
  });

  it('without WordApi 1.6 the view says what it cannot know', async () => {
    mock = new WordMock({ wordApi: '1.4', body: ['x'], selection: { paragraphs: [0, 0] }, displayLanguage: 'en-US' }).install();
    const host = new WordHost();
    const sel = await host.readSelection();
    await host.apply([{ auditId: 'a1', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: [{ heading: 'H', headingStyle: 'Heading3', paragraphs: ['p'], comments: [] }], audit: { auditId: 'a1', time: '', templateId: 't', templateVersion: '1', templateLanguage: 'en', modelId: 'm', sourceHash: '', redactionCount: 0, flags: [], text: 'H\np' } }]);
    view(host);
    fireEvent.click(await screen.findByTestId('audit-review'));
    await waitFor(() => expect(screen.getByTestId('review-unsupported').textContent).toMatch(/WordApi 1\.6/));
    expect(screen.getByTestId('review-item').textContent).toContain('cannot tell');
  });

  it('without WordApi 1.4 (no custom XML parts) the view says the trail cannot be kept, instead of failing', async () => {
    mock = new WordMock({ wordApi: '1.3', body: ['x'], selection: { paragraphs: [0, 0] }, displayLanguage: 'en-US' }).install();
    const host = new WordHost();
    expect(await host.readAuditTrail()).toEqual({ entries: [], unavailable: expect.stringMatching(/WordApi 1\.4 \(custom XML parts\)/) as unknown });
    expect(await host.readAudit()).toEqual([]);
    view(host);
    await waitFor(() => expect(screen.getByTestId('audit-chain').textContent).toMatch(/does not support WordApi 1\.4.*audit trail cannot be kept/));
    expect(screen.queryByText(/ApiNotFound/)).toBeNull();
  });

  it('the escalation export is offered only for an escalated result, with its warning, and names no BLOCK category', async () => {
    const e3 = (exitJson.cases[2] as { source: string }).source;
    const result = await generate({ template: exitZh, source: { kind: 'transcript', text: e3 }, engine: new FakeEngine({ outputs: [exitFixtures()[2]?.text ?? ''] }), modelId: 'm' });
    const saved: string[] = [];
    render(
      <FluentProvider theme={webLightTheme}>
        <EscalationExport result={result} locale="en" saveFile={(_n, _m, content) => Promise.resolve(void saved.push(content))} />
      </FluentProvider>,
    );
    expect(screen.getByTestId('escalation-warning').textContent).toMatch(/escalation categories/);
    expect(saved).toEqual([]);
    fireEvent.click(screen.getByTestId('escalation-save'));
    await waitFor(() => expect(saved).toHaveLength(1));
    const file = JSON.parse(saved[0] ?? '{}') as { escalations: Array<{ categories: string[] }> };
    expect(file.escalations[0]?.categories).toContain('GENDER_MARITAL_ALLEGATION');
    expect(saved[0]).not.toMatch(/HEALTH|FAMILY_PLANNING/);
    cleanup();
    const plain = await generate({ template: exitZh, source: { kind: 'transcript', text: (exitJson.cases[0] as { source: string }).source }, engine: new FakeEngine({ outputs: [exitFixtures()[0]?.text ?? ''] }), modelId: 'm' });
    render(
      <FluentProvider theme={webLightTheme}>
        <EscalationExport result={plain} locale="en" />
      </FluentProvider>,
    );
    expect(screen.queryByTestId('escalation-export')).toBeNull();
  });
});
