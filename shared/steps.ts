/**
 * Sliced computations: work written as a generator that yields between pieces (a few milliseconds each), so a
 * caller on the UI thread can give the event loop a turn between them ({@link runSliced}) and Cancel stays live.
 * {@link runSteps} is the synchronous form: the same work, without pausing.
 */

/** Drives a step generator to its end without pausing: the synchronous form of a sliced computation. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Options of {@link runSliced}. */
export interface SliceOptions {
  /** Checked between slices: once aborted, the work stops and resolves undefined. */
  signal?: AbortSignal;
  /** Work done before the event loop gets a turn (default {@link SLICE_MS}). */
  sliceMs?: number;
}

/** Milliseconds of work between two turns of the event loop: well under a frame's worth of blocking. */
export const SLICE_MS = 8;

/** A macrotask later: `scheduler.yield()` where the browser has it, else setImmediate (Node), MessageChannel, setTimeout. */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof globalThis.setImmediate === 'function') return new Promise((resolve) => globalThis.setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    // Not setTimeout: nested timers are clamped to 4 ms each.
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs a step generator in slices of about `sliceMs`, giving the event loop a turn between slices (so the pane
 * paints and Cancel is handled); resolves undefined, without finishing, once `signal` is aborted.
 */
export async function runSliced<T>(steps: Generator<void, T, void>, options: SliceOptions = {}): Promise<T | undefined> {
  const sliceMs = options.sliceMs ?? SLICE_MS;
  let sliceStart = performance.now();
  for (;;) {
    if (options.signal?.aborted) return undefined;
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTask();
      sliceStart = performance.now();
    }
  }
}
