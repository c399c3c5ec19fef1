import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/host/port';
import { AUDIT_NAMESPACE, appendAudit, parseAudit, serializeAudit } from './audit-xml';

const rec = (auditId: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  auditId,
  time: '2026-12-01T10:00:00.000Z',
  templateId: 'talent-review',
  templateVersion: '1.0.0',
  templateLanguage: 'zh-CN',
  modelId: 'm',
  sourceHash: '0'.repeat(64),
  redactionCount: 0,
  flags: [],
  ...extra,
});

describe('audit XML', () => {
  it('round-trips records, special characters included', () => {
    const records = [rec('a', { fields: { note: '<&>"\' 中文' } }), rec('b', { rowIndex: 4 })];
    const xml = serializeAudit(records);
    expect(xml).toContain(`xmlns="${AUDIT_NAMESPACE}"`);
    expect(parseAudit(xml)).toEqual({ records, unreadable: 0 });
  });

  it('appends without repeating an audit id, in order', () => {
    let xml = appendAudit(undefined, [rec('a')]);
    xml = appendAudit(xml, [rec('b'), rec('a'), rec('b')]);
    xml = appendAudit(xml, [rec('c')]);
    expect(parseAudit(xml).records.map((r) => r.auditId)).toEqual(['a', 'b', 'c']);
  });

  it('a part rewritten by Word (prefixes, unescaped quotes) is still read and appended to', () => {
    const foreign = `<ns0:audit xmlns:ns0="${AUDIT_NAMESPACE}"><ns0:record>${JSON.stringify(rec('x'))}</ns0:record><ns0:record>{broken</ns0:record></ns0:audit>`;
    expect(parseAudit(foreign)).toMatchObject({ records: [{ auditId: 'x' }], unreadable: 1 });
    const appended = appendAudit(foreign, [rec('y'), rec('x')]);
    expect(parseAudit(appended).records.map((r) => r.auditId)).toEqual(['x', 'y']);
  });
});
