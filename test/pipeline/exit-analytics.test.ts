/**
 * Exit-reason analytics: records from the document's audit trail or from JSON / CSV exports, the distribution
 * of stated and underlying codes (counted by code), k-anonymity in breakdowns by department and period, and
 * organisational improvement suggestions from the aggregate, inserted as a plan.
 */
import { describe, expect, it } from 'vitest';
import { auditToCsv, auditToJson } from '../../shared/pipeline/audit-export';
import {
  breakdown,
  exitRecordsFromAudit,
  exitRecordsFromCsv,
  exitRecordsFromJson,
  K_ANONYMITY,
  mergeRecords,
  periodOf,
  quotesFor,
  reasonDistribution,
  reasonLabels,
} from '../../shared/pipeline/exit-analytics';
import { buildSuggestionsPlan, suggestImprovements } from '../../shared/pipeline/suggestions';
import { exitZh } from '../../shared/output/test-fixtures';
import { FakeEngine } from '../doubles/fake-engine';
import { exitAuditRecords } from '../fixtures/exit-records';

const audit = exitAuditRecords(60);
const records = exitRecordsFromAudit(audit);
const labels = reasonLabels(exitZh);

describe('exit records', () => {
  it('are read from the audit trail: inserted exit-interview records with reasons, once per audit id', () => {
    const review = { ...audit[0]!, event: 'reviewed' as const, verdict: 'accepted' as const };
    const talent = { ...audit[1]!, auditId: 'talent-1', templateId: 'talent-review' };
    expect(exitRecordsFromAudit([...audit, review, talent])).toHaveLength(60);
    expect(records[0]).toMatchObject({ id: 'exit-001', department: '研发中心' });
  });

  it('are read back from the JSON and CSV exports (and merged with the document without double counting)', () => {
    const json = exitRecordsFromJson(auditToJson(audit));
    expect(json.problems).toEqual([]);
    expect(json.records.map((r) => r.reasons)).toEqual(records.map((r) => r.reasons.map(({ code, stated, role, sources }) => ({ code, stated, role, sources }))));
    const csv = exitRecordsFromCsv(auditToCsv(audit, [exitZh]));
    expect(csv.problems).toEqual([]);
    expect(csv.records.map((r) => r.reasons.map((x) => [x.code, x.stated]))).toEqual(records.map((r) => r.reasons.map((x) => [x.code, x.stated])));
    expect(mergeRecords(records, json.records, csv.records)).toHaveLength(60);
    expect(exitRecordsFromCsv('a,b\n1,2\n').problems[0]).toMatch(/no "reasons" or "reason_codes" column/);
  });
});

describe('reason distribution', () => {
  it('counts stated and underlying reasons per record, most frequent first, with the template labels', () => {
    const d = reasonDistribution(records, labels);
    const byCode = new Map(d.map((c) => [c.code, c]));
    const count = (code: string, stated: boolean): number => records.filter((r) => r.reasons.some((x) => x.code === code && x.stated === stated)).length;
    for (const c of d) {
      expect(c.stated, c.code).toBe(count(c.code, true));
      expect(c.underlying, c.code).toBe(count(c.code, false));
      expect(c.records).toBe(records.filter((r) => r.reasons.some((x) => x.code === c.code)).length);
    }
    expect(byCode.get('COMP')?.label).toBe(labels.get('COMP'));
    expect(d.map((c) => c.records)).toEqual([...d.map((c) => c.records)].sort((a, b) => b - a));
  });
});

