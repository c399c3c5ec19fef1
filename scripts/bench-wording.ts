/**
 * `npm run bench:wording`: numbers for "Check wording", printed (no assertions).
 *  1. Scan time of checkWording over a 30-page talent-review document (~60k characters, zh + en, realistic
 *     density of flagged words): first run (term data compiled) and the median of RUNS warm runs.
 *  2. `context.sync()` calls to read the document and to write all its suggestions as tracked changes +
 *     comments, with WordHost over the Word double (test/doubles/office-mock.ts), for that document and for
 *     one with ten times fewer pages: the count should not grow with the number of suggestions.
 *
 * Environment: RUNS (default 7).
 */
import { checkWording } from '../shared/wording';
import { WordMock } from '../test/doubles/office-mock';
import { WordHost } from '../addin/word/word-host';

const RUNS = Number(process.env.RUNS ?? 7);

const PARAGRAPHS = [
  '张三在本年度负责华东区渠道拓展,完成销售额1,280万元,达成率104%,新签约代理商6家。',
  '李四年纪偏大,冲劲不足,总是在最后一天才交付方案,需要提升。',
  '优势:客户关系稳定,续约率92%;在3月的跨部门评审中主动承担了数据口径统一的工作。',
  '待发展:在需求评审中两次遗漏验收标准,下季度目标是把遗漏率降到5%以下。',
  '她性格急躁,会上很强势,从来不听取别人的意见。',
  'She is very emotional in meetings, always late with reports, and aggressive with vendors. Needs to improve.',
  'He led the Q3 migration, cut the on-call load by 30%, and mentored two new engineers through their first release.',
  '继任:可在12-18个月内接任区域经理,需补足预算管理经验。',
];

function document(pages: number): string[] {
  const out: string[] = [];
  let chars = 0;
  // ~2,000 characters a page.
  for (let i = 0; chars < pages * 2000; i++) {
    const p = `${PARAGRAPHS[i % PARAGRAPHS.length]!}(第${i + 1}条)`;
    out.push(p);
    chars += p.length;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function syncs(paragraphs: string[]): Promise<{ suggestions: number; read: number; apply: number; applied: number }> {
  const mock = new WordMock({ body: paragraphs, trackingMode: 'Off' }).install();
  try {
    const host = new WordHost();
    const s0 = mock.syncs;
    const read = await host.readWording('document');
    const s1 = mock.syncs;
    const check = checkWording(read.paragraphs);
    const result = await host.applyWording({ suggestions: check.suggestions, checked: read.paragraphs, scope: 'document', language: check.language });
    return { suggestions: check.suggestions.length, read: s1 - s0, apply: mock.syncs - s1, applied: result.applied.length };
  } finally {
    mock.uninstall();
  }
}

async function main(): Promise<void> {
  const doc = document(30);
  const chars = doc.reduce((n, p) => n + p.length, 0);
  let t = performance.now();
  const first = checkWording(doc);
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    checkWording(doc);
    warm.push(performance.now() - t);
  }
  console.log(`Check wording scan: ${doc.length} paragraphs, ${chars} characters (30 pages), ${first.suggestions.length} suggestions`);
  console.log(`  first run (compiles term data): ${cold.toFixed(1)} ms; warm median of ${RUNS}: ${median(warm).toFixed(1)} ms`);
  console.log(`  by category: ${JSON.stringify(first.counts)}`);
  for (const pages of [3, 30]) {
    const r = await syncs(document(pages));
    console.log(`Word double, ${pages} pages: ${r.suggestions} suggestions, ${r.applied} written; context.sync(): read ${r.read}, apply ${r.apply}`);
  }
}

void main();
