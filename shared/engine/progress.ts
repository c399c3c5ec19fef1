/**
 * Turns WebLLM's `InitProgressReport`s into {@link LoadProgress}: phase, bytes, an overall fraction that only
 * grows, and an estimate of the time left computed from the measured throughput.
 *
 * WebLLM (0.2.86, via tvmjs) reports in this order, each phase with its own 0..1 `progress`:
 * - "Start to fetch params"
 * - "Fetching param cache[3/20]: 120MB fetched. 14% completed, 9 secs elapsed. …" — only when not cached;
 *   progress = fetched bytes / total bytes
 * - "Loading model from cache[3/20]: 120MB loaded. 14% completed, 2 secs elapsed."
 * - "Loading GPU shader modules[40/120]: 33% completed, 3 secs elapsed."
 * - "Finish loading on WebGPU - …" (progress 1)
 */
import type { LoadPhase, LoadProgress } from './port';

/** The shape of WebLLM's InitProgressReport (declared here so the page never imports WebLLM). */
export interface InitProgressLike {
  progress: number;
  timeElapsed: number;
  text: string;
}

/** What one report says, parsed from its text. */
export interface ParsedInitProgress {
  phase: LoadPhase;
  /** 0..1 within the phase. */
  phaseFraction: number;
  /** Shard counter, for the fetch and cache phases. */
  shard?: { index: number; count: number };
  /** Megabytes fetched / loaded so far (WebLLM rounds up to whole MB). */
  megabytes?: number;
}

const MiB = 2 ** 20;

/** Parses one WebLLM progress report. Unknown texts keep the previous phase's meaning as 'starting'. */
export function parseInitProgress(report: InitProgressLike): ParsedInitProgress {
  const text = report.text;
  const p = Number.isFinite(report.progress) ? Math.min(1, Math.max(0, report.progress)) : 0;
  const shardMatch = /\[(\d+)\/(\d+)\]/.exec(text);
  const shard = shardMatch ? { index: Number(shardMatch[1]), count: Number(shardMatch[2]) } : undefined;
  const mbMatch = /(\d+)\s*MB (fetched|loaded)/.exec(text);
  const megabytes = mbMatch ? Number(mbMatch[1]) : undefined;
  const withOptional = (phase: LoadPhase): ParsedInitProgress => {
    const r: ParsedInitProgress = { phase, phaseFraction: p };
    if (shard) r.shard = shard;
    if (megabytes !== undefined) r.megabytes = megabytes;
    return r;
  };
  if (/^Fetching param cache/i.test(text)) return withOptional('downloading');
  if (/^Loading model from cache/i.test(text)) return withOptional('loading');
  if (/^Loading GPU shader modules/i.test(text)) return withOptional('compiling');
  if (/^Finish loading/i.test(text) || (p >= 1 && /finish/i.test(text))) return { phase: 'ready', phaseFraction: 1 };
  return { phase: 'starting', phaseFraction: 0 };
}

/** Share of the overall bar given to each phase, when the model has to be downloaded and when it is cached. */
const WEIGHTS_DOWNLOAD: Record<LoadPhase, [number, number]> = {
  starting: [0, 0],
  downloading: [0, 0.9],
  loading: [0.9, 0.97],
  compiling: [0.97, 1],
  ready: [1, 1],
};
const WEIGHTS_CACHED: Record<LoadPhase, [number, number]> = {
  starting: [0, 0],
  downloading: [0, 0],
  loading: [0, 0.75],
  compiling: [0.75, 1],
  ready: [1, 1],
};

/** Window over which throughput is measured: long enough to smooth bursts, short enough to follow changes. */
const RATE_WINDOW_MS = 8_000;
/** No estimate before this much of a phase has been observed: early numbers swing wildly. */
const MIN_OBSERVATION_MS = 1_000;

/** Follows one load; feed it every report in order. */
export class LoadProgressTracker {
  private downloaded = false;
  private fraction = 0;
  private phase: LoadPhase = 'starting';
  private samples: { t: number; value: number }[] = [];
  private totalBytes: number | undefined;

  /**
   * @param now clock in milliseconds (injectable for tests).
   * @param expectedBytes the registry's approximate download size, used until WebLLM's reports reveal the total.
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly expectedBytes?: number,
  ) {}

  /** Converts one report; the result's `fraction` never decreases. */
  update(report: InitProgressLike): LoadProgress {
    const parsed = parseInitProgress(report);
    const t = this.now();
    if (parsed.phase === 'downloading') this.downloaded = true;
    if (parsed.phase !== this.phase) {
      this.phase = parsed.phase;
      this.samples = [];
    }
    const weights = (this.downloaded ? WEIGHTS_DOWNLOAD : WEIGHTS_CACHED)[parsed.phase];
    const overall = weights[0] + (weights[1] - weights[0]) * parsed.phaseFraction;
    this.fraction = Math.max(this.fraction, Math.min(1, overall));

    const result: LoadProgress = { fraction: this.fraction, phase: parsed.phase, text: report.text };

    if ((parsed.phase === 'downloading' || parsed.phase === 'loading') && parsed.megabytes !== undefined) {
      // WebLLM rounds MB up; the total derived from the largest fraction seen is the most accurate one.
      if (parsed.phaseFraction > 0) {
        const derived = (parsed.megabytes * MiB) / parsed.phaseFraction;
        if (parsed.phaseFraction >= 0.05 || this.totalBytes === undefined) this.totalBytes = derived;
      }
      const total = this.totalBytes ?? this.expectedBytes;
      if (total !== undefined) {
        result.totalBytes = Math.round(total);
        result.loadedBytes = Math.min(Math.round(total * parsed.phaseFraction), result.totalBytes);
      }
    } else if (parsed.phase === 'starting' && this.expectedBytes !== undefined) {
      result.totalBytes = this.expectedBytes;
      result.loadedBytes = 0;
    }

    this.samples.push({ t, value: parsed.phaseFraction });
    const secondsLeft = this.estimateSecondsLeft(parsed.phaseFraction, t);
    if (secondsLeft !== undefined) result.secondsLeft = secondsLeft;
    if (parsed.phase === 'ready') result.secondsLeft = 0;
    return result;
  }

  /**
   * Seconds left in the current phase: remaining fraction divided by the rate over the last window. During the
   * download (which dominates a first load) this is bytes left / measured bytes per second.
   */
  private estimateSecondsLeft(current: number, t: number): number | undefined {
    while (this.samples.length > 2 && t - (this.samples[1]?.t ?? t) >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    if (!first || this.phase === 'starting' || this.phase === 'ready') return undefined;
    const dt = t - first.t;
    const dv = current - first.value;
    if (dt < MIN_OBSERVATION_MS || dv <= 0) return undefined;
    const ratePerMs = dv / dt;
    return Math.max(0, Math.round((1 - current) / ratePerMs / 1000));
  }
}
