/**
 * The audit chain (shared/pipeline/audit-chain): sealing and verifying a trail in memory, the record's flags
 * reduced to counts, the model revision read from a model record, and the writer's character change count.
 */
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/host/port';
import { auditFlagsOf, changeCount, MemoryTrail, modelRevisionOf, verifyChain, withoutCategories } from '../../shared/pipeline/audit-chain';

const rec = (auditId: string): AuditRecord => ({ auditId, time: 't', templateId: 'x', templateVersion: '1', templateLanguage: 'zh-CN', modelId: 'm', sourceHash: '', evidenceDigest: 'e', redactionCount: 0, flags: [] });

describe('audit chain', () => {
  it('intact; records swapped, the last one edited, or the last one removed are each detected', async () => {
    const trail = new MemoryTrail();
    await trail.save([rec('a'), rec('b')]);
    await trail.save([rec('c')]);
    const good = trail.read();
    expect(await verifyChain(good)).toMatchObject({ count: 3, intact: true });
    const [a, b, c] = good.entries;
    if (!a || !b || !c) throw new Error('three entries');
    expect((await verifyChain({ ...good, entries: [a, c, b] })).firstBreak).toMatchObject({ position: 2, auditId: 'c', kind: 'missing' });
    const edited = { raw: c.raw.replace('"modelId":"m"', '"modelId":"z"'), record: { ...(c.record as AuditRecord), modelId: 'z' } };
    expect((await verifyChain({ ...good, entries: [a, b, edited] })).firstBreak).toEqual({ position: 3, auditId: 'c', kind: 'altered' });
    expect((await verifyChain({ ...good, entries: [a, b] })).firstBreak).toEqual({ position: 3, kind: 'missing' });
    // A trail written before the chain existed says so instead of passing as intact.
    expect((await verifyChain({ entries: [{ raw: '{}', record: rec('old') }] })).firstBreak).toMatchObject({ kind: 'unchained' });
  });

  it('flags: categories become counts by action; other flags stay', () => {
    const { flags, flagCounts } = auditFlagsOf([
      { flag: 'BLOCK:MATERNITY', where: 'source' },
      { flag: 'BLOCK:MATERNITY', where: 'output' },
      { flag: 'ESCALATE:LITIGATION', where: 'source' },
      { flag: 'THIRD_PARTY_NAME', where: 'source' },
      { flag: 'MISSING:绩效', where: 'source' },
    ], [{ action: 'WARN', category: 'THIRD_PARTY_NAME', flag: 'THIRD_PARTY_NAME', start: 0, end: 1, match: 'x', message: '' }]);
    expect(flagCounts).toEqual({ BLOCK: 1, WARN: 1, ESCALATE: 1 });
    expect(flags).toEqual([{ flag: 'MISSING:绩效', where: 'source' }]);
    expect(JSON.stringify(withoutCategories({ ...rec('x'), flags: [{ flag: 'BLOCK:SEXUAL_ORIENTATION', where: 'source' }], fields: { flags: ['ESCALATE:HARASSMENT', 'CONTRADICTION'] } }))).not.toMatch(/SEXUAL|HARASSMENT/);
  });

  it('model revision from the record URL; character change count', () => {
    expect(modelRevisionOf({ model: 'https://huggingface.co/acme/hr-qwen/resolve/3f2a9c1/' })).toEqual({ modelRevision: '3f2a9c1' });
    expect(modelRevisionOf({ model: 'https://example.com/models/x/' })).toEqual({});
    expect(changeCount('核心骨干', '核心骨干成员')).toBe(2);
    expect(changeCount('abc', 'abc')).toBe(0);
    expect(changeCount('通勤太远', '通勤较远')).toBe(1);
  });
});
