/**
 * One-at-a-time execution of async jobs: the insertion queues of every host, the audit-part writers, the batch's
 * inserts. Each job starts after every job queued before it has settled; a failed job does not stop the ones after
 * it (its caller gets the failure).
 */
export class Serial {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `job` after the jobs queued before it; resolves or rejects with `job`'s outcome. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every job queued so far has settled. */
  idle(): Promise<void> {
    return this.tail;
  }
}
