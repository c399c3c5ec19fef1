/**
 * Batch benchmark: how much time Liuhen itself adds to a batch of talent-review rows, compared with the time the
 * engine spends generating, and how many Word round trips (`context.sync()`) each row costs.
 *
 * The engine is the fake engine with a fixed delay per streamed chunk (no GPU here), replaying fixture records;
 * everything else is the real code: guard, evidence, prompt, streaming preview parse (as the pane does), repair,
 * output guard, flags, plan, and WordHost over the Word double, inserting each row into its 评语 cell.
 *
 *   npm run bench:batch                 # 200 rows, 4 ms per chunk of 3 characters
 *   npm run bench:batch -- --rows 50 --delay 10
 *
 * Prints the overhead ratio (wall time / engine time; target ≤ 1.05) and syncs per row (per-row and at-end).
 */
import talentJson from '../../shared/fixtures/talent-reviews.json';
import { WordHost } from '../addin/word/word-host';
import { talentFixtures, talentZh } from '../shared/output/test-fixtures';
import { BatchRunner } from '../shared/pipeline/batch';
import { tableToRecords } from '../shared/source';
import { FakeEngine } from '../test/doubles/fake-engine';
import { WordMock } from '../test/doubles/office-mock';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROWS = arg('rows', 200);
const DELAY_MS = arg('delay', 4);
const CHUNK = arg('chunk', 3);

const cases = talentJson.cases as unknown as Array<{ row: Record<string, string> }>;
const outputs = talentFixtures();
const header = ['工号', '岗位', '绩效', '潜力', '技术深度', '跨团队协作', '专业能力', '带人意愿', '入职', '360反馈', '学习敏锐度', '备注'];
const table: string[][] = [[...header, '评语']];
for (let i = 0; i < ROWS; i += 1) {
  const c = cases[i % cases.length]?.row ?? {};
  table.push([`E${String(10000 + i)}`, ...header.slice(1).map((h) => c[h] ?? ''), '']);
}

function engine(): FakeEngine {
  return new FakeEngine({
    chunkSize: CHUNK,
    tokenDelayMs: DELAY_MS,
    contextWindow: 4096,
    respond: (request) => {
      const user = request.messages[1]?.content ?? '';
      const i = cases.findIndex((c) => user.includes(`岗位: ${c.row['岗位'] ?? ''}`));
      return outputs[i]?.text ?? '';
    },
  });
}

async function run(insert: 'per-row' | 'at-end'): Promise<{ wallMs: number; engineMs: number; syncs: number; rows: number; inserted: number; chunks: number }> {
  const mock = new WordMock({ body: ['人才盘点', table], selection: { table: 0, rows: [1, ROWS] } }).install();
  try {
    const host = new WordHost();
    const read = await host.readTable();
    if (!read.ok) throw new Error(read.message);
    const records = tableToRecords(read.table.rows);
    if (!records.ok) throw new Error(records.message);
    const e = engine();
    let previews = 0;
    const batch = new BatchRunner({
      template: talentZh,
      engine: e,
      modelId: 'bench',
      header: records.header,
      records: records.records,
      idColumn: '工号',
      excludeColumns: ['评语'],
      host,
      insert,
      insertFlagged: true,
      target: (row) => ({ kind: 'table-cell', tableId: read.table.tableId, rowIndex: row.rowIndex, column: '评语' }),
      onPartial: () => {
        previews += 1;
      },
    });
    const syncsBefore = mock.syncs;
    const t0 = performance.now();
    const final = await batch.start();
    const wallMs = performance.now() - t0;
    if (previews === 0) throw new Error('no streaming previews were produced');
    return {
      wallMs,
      engineMs: e.engineMs,
      syncs: mock.syncs - syncsBefore,
      rows: final.rows.length,
      inserted: final.rows.filter((r) => r.inserted).length,
      chunks: e.chunksStreamed,
    };
  } finally {
    mock.uninstall();
  }
}

const perRow = await run('per-row');
const atEnd = await run('at-end');
const ratio = perRow.wallMs / perRow.engineMs;
const fmt = (n: number, d = 2): string => n.toFixed(d);
console.log(`bench:batch  rows=${ROWS}  delay=${DELAY_MS} ms per chunk of ${CHUNK} chars  (${fmt(perRow.chunks / ROWS, 0)} chunks per row)`);
console.log(`per-row insertion: wall ${fmt(perRow.wallMs / 1000)} s, engine ${fmt(perRow.engineMs / 1000)} s, inserted ${perRow.inserted}/${perRow.rows}`);
console.log(`  Liuhen overhead per row: ${fmt((perRow.wallMs - perRow.engineMs) / ROWS)} ms; wall/engine ratio ${fmt(ratio, 3)} (target <= 1.05) ${ratio <= 1.05 ? 'OK' : 'OVER'}`);
console.log(`  context.sync() per row: ${fmt(perRow.syncs / ROWS)} (${perRow.syncs} in all)`);
console.log(`at-end insertion:  wall ${fmt(atEnd.wallMs / 1000)} s, ratio ${fmt(atEnd.wallMs / atEnd.engineMs, 3)}, context.sync() per row: ${fmt(atEnd.syncs / ROWS, 3)} (${atEnd.syncs} in all), inserted ${atEnd.inserted}/${atEnd.rows}`);