describe('k-anonymity in breakdowns', () => {
  const codes = reasonDistribution(records, labels).map((c) => c.code);

  it('no count below 5 is shown by department: small departments are hidden whole, small cells are hidden', () => {
    const b = breakdown(records, 'department', codes);
    expect(b.k).toBe(K_ANONYMITY);
    const shown = b.rows.flatMap((r) => [r.records, ...Object.values(r.cells)]).filter((v): v is number => v !== null);
    expect(shown.length).toBeGreaterThan(0);
    for (const v of shown) expect(v).toBeGreaterThanOrEqual(5);
    const small = b.rows.filter((r) => ['客服中心', '财务部'].includes(r.group));
    expect(small).toHaveLength(2);
    for (const r of small) {
      expect(r.records).toBeNull();
      expect(Object.values(r.cells).every((v) => v === null)).toBe(true);
    }
    // The big department shows its real counts where they are ≥ 5.
    const rd = b.rows.find((r) => r.group === '研发中心')!;
    expect(rd.records).toBe(24);
  });

  it('no count below 5 is shown by period, and a lone hidden cell takes a second one with it', () => {
    const b = breakdown(records, 'period', codes);
    expect(b.rows.map((r) => r.group)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3']);
    for (const r of b.rows) {
      for (const v of Object.values(r.cells)) if (v !== null) expect(v).toBeGreaterThanOrEqual(5);
      const hidden = Object.values(r.cells).filter((v) => v === null).length;
      expect(hidden === 0 || hidden >= 2).toBe(true);
    }
    // A constructed row: 10 records, code A in 7, code B in 3 → B hidden, so A is hidden too.
    const mk = (code: string[], i: number) => ({ id: `x${i}`, time: '2026-01-05T00:00:00Z', reasons: code.map((c) => ({ code: c })) });
    const rows = [...Array.from({ length: 7 }, (_, i) => mk(['A'], i)), ...Array.from({ length: 3 }, (_, i) => mk(['B'], 10 + i))];
    expect(breakdown(rows, 'period', ['A', 'B']).rows[0]).toEqual({ group: '2026-Q1', records: 10, cells: { A: null, B: null } });
    expect(periodOf('2026-11-30T00:00:00Z')).toBe('2026-Q4');
  });
});

describe('organisational improvement suggestions', () => {
  it('are written from the aggregate and redacted quotes, tied to codes, with counts from code', async () => {
    const d = reasonDistribution(records, labels);
    const engine = new FakeEngine({
      outputs: ['COMP|建议建立年度调薪机制并公开调薪标准。\nCAREER|建议晋升答辩后给出书面反馈。\nNOPE|建议某某。\nLOAD|建议她怀孕后减少加班。\n'],
    });
    const r = await suggestImprovements({ records, distribution: d, engine, language: 'zh-CN' });
    expect(r.suggestions.map((s) => s.code)).toEqual(['COMP', 'CAREER']);
    expect(r.dropped).toBe(2);
    const prompt = engine.requests[0]!.messages.map((m) => m.content).join('\n');
    const comp = d.find((c) => c.code === 'COMP')!;
    expect(prompt).toContain(`COMP ${comp.label}:${comp.records}份(明确${comp.stated},潜在${comp.underlying})`);
    expect(prompt).toContain('引述:“新公司给的薪资高出不少,这边两年没调薪。”');
    expect(engine.requests[0]!.responseFormat?.type).toBe('grammar');
    const plan = buildSuggestionsPlan(r, { kind: 'after-anchor', anchor: 'a' });
    expect(plan.blocks[0]?.heading).toBe('【组织改进建议】');
    expect(plan.blocks[0]?.paragraphs).toEqual([
      '依据:60份离职记录的原因统计(条数由程序统计)。',
      `建议建立年度调薪机制并公开调薪标准。(对应原因:${comp.label},${comp.records}份)`,
      `建议晋升答辩后给出书面反馈。(对应原因:${labels.get('CAREER')},${d.find((c) => c.code === 'CAREER')!.records}份)`,
    ]);
  });

  it('quotes come only from cited, redacted evidence turns the guard passes', () => {
    const withPhone = { ...records[0]!, evidence: 'T2 员工: 薪资低,打我电话13912345678' };
    expect(quotesFor([withPhone], 'COMP')).toEqual([]);
    expect(quotesFor(records, 'LOC')).toEqual(['搬家以后通勤单程一个半小时。']);
  });
});
