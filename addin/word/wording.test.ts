/**
 * Check wording in Word, against the Word double: word-level tracked changes with their comments, the writer's
 * formatting and tracking mode untouched, nothing written before the writer asks, a constant number of syncs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkWording, wordingAuditRecord } from '../../shared/wording';
import { WordMock, type WordMockOptions } from '../../test/doubles/office-mock';
import { WordHost } from './word-host';

let mock: WordMock | undefined;
afterEach(() => mock?.uninstall());

function setup(options: WordMockOptions = {}): { mock: WordMock; host: WordHost } {
  mock = new WordMock(options).install();
  return { mock, host: new WordHost() };
}

const DRAFT = [
  '人才盘点评语',
  '张三年纪偏大,冲劲不足,总是在最后一天才交付。',
  '优势:客户关系稳定,本年度续约率92%。',
  'She is very emotional in meetings and aggressive with vendors.',
  '离职备注:永不录用。',
];

async function checkAndApply(host: WordHost, scope: 'selection' | 'document' = 'document') {
  const read = await host.readWording(scope);
  const check = checkWording(read.paragraphs, { language: 'zh' });
  const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: read.scope, language: 'zh' });
  return { read, check, result };
}

describe('Check wording in Word', () => {
  it('reading and checking writes nothing; the writer asks before anything changes', async () => {
    const { mock, host } = setup({ body: DRAFT, trackingMode: 'Off' });
    const read = await host.readWording('document');
    expect(read.paragraphs).toEqual(DRAFT);
    expect(checkWording(read.paragraphs).suggestions.length).toBeGreaterThan(4);
    expect(mock.outline()).toEqual(DRAFT);
    expect(mock.revisions).toEqual([]);
    expect(mock.comments).toEqual([]);
    expect(mock.modeHistory).toEqual([]);
  });

  it('writes each hit as a word-level tracked change with a comment giving category, reason and advice', async () => {
    const { mock, host } = setup({ body: DRAFT, trackingMode: 'Off' });
    const { result, check } = await checkAndApply(host);
    expect(result.skipped).toEqual([]);
    expect(result.applied).toHaveLength(check.suggestions.length);

    const changes = mock.revisions.map((r) => [r.before, r.after, r.trackedAs]);
    expect(changes).toContainEqual(['年纪偏大', '', 'TrackAll']);
    expect(changes).toContainEqual(['冲劲不足', '在[具体任务]上主动性低于预期(写明事例)', 'TrackAll']);
    expect(changes).toContainEqual(['总是', '多次', 'TrackAll']);
    expect(changes).toContainEqual(['very emotional', '[specific reaction] in [situation]', 'TrackAll']);
    expect(changes).toContainEqual(['aggressive', 'assertive', 'TrackAll']);
    expect(changes).toContainEqual(['永不录用', '', 'TrackAll']);
    expect(mock.revisions.every((r) => r.trackedAs === 'TrackAll')).toBe(true);

    // Only the flagged words changed; the rest of each paragraph and the untouched paragraph are as written.
    expect(mock.outline()).toEqual([
      '人才盘点评语',
      '张三,在[具体任务]上主动性低于预期(写明事例),多次在最后一天才交付。',
      '优势:客户关系稳定,本年度续约率92%。',
      'She is [specific reaction] in [situation] in meetings and assertive with vendors.',
      '离职备注:。',
    ]);

    const onAge = mock.comments.find((c) => c.on === '年纪偏大');
    expect(onAge?.text).toContain('【年龄(受保护)】');
    expect(onAge?.text).toContain('建议:');
    const onAlways = mock.comments.find((c) => c.on === '多次');
    expect(onAlways?.text).toMatch(/【绝对化表述】.*\n建议:写出频次或具体事例/);
    expect(mock.comments.find((c) => c.on === '永不录用')?.text).toContain('请转交:员工关系/法务部门');
    expect(mock.comments).toHaveLength(check.suggestions.length);
  });

  it('restores the writer\'s tracking mode and never touches formatting', async () => {
    const { mock, host } = setup({ body: DRAFT, trackingMode: 'TrackMineOnly' });
    const styles = mock.flat().map((p) => p.style);
    await checkAndApply(host);
    expect(mock.trackingMode).toBe('TrackMineOnly');
    expect(mock.modeHistory).toEqual(['TrackAll', 'TrackMineOnly']);
    expect(mock.flat().map((p) => p.style)).toEqual(styles);
    expect(mock.revisions.every((r) => r.style === 'Normal')).toBe(true);
  });

  it('restores the tracking mode when Word fails mid-batch', async () => {
    const { mock, host } = setup({ body: DRAFT, trackingMode: 'Off' });
    mock.failures.set('insertText', 1);
    const read = await host.readWording('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    await expect(host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: 'zh' })).rejects.toThrow(/simulated failure/);
    expect(mock.trackingMode).toBe('Off');
  });

  it('uses a constant number of syncs, however many suggestions', async () => {
    const small = setup({ body: DRAFT });
    const a = await checkAndApply(small.host);
    small.mock.uninstall();
    const many = Array.from({ length: 200 }, (_, i) => (i % 2 ? DRAFT[1]! : DRAFT[3]!));
    const big = setup({ body: many });
    const b = await checkAndApply(big.host);
    expect(b.check.suggestions.length).toBeGreaterThan(a.check.suggestions.length * 20);
    expect(a.result.roundTrips).toBe(3);
    expect(b.result.roundTrips).toBe(3);
    expect(big.mock.syncs).toBe(1 + 3);
  });

  it('skips a paragraph the writer changed since the check, and lands on the right occurrence of repeated words', async () => {
    const { mock, host } = setup({ body: ['他总是迟到,"总是"是他的口头禅,总是这样。', '需要提升。'] });
    const read = await host.readWording('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    mock.flat()[1]!.text = '需要在下季度把交付准时率提升到95%。';
    const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: 'zh' });
    expect(result.skipped).toEqual(check.suggestions.filter((s) => s.paragraph === 1).map((s) => s.id));
    expect(mock.outline()[1]).toBe('需要在下季度把交付准时率提升到95%。');
    const changed = mock.outline()[0]!;
    expect(changed.startsWith('他多次迟到')).toBe(true);
    expect(changed.endsWith('多次这样。')).toBe(true);
  });

  it('checks the selection only when there is one, the document otherwise', async () => {
    const { host } = setup({ body: DRAFT, selection: { paragraphs: [3, 3] } });
    const sel = await host.readWording('selection');
    expect(sel).toMatchObject({ scope: 'selection', paragraphs: [DRAFT[3]] });
    const { host: h2 } = setup({ body: DRAFT, selection: { cursor: 1 } });
    expect(await h2.readWording('selection')).toMatchObject({ scope: 'document', paragraphs: DRAFT });
  });

  it('waits for an insertion in progress (one queue) and restores the writer\'s mode, not Liuhen\'s', async () => {
    const { mock, host } = setup({ body: DRAFT, trackingMode: 'Off', selection: { cursor: 0 } });
    const snap = await host.readSelection();
    const read = await host.readWording('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    const plan = { auditId: 'a1', target: { kind: 'after-anchor' as const, anchor: snap.anchor }, blocks: [{ heading: '【结论】', headingStyle: 'Heading3' as const, paragraphs: ['结论段。'], comments: [] }] };
    const inserting = host.apply([plan]);
    const wording = host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: 'zh' });
    const [ins, w] = await Promise.all([inserting, wording]);
    expect(ins.inserted).toEqual(['a1']);
    // The insertion added a paragraph after paragraph 0: the checked paragraphs shifted, so they are skipped, not mis-applied.
    expect(w.applied.length + w.skipped.length).toBe(check.suggestions.length);
    expect(mock.trackingMode).toBe('Off');
  });

  it('stores the check in the document\'s audit trail as counts by category, without the text or protected categories', async () => {
    const { host } = setup({ body: DRAFT });
    const { check, result } = await checkAndApply(host);
    await host.saveAudit([wordingAuditRecord(check, { auditId: 'w1', time: '2026-12-03T09:00:00Z', applied: result.applied.length })]);
    const [record] = await host.readAudit();
    expect(record).toMatchObject({ event: 'checked', wordingApplied: 6, wordingSuggestions: 6 });
    expect(record!.wordingCounts).toEqual({ NON_ACTIONABLE: 1, EXAGGERATION: 1, PERSONALITY_FEEDBACK: 1, GENDER_CODED: 1 });
    expect(record!.flagCounts).toEqual({ BLOCK: 1, WARN: 4, ESCALATE: 1 });
    expect(JSON.stringify(record)).not.toMatch(/年纪|永不录用|emotional|AGE|LEGAL_CONCLUSION/);
  });
});
