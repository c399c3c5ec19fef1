/**
 * Long-source preparation in slices (issue 15, "preparation … in slices with Cancel live"): the sliced evidence
 * is the synchronous evidence byte for byte, the event loop gets turns while a 50,000-character source is
 * prepared, and Cancel during preparation ends the generation with nothing sent to the model.
 */
import { describe, expect, it } from 'vitest';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { exitEn, exitZh, talentEn, talentZh } from '../../shared/output/test-fixtures';
import { guardText, guardTextSteps } from '../../shared/guard';
import { prepareEvidence, prepareEvidenceSliced } from '../../shared/pipeline/evidence';
import { generate } from '../../shared/pipeline/generate';
import type { PipelineSource } from '../../shared/pipeline/types';
import { chunkSource, chunkSourceSteps } from '../../shared/source';
import { MAX_SOURCE_CHARS } from '../../shared/source/limits';
import type { Template } from '../../shared/templates/schema';
import { FakeEngine } from '../doubles/fake-engine';

const exitCases = exitJson.cases as unknown as Array<{ lang: string; kind: 'transcript' | 'notes'; source: string }>;
const talentCases = talentJson.cases as unknown as Array<{ row: Record<string, string> }>;

/** A long transcript of the fixtures' own lines (allegations, traits, names and phone numbers included). */
function longTranscript(chars: number): string {
  const unit = `${exitCases.map((c) => c.source).join('\n')}\n`;
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** Counts event-loop turns (macrotasks) until stopped. */
function ticker(): { count: () => number; stop: () => void } {
  let n = 0;
  let live = true;
  const tick = (): void => {
    if (!live) return;
    n += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { count: () => n, stop: () => (live = false) };
}

describe('sliced preparation', () => {
  const cases: Array<[string, Template, PipelineSource]> = [
    ...exitCases.map((c, i): [string, Template, PipelineSource] => [`exit ${i}`, c.lang.startsWith('zh') ? exitZh : exitEn, { kind: c.kind, text: c.source }]),
    ...talentCases.map((c, i): [string, Template, PipelineSource] => [`talent ${i}`, talentZh, { kind: 'table-row', fields: c.row, header: Object.keys(c.row), rowIndex: i + 1 }]),
    ['long zh transcript', exitZh, { kind: 'transcript', text: longTranscript(MAX_SOURCE_CHARS) }],
    ['long notes, en template', exitEn, { kind: 'notes', text: longTranscript(20_000) }],
    ['talent row, en template', talentEn, { kind: 'table-row', fields: { Name: 'Jane', Comment: 'Strong delivery. '.repeat(200) }, header: ['Name', 'Comment'], rowIndex: 1 }],
  ];

  it.each(cases)('%s: the same evidence, byte for byte, when pausing at every step', async (_name, template, source) => {
    const sync = prepareEvidence(template, source);
    const sliced = await prepareEvidenceSliced(template, source, { sliceMs: 0 });
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(sync));
    expect(sliced).toEqual(sync);
  });

  it('gives the event loop turns while a source at the size limit is prepared', async () => {
    const source: PipelineSource = { kind: 'transcript', text: longTranscript(MAX_SOURCE_CHARS) };
    const t = ticker();
    const evidence = await prepareEvidenceSliced(exitZh, source, { sliceMs: 2 });
    t.stop();
    expect(evidence?.normalised.turns.length).toBeGreaterThan(100);
    // Synchronous preparation would let no turn happen at all.
    expect(t.count()).toBeGreaterThan(5);
  });

  it('the guard over a source at the size limit pauses too (its name search every few thousand characters), with the same result', () => {
    const text = longTranscript(MAX_SOURCE_CHARS);
    const steps = guardTextSteps(text, { language: 'zh' });
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) pauses += 1;
    // Before, the whole guard (redaction, term scan, name search: ~40 ms here) was one unbroken step.
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(MAX_SOURCE_CHARS / 4096));
    expect(JSON.stringify(r.value)).toBe(JSON.stringify(guardText(text, { language: 'zh' })));
    expect(r.value.redacted.redactions.length).toBeGreaterThan(0);
  });

  it('cutting a source at the size limit into parts for a small context window pauses every 64 turns, with the same parts', () => {
    const evidence = prepareEvidence(exitZh, { kind: 'transcript', text: longTranscript(MAX_SOURCE_CHARS) });
    const steps = chunkSourceSteps(evidence.normalised, 1500);
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) pauses += 1;
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(evidence.normalised.turns.length / 64));
    expect(r.value.length).toBeGreaterThan(5);
    expect(JSON.stringify(r.value)).toBe(JSON.stringify(chunkSource(evidence.normalised, 1500)));
  });

  it('Cancel during preparation of a long source stops it: no evidence, and generate() sends nothing', async () => {
    const source: PipelineSource = { kind: 'transcript', text: longTranscript(MAX_SOURCE_CHARS) };
    const controller = new AbortController();
    setImmediate(() => controller.abort()); // the writer clicks Cancel at the first turn the pane gets
    expect(await prepareEvidenceSliced(exitZh, source, { signal: controller.signal, sliceMs: 1 })).toBeUndefined();

    const engine = new FakeEngine({ outputs: ['## 离职原因\n通勤太远。'] });
    const cancel = new AbortController();
    let steps = 0;
    setImmediate(() => cancel.abort());
    const result = await generate({ template: exitZh, source, engine, modelId: 'm', signal: cancel.signal, onStep: () => (steps += 1) });
    expect(result.finishReason).toBe('abort');
    expect(engine.requests).toHaveLength(0);
    expect(steps).toBe(0);
    expect(Object.values(result.sections).join('')).toBe('');
  });
});
