/**
 * Sliced computations: work written as a generator that yields between pieces (a few milliseconds each), so a
 * caller on the UI thread can give the event loop a turn between them (shared/pipeline/evidence.ts `runSliced`)
 * and Cancel stays live. {@link runSteps} is the synchronous form: the same work, without pausing.
 */

/** Drives a step generator to its end without pausing: the synchronous form of a sliced computation. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
