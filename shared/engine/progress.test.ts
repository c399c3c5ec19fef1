import { describe, expect, it } from 'vitest';
import { LoadProgressTracker, parseInitProgress } from './progress';

const MiB = 2 ** 20;
const fetchText = (i: number, n: number, mb: number, pct: number, secs: number): string =>
  `Fetching param cache[${i}/${n}]: ${mb}MB fetched. ${pct}% completed, ${secs} secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.`;

describe('parseInitProgress', () => {
  it("reads WebLLM's texts", () => {
    expect(parseInitProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' }).phase).toBe('starting');
    expect(parseInitProgress({ progress: 0.25, timeElapsed: 3, text: fetchText(5, 20, 256, 25, 3) })).toEqual({
      phase: 'downloading',
      phaseFraction: 0.25,
      shard: { index: 5, count: 20 },
      megabytes: 256,
    });
    expect(parseInitProgress({ progress: 0.5, timeElapsed: 1, text: 'Loading model from cache[10/20]: 512MB loaded. 50% completed, 1 secs elapsed.' }).phase).toBe('loading');
    expect(parseInitProgress({ progress: 0.3, timeElapsed: 1, text: 'Loading GPU shader modules[30/100]: 30% completed, 1 secs elapsed.' }).phase).toBe('compiling');
    expect(parseInitProgress({ progress: 1, timeElapsed: 9, text: 'Finish loading on WebGPU - nvidia' }).phase).toBe('ready');
  });
});

describe('LoadProgressTracker', () => {
  it('estimates time left from measured throughput (1000 MB at 10 MB/s)', () => {
    let now = 0;
    const t = new LoadProgressTracker(() => now, 1000 * MiB);
    expect(t.update({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' })).toMatchObject({ totalBytes: 1000 * MiB, loadedBytes: 0 });
    const at = (secs: number): ReturnType<LoadProgressTracker['update']> => {
      now = secs * 1000;
      const mb = secs * 10;
      return t.update({ progress: mb / 1000, timeElapsed: secs, text: fetchText(secs, 100, mb, Math.floor(mb / 10), secs) });
    };
    expect(at(1).secondsLeft).toBeUndefined(); // one sample: no rate yet
    at(2);
    const p = at(10);
    expect(p.totalBytes).toBe(1000 * MiB);
    expect(p.loadedBytes).toBe(100 * MiB);
    expect(p.secondsLeft).toBe(90);
    expect(p.fraction).toBeCloseTo(0.09, 5);
  });

  it('follows a slow-down: the rate is measured over a recent window', () => {
    let now = 0;
    const t = new LoadProgressTracker(() => now);
    let mb = 0;
    for (let s = 1; s <= 20; s++) {
      now = s * 1000;
      mb += s <= 10 ? 20 : 5; // 20 MB/s, then 5 MB/s
      const last = t.update({ progress: mb / 1000, timeElapsed: s, text: fetchText(s, 100, mb, Math.floor(mb / 10), s) });
      if (s === 20) expect(last.secondsLeft).toBeGreaterThan(100); // 750 MB left at ~5 MB/s ≈ 150 s
    }
  });

  it('never moves backwards across phases and ends at 1', () => {
    let now = 0;
    const t = new LoadProgressTracker(() => (now += 100));
    const fractions = [
      t.update({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' }),
      t.update({ progress: 0.5, timeElapsed: 1, text: fetchText(1, 2, 50, 50, 1) }),
      t.update({ progress: 1, timeElapsed: 2, text: fetchText(2, 2, 100, 100, 2) }),
      t.update({ progress: 0.5, timeElapsed: 2, text: 'Loading model from cache[1/2]: 50MB loaded. 50% completed, 2 secs elapsed.' }),
      t.update({ progress: 0.1, timeElapsed: 2, text: 'Loading GPU shader modules[1/10]: 10% completed, 2 secs elapsed.' }),
      t.update({ progress: 1, timeElapsed: 3, text: 'Finish loading on WebGPU - x' }),
    ].map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });

  it('a cached load gives the bar to loading and compiling', () => {
    const t = new LoadProgressTracker(() => 0);
    const p = t.update({ progress: 0.5, timeElapsed: 1, text: 'Loading model from cache[1/2]: 50MB loaded. 50% completed, 1 secs elapsed.' });
    expect(p.fraction).toBeCloseTo(0.375, 5);
    expect(p.phase).toBe('loading');
  });
});
