/**
 * Check wording in VS Code, against the `vscode` double: suggestions become refactor-preview entries (label =
 * category, description = reason + what to write instead) that replace only the flagged words; what the writer
 * unchecks stays as written.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkWording } from '../../../shared/wording';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { VsCodeHost } = await import('../../../extension/src/vscode-host');
const { __test } = vscode;

const DRAFT = ['# 人才盘点 张三', '', '张三年纪偏大,冲劲不足,总是在最后一天才交付。', 'She is very emotional in meetings and aggressive with vendors.', '优势:续约率92%。'].join('\n');

describe('VsCodeHost: Check wording -> refactor preview', () => {
  let host: InstanceType<typeof VsCodeHost>;
  beforeEach(() => {
    __test.reset();
    host = new VsCodeHost();
  });

  it('proposes each suggestion as a confirmable entry labelled with its category and reason', async () => {
    const editor = __test.open('/w/review.md', 'markdown', DRAFT);
    const read = await host.readWording('selection');
    expect(read.scope).toBe('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: read.scope, language: 'zh' });

    const entries = __test.edits[0]!.entries;
    expect(entries.map((e) => e.metadata?.label)).toEqual(['年龄(受保护)', '无法执行的反馈', '绝对化表述', '性格评价(应写行为)', '带性别色彩的形容词']);
    expect(entries.every((e) => e.metadata?.needsConfirmation === true)).toBe(true);
    expect(entries[2]!.metadata?.description).toContain('建议:写出频次或具体事例');
    expect(entries[2]!.range.start).toMatchObject({ line: 2 });
    expect(result.applied).toHaveLength(5);
    expect(editor.document.getText()).toBe(
      ['# 人才盘点 张三', '', '张三,在[具体任务]上主动性低于预期(写明事例),多次在最后一天才交付。', 'She is [specific reaction] in [situation] in meetings and assertive with vendors.', '优势:续约率92%。'].join('\n'),
    );
  });

  it('keeps what the writer unchecked in the preview, and reports it skipped', async () => {
    const editor = __test.open('/w/review.md', 'markdown', DRAFT);
    __test.review = (entry) => entry.metadata?.label !== '绝对化表述';
    const read = await host.readWording('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: 'zh' });
    const always = check.suggestions.find((s) => s.before === '总是')!;
    expect(result.skipped).toEqual([always.id]);
    expect(editor.document.getText()).toContain('总是在最后一天');
    expect(editor.document.getText()).not.toContain('年纪偏大');
  });

  it('checks only the selected lines when there is a selection', async () => {
    const start = DRAFT.indexOf('She is');
    __test.open('/w/review.md', 'markdown', DRAFT, [start, start + 10]);
    const read = await host.readWording('selection');
    expect(read).toMatchObject({ scope: 'selection', paragraphs: ['She is very emotional in meetings and aggressive with vendors.'] });
    const check = checkWording(read.paragraphs);
    await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'selection', language: 'en' });
    expect(__test.edits[0]!.entries.every((e) => e.range.start.line === 3)).toBe(true);
  });

  it('writes nothing for a line the writer changed since the check', async () => {
    const editor = __test.open('/w/review.md', 'markdown', DRAFT);
    const read = await host.readWording('document');
    const check = checkWording(read.paragraphs, { language: 'zh' });
    const at = DRAFT.indexOf('总是');
    __test.type(editor.document, at, at + 2, '有3次');
    const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: 'zh' });
    expect(result.skipped).toEqual(check.suggestions.filter((s) => s.paragraph === 2).map((s) => s.id));
    expect(editor.document.getText()).toContain('张三年纪偏大,冲劲不足,有3次');
  });
});
