// A token bucket: `burst` events at once, then one every `60 / perMinute` seconds.
export interface RateLimit {
  burst: number;
  perMinute: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.burst >= 1) || !(limit.perMinute > 0)) throw new Error(`a rate limit needs a burst of at least 1 and a positive rate, not ${JSON.stringify(limit)}`);
    this.tokens = limit.burst;
    this.updatedAt = now();
  }

  /** Takes one token if there is one; false if the event is over the limit. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.updatedAt) * this.limit.perMinute) / 60_000);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
