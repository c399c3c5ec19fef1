/**
 * The batch against a company server: OpenAiCompatibleEngine over real HTTP + SSE to the local test server, rows
 * N at a time, WordHost over the Word double. Rows finish out of order (later rows answer faster), yet insertions
 * run one at a time and in row order; pause, cancel and retry keep their meaning with rows in flight.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { WordHost } from '../../addin/word/word-host';
import { OpenAiCompatibleEngine } from '../../shared/engine/openai-engine';
import type { InsertionPlan } from '../../shared/host/port';
import { talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { BatchRunner, type BatchState } from '../../shared/pipeline/batch';
import { tableToRecords } from '../../shared/source';
import { startOpenAiTestServer, type ReceivedRequest, type TestServer } from '../doubles/openai-server';
import { WordMock } from '../doubles/office-mock';

const cases = talentJson.cases as unknown as Array<{ id: string; row: Record<string, string> }>;
const outputs = talentFixtures();
const header = ['岗位', '绩效', '潜力', '技术深度', '跨团队协作', '专业能力', '带人意愿', '入职', '360反馈', '学习敏锐度', '备注'];
/** 12 rows: the four fixture rows three times over. */
const REPEAT = 3;
const tableRows: string[][] = [[...header, '评语'], ...Array.from({ length: REPEAT }, () => cases.map((c) => [...header.map((h) => c.row[h] ?? ''), ''])).flat()];
const read = tableToRecords(tableRows);
if (!read.ok) throw new Error(read.message);
const records = read.records;

function caseOf(body: ReceivedRequest): number {
  const user = body.messages[1]?.content ?? '';
  return cases.findIndex((c) => user.includes(`岗位: ${c.row['岗位'] ?? ''}`));
}

/** Each row's fixture record, in 6-character pieces. */
function reply(body: ReceivedRequest): string[] {
  const text = outputs[caseOf(body)]?.text ?? '';
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 6) pieces.push(text.slice(i, i + 6));
  return pieces;
}

let server: TestServer;
let mock: WordMock | undefined;
beforeEach(async () => {
  server = await startOpenAiTestServer({ models: { 'hr-model': 8192 }, reply });
});
afterEach(async () => {
  mock?.uninstall();
  mock = undefined;
  await server.close();
});

async function engine(concurrency?: number): Promise<OpenAiCompatibleEngine> {
  const e = new OpenAiCompatibleEngine({ server: { kind: 'vllm', baseUrl: server.baseUrl, model: 'hr-model', ...(concurrency !== undefined ? { concurrency } : {}) } });
  await e.load('hr-model');
  return e;
}

/** WordHost whose apply calls are recorded: overlapping calls and the order of the rows inserted. */
async function recordingHost(): Promise<{ host: WordHost; tableId: string; order: number[]; overlaps: () => number }> {
  mock = new WordMock({ body: ['人才盘点', tableRows, '附注'], selection: { table: 0, rows: [1, 1] } }).install();
  const host = new WordHost();
  const table = await host.readTable();
  if (!table.ok) throw new Error(table.message);
  const order: number[] = [];
  let active = 0;
  let overlaps = 0;
  const apply = host.apply.bind(host);
  host.apply = async (plans: readonly InsertionPlan[]) => {
    active += 1;
    if (active > 1) overlaps += 1;
    for (const p of plans) if (p.target.kind === 'after-table') order.push(Number(p.target.title));
    try {
      return await apply(plans);
    } finally {
      active -= 1;
    }
  };
  return { host, tableId: table.table.tableId, order, overlaps: () => overlaps };
}

function runner(e: OpenAiCompatibleEngine, more: Partial<ConstructorParameters<typeof BatchRunner>[0]> = {}): BatchRunner {
  return new BatchRunner({ template: talentZh, engine: e, modelId: 'hr-model', header: read.ok ? read.header : [], records, ...more });
}

