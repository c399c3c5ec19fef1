import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/host/port';
import { verifyChain } from '../../shared/pipeline/audit-chain';
import { AUDIT_NAMESPACE, appendAudit, parseAudit, readAuditPart } from './audit-xml';

const rec = (auditId: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  auditId,
  time: '2026-12-01T10:00:00.000Z',
  templateId: 'talent-review',
  templateVersion: '1.0.0',
  templateLanguage: 'zh-CN',
  modelId: 'm',
  sourceHash: '',
  evidenceDigest: '1'.repeat(64),
  redactionCount: 0,
  flags: [],
  ...extra,
});

describe('audit XML', () => {
  it('round-trips records, special characters included, chained, with a salt and a keyed source hash', async () => {
    const xml = await appendAudit(undefined, [rec('a', { fields: { note: '<&>"\' 中文' } }), rec('b', { rowIndex: 4 })]);
    expect(xml).toContain(`xmlns="${AUDIT_NAMESPACE}"`);
    const part = readAuditPart(xml);
    expect(part.salt).toMatch(/^[0-9a-f]{64}$/);
    const { records, unreadable } = parseAudit(xml);
    expect(unreadable).toBe(0);
    expect(records.map((r) => [r.auditId, r.seq])).toEqual([['a', 0], ['b', 1]]);
    expect(records[0]?.fields).toEqual({ note: '<&>"\' 中文' });
    // The digest is never stored; the keyed hash differs from it.
    expect(xml).not.toContain('evidenceDigest');
    expect(records[0]?.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(records[0]?.sourceHash).not.toBe('1'.repeat(64));
    expect(await verifyChain(part)).toMatchObject({ count: 2, intact: true, unreadable: [] });
  });

  it('two documents get different salts, so the same evidence hashes differently', async () => {
    const one = parseAudit(await appendAudit(undefined, [rec('a')])).records[0]?.sourceHash;
    const two = parseAudit(await appendAudit(undefined, [rec('a')])).records[0]?.sourceHash;
    expect(one).not.toBe(two);
  });

  it('appends without repeating an audit id, in order', async () => {
    let xml = await appendAudit(undefined, [rec('a')]);
    xml = await appendAudit(xml, [rec('b'), rec('a'), rec('b')]);
    xml = await appendAudit(xml, [rec('c')]);
    expect(parseAudit(xml).records.map((r) => r.auditId)).toEqual(['a', 'b', 'c']);
    expect((await verifyChain(readAuditPart(xml))).intact).toBe(true);
  });

  it('a part rewritten by Word (prefixes) is still read; an unreadable record is reported, not dropped', async () => {
    const good = await appendAudit(undefined, [rec('x'), rec('y')]);
    const foreign = good.replace(/<(\/?)(audit|record)/g, '<$1ns0:$2').replace('xmlns=', 'xmlns:ns0=');
    expect(parseAudit(foreign).records.map((r) => r.auditId)).toEqual(['x', 'y']);
    const broken = good.replace(/(<record>)[^<]*(<\/record>)$/, '$1{broken$2').replace(/<record>([^<]*)<\/record><\/audit>/, '<record>{broken</record></audit>');
    const report = await verifyChain(readAuditPart(broken));
    expect(report.count).toBe(2);
    expect(report.unreadable).toEqual([{ position: 2, problem: 'not valid JSON' }]);
    expect(report.intact).toBe(false);
  });

  it('appending after the last record was edited or removed does not hide it (new records chain to the stored head)', async () => {
    const xml = await appendAudit(undefined, [rec('a'), rec('b')]);
    const edited = xml.replace(/(&quot;auditId&quot;:&quot;b&quot;[^<]*?)&quot;modelId&quot;:&quot;m&quot;/, '$1&quot;modelId&quot;:&quot;forged&quot;');
    expect(edited).not.toBe(xml);
    const afterEdit = await appendAudit(edited, [rec('c')]);
    expect((await verifyChain(readAuditPart(afterEdit))).firstBreak).toEqual({ position: 2, auditId: 'b', kind: 'altered' });
    const removed = xml.replace(/<record>[^<]*<\/record><\/audit>$/, '</audit>');
    const afterRemove = await appendAudit(removed, [rec('c')]);
    const report = await verifyChain(readAuditPart(afterRemove));
    expect(report.count).toBe(2);
    expect(report.firstBreak).toMatchObject({ position: 2, auditId: 'c', kind: 'missing' });
  });
});
