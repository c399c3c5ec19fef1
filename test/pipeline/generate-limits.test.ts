/**
 * Bounded inputs inside the pipeline (issue 15): generate() refuses a source over MAX_SOURCE_CHARS itself, with a
 * message naming the limit, before any preparation or model request, whoever calls it (pane, batch, VS Code).
 */
import { describe, expect, it } from 'vitest';
import { exitZh, talentZh } from '../../shared/output/test-fixtures';
import { generate } from '../../shared/pipeline/generate';
import { MAX_SOURCE_CHARS, SourceTooLongError } from '../../shared/source/limits';
import { FakeEngine } from '../doubles/fake-engine';

describe('generate: source size limit', () => {
  it('rejects a transcript one character over the limit, naming it, and sends nothing to the model', async () => {
    const engine = new FakeEngine({ outputs: ['x'] });
    const text = '员工：通勤太远。\n'.repeat(Math.ceil((MAX_SOURCE_CHARS + 1) / 9)).slice(0, MAX_SOURCE_CHARS + 1);
    const error = await generate({ template: exitZh, source: { kind: 'transcript', text }, engine, modelId: 'm' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceTooLongError);
    const e = error as SourceTooLongError;
    expect(e.message).toContain(`at most ${MAX_SOURCE_CHARS.toLocaleString('en-US')} characters`);
    expect(e.message).toContain('MAX_SOURCE_CHARS');
    expect(e.message).toContain(`${(MAX_SOURCE_CHARS + 1).toLocaleString('en-US')} characters`);
    expect(e.userMessage('zh-CN')).toContain('最多处理 50,000 字');
    expect(engine.requests).toHaveLength(0);
  });

  it('counts characters, not UTF-16 units: 50,000 emoji fit', async () => {
    const engine = new FakeEngine({ outputs: ['x'] });
    const text = '😀'.repeat(MAX_SOURCE_CHARS); // 100,000 UTF-16 units
    const result = await generate({ template: exitZh, source: { kind: 'notes', text }, engine, modelId: 'm' });
    expect(result.finishReason).not.toBe('abort');
    expect(engine.requests.length).toBeGreaterThan(0);
  });

  it('applies to a table row too (its cells as read)', async () => {
    const engine = new FakeEngine({ outputs: ['x'] });
    const source = { kind: 'table-row' as const, fields: { 姓名: '张三', 上级评价: '好'.repeat(MAX_SOURCE_CHARS) }, header: ['姓名', '上级评价'], rowIndex: 1 };
    await expect(generate({ template: talentZh, source, engine, modelId: 'm' })).rejects.toThrow(/MAX_SOURCE_CHARS/);
    expect(engine.requests).toHaveLength(0);
  });
});