describe('batch against a company server', () => {
  it('keeps the engine’s concurrency in flight (default 8) and finishes every row', async () => {
    server.set({ tokenDelayMs: 2 });
    const e = await engine();
    expect(e.concurrency).toBe(8);
    const final = await runner(e).start();
    expect(final.status).toBe('finished');
    expect(final.counts.done + final.counts.flagged).toBe(records.length);
    expect(server.maxActive).toBe(8);
    expect(server.requests).toHaveLength(records.length);
    // Each request carried the template's grammar in vLLM's structured_outputs field.
    expect(server.requests.every((r) => typeof r.structured_outputs?.grammar === 'string')).toBe(true);
  });

  it('rows finishing out of order are inserted one at a time and in row order', async () => {
    // Later rows answer faster: row k's tokens take (12 - k) ms each.
    let n = 0;
    const delays = new Map<ReceivedRequest, number>();
    server.set({
      tokenDelayMs: (body) => {
        if (!delays.has(body)) delays.set(body, Math.max(1, 12 - n++));
        return delays.get(body) ?? 1;
      },
    });
    const { host, tableId, order, overlaps } = await recordingHost();
    const finishedOrder: number[] = [];
    const b = runner(await engine(4), {
      host,
      insertFlagged: true,
      target: (row) => ({ kind: 'after-table', tableId, title: String(row.rowIndex) }),
    });
    b.subscribe((s) => {
      for (const r of s.rows) if ((r.status === 'done' || r.status === 'flagged') && !finishedOrder.includes(r.rowIndex)) finishedOrder.push(r.rowIndex);
    });
    const final = await b.start();
    expect(server.maxActive).toBe(4);
    expect(final.rows.every((r) => r.inserted)).toBe(true);
    // Generation finished out of order…
    expect(finishedOrder).not.toEqual([...finishedOrder].sort((a, b2) => a - b2));
    // …insertion did not: one apply at a time, rows ascending.
    expect(overlaps()).toBe(0);
    expect(order).toEqual(records.map((r) => r.rowIndex));
    expect((await host.readAudit()).map((a) => a.rowIndex)).toEqual(records.map((r) => r.rowIndex));
  });

  it('pause: rows in flight finish, no new row starts until resume', async () => {
    server.set({ tokenDelayMs: 3 });
    const b = runner(await engine(4));
    let paused: (s: BatchState) => void = () => undefined;
    const reached = new Promise<BatchState>((resolve) => (paused = resolve));
    let once = false;
    b.subscribe((s) => {
      if (!once && s.status === 'running' && s.counts.generating === 4) {
        once = true;
        b.pause();
      }
      if (s.status === 'paused' && s.counts.generating === 0 && once) paused(s);
    });
    const done = b.start();
    const state = await reached;
    expect(state.counts.done + state.counts.flagged).toBe(4);
    expect(state.counts.waiting).toBe(records.length - 4);
    const sent = server.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests.length).toBe(sent);
    expect(server.cancelled).toBe(0);
    b.resume();
    const final = await done;
    expect(final.counts.done + final.counts.flagged).toBe(records.length);
  });

  it('cancel aborts every row in flight (the server sees the connections close); those rows wait; start again finishes them', async () => {
    server.set({ tokenDelayMs: 5 });
    const b = runner(await engine(4));
    const running = b.start();
    // Four rows streaming on the server right now: cancel.
    await expect.poll(() => server.active, { interval: 2 }).toBe(4);
    b.cancel();
    const first = await running;
    expect(first.status).toBe('cancelled');
    expect(first.counts.generating).toBe(0);
    expect(first.counts.waiting).toBe(records.length - first.counts.done - first.counts.flagged);
    await expect.poll(() => server.cancelled).toBe(4);
    const second = await b.start();
    expect(second.status).toBe('finished');
    expect(second.counts.done + second.counts.flagged).toBe(records.length);
  });

  it('a row the server refuses (429) fails alone, with the server message; retry runs it again', async () => {
    server.set({ failWith: { status: 429, message: 'Too Many Requests', retryAfter: 5, on: 'chat', times: 1 } });
    const b = runner(await engine(4));
    const first = await b.start();
    expect(first.counts.failed).toBe(1);
    expect(first.rows.find((r) => r.status === 'failed')?.error).toContain('公司模型服务器');
    const second = await b.retryFailed();
    expect(second.counts.failed).toBe(0);
    expect(second.counts.done + second.counts.flagged).toBe(records.length);
  });
});
