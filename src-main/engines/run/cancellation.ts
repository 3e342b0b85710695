// How a run ends early: cancelled by the orchestrator (it ends for good), stopped (it can be
// resumed from its last checkpoint), or failed with a reason people can act on.
export class RunFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailed';
  }
}

export class RunCancelled extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunCancelled';
  }
}

/** A deliberate stop, or the hub shutting down: the run keeps its journal and can be resumed. */
export class RunInterrupted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunInterrupted';
  }
}

/** One abort signal per run, and one promise that rejects when it fires. */
export class Cancellation {
  private readonly abort = new AbortController();
  private rejection: Promise<never> | undefined;

  get aborted(): boolean {
    return this.abort.signal.aborted;
  }

  get reason(): unknown {
    return this.abort.signal.reason;
  }

  cancel(reason: RunCancelled | RunInterrupted): void {
    if (!this.aborted) this.abort.abort(reason);
  }

  /** Throws the reason the run was cancelled, if it was. */
  check(): void {
    if (this.aborted) throw this.abort.signal.reason;
  }

  /** Rejects when the run is cancelled; one promise (and one listener) for the run's life. */
  cancelled(): Promise<never> {
    if (!this.rejection) {
      this.rejection = new Promise<never>((_, reject) => {
        if (this.aborted) reject(this.abort.signal.reason);
        else this.abort.signal.addEventListener('abort', () => reject(this.abort.signal.reason), { once: true });
      });
      this.rejection.catch(() => undefined);
    }
    return this.rejection;
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.cancelled()]);
  }
}
