/**
 * `npx tsx scripts/bench-audit.ts [--records N] [--out DIR]` — what the tamper-evident trail costs: appending one
 * record to a Word audit part that already holds N records (parse, seal, serialize), verifying the whole chain,
 * and the part's size. With --out, writes the generated part and its CSV / JSON exports there (to grep them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendAudit, readAuditPart } from '../addin/word/audit-xml';
import type { AuditRecord } from '../shared/host/port';
import { verifyChain } from '../shared/pipeline/audit-chain';
import { auditToCsv, auditToJson } from '../shared/pipeline/audit-export';
import { parseOptions } from './cli-options';

const opts = parseOptions(process.argv.slice(2), ['records', 'out'], [], (m) => {
  console.error(m);
  process.exit(2);
});
const n = Number(opts.get('records') ?? '500');

const record = (i: number): AuditRecord => ({
  auditId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  event: 'inserted',
  insertion: 'whole',
  time: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
  templateId: 'talent-review',
  templateVersion: '1.0.0',
  templateLanguage: 'zh-CN',
  modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
  modelRevision: '3f2a9c1',
  seed: 20240611,
  promptVersion: 'sys-0123456789abcdef',
  text: `【九宫格定位】\n核心骨干\n【优势】\n第${i}位员工技术扎实,交付稳定。\n【待发展】\n跨团队协作仍需加强。`,
  evidence: `岗位: P6工程师\n绩效: A\n潜力: 中\n联系电话: [手机号已隐去]`,
  evidenceDigest: 'ab'.repeat(32),
  sourceHash: '',
  redactionCount: 1,
  // Categories as an older caller might pass them: storage must keep only the counts.
  flags: [{ flag: 'BLOCK:MATERNITY', where: 'source' }, { flag: 'ESCALATE:HARASSMENT', where: 'source' }, { flag: 'MISSING:目标岗位', where: 'source' }],
  fields: { nine_box: { cell: 6, confidence: 0.8 } },
  rowIndex: i,
});

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

let xml: string | undefined;
const [, build] = await time(async () => {
  for (let i = 0; i < n; i += 1) xml = await appendAudit(xml, [record(i)]);
});
const samples: number[] = [];
for (let k = 0; k < 20; k += 1) {
  const [, ms] = await time(() => appendAudit(xml, [record(n + k)]));
  samples.push(ms);
}
samples.sort((a, b) => a - b);
const [report, verifyMs] = await time(() => verifyChain(readAuditPart(xml)));
console.log(`records in part:            ${n}`);
console.log(`part size:                  ${((xml?.length ?? 0) / 1024).toFixed(1)} KiB`);
console.log(`build ${n} appends:          ${build.toFixed(0)} ms`);
console.log(`append 1 to ${n} (median):   ${(samples[10] ?? 0).toFixed(2)} ms`);
console.log(`verify chain of ${n}:        ${verifyMs.toFixed(2)} ms (${report.intact ? 'intact' : 'BROKEN'})`);
const out = opts.get('out');
if (out) {
  mkdirSync(out, { recursive: true });
  const records = report.records;
  writeFileSync(path.join(out, 'audit-part.xml'), xml ?? '');
  writeFileSync(path.join(out, 'audit.csv'), auditToCsv(records));
  writeFileSync(path.join(out, 'audit.json'), auditToJson(records));
  console.log(`wrote ${out}/audit-part.xml, audit.csv, audit.json`);
}
