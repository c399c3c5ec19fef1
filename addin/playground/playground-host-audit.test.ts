// @vitest-environment jsdom
/**
 * The playground's in-browser document keeps the same audit trail as Word: insertions queued one at a time and
 * chained, and the writer's review (accept / reject / edit in the page) read back per record.
 */
import { describe, expect, it } from 'vitest';
import type { InsertionPlan } from '../../shared/host/port';
import { planText, verifyChain } from '../../shared/pipeline/audit-chain';
import { PlaygroundHost } from './playground-host';

const plan = (id: string, body: string): InsertionPlan => {
  const blocks = [{ heading: `【${id}】`, headingStyle: 'Heading3' as const, paragraphs: [body], comments: [] }];
  return {
    auditId: id,
    target: { kind: 'after-anchor', anchor: 'end' },
    blocks,
    audit: { auditId: id, time: '', templateId: 't', templateVersion: '1', templateLanguage: 'zh-CN', modelId: 'm', sourceHash: '', evidenceDigest: '0'.repeat(64), redactionCount: 0, flags: [{ flag: 'BLOCK:HEALTH', where: 'source' }], text: planText(blocks) },
  };
};

describe('PlaygroundHost audit', () => {
  it('concurrent inserts are chained in order; review: accepted, edited, rejected, pending', async () => {
    const host = new PlaygroundHost();
    host.load(['面谈记录', '正文。']);
    const results = await Promise.all([host.apply([plan('a', '通勤太远。')]), host.apply([plan('b', '薪酬偏低。')]), host.apply([plan('c', '想转岗。')]), host.apply([plan('d', '家庭原因。')])]);
    expect(results.map((r) => r.inserted)).toEqual([['a'], ['b'], ['c'], ['d']]);
    const trail = await host.readAuditTrail();
    expect(trail.entries.map((e) => e.record?.auditId)).toEqual(['a', 'b', 'c', 'd']);
    expect(JSON.stringify(trail)).not.toContain('HEALTH');
    expect((await verifyChain(trail)).intact).toBe(true);
    const byAudit = (id: string): string => host.getSuggestions().find((s) => s.auditId === id)?.id ?? '';
    host.accept(byAudit('a'));
    host.accept(byAudit('b'));
    host.reject(byAudit('c'));
    let review = await host.readReview(await host.readAudit());
    expect(review.states.map((s) => [s.ref, s.verdict])).toEqual([['a', 'accepted'], ['b', 'accepted'], ['c', 'rejected'], ['d', 'pending']]);
    host.accept(byAudit('d'));
    // The writer edits the accepted text of b in the page's edit box.
    host.setBodyText(host.text().replace('薪酬偏低。', '薪酬明显偏低。'));
    review = await host.readReview(await host.readAudit());
    expect(review.states.map((s) => [s.ref, s.verdict, s.changeCount])).toEqual([
      ['a', 'accepted', undefined],
      ['b', 'edited', 2],
      ['c', 'rejected', undefined],
      ['d', 'accepted', undefined],
    ]);
  });
});
