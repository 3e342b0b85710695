// What a participant may tell the hub unasked (today: the data tags it declares, `party.tags`).
// Each notice costs the hub a store write, so a participant gets a budget: notices of at most
// 1 MiB with no tensors, 30 at once (one per project when it connects) and then one every two
// seconds. Anything over is refused and logged by the peer, and never reaches the store. The
// budget belongs to the participant, not the connection: reconnecting does not refill it.
import { formatLimit } from '../../protocol/limits';
import type { NoticeGuard } from '../../protocol/peer';
import { TokenBucket, type RateLimit } from '../../protocol/rate-limit';

export interface NoticeLimits extends RateLimit {
  maxBytes: number;
}

export const NOTICE_LIMITS: NoticeLimits = { maxBytes: 1024 * 1024, burst: 30, perMinute: 30 };

export class NoticeLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: NoticeLimits = NOTICE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The guard for one participant's notices (of every type: they share its budget). */
  guardFor(participant: string): NoticeGuard {
    return ({ bytes, tensors }) => {
      if (tensors > 0) return 'a notice carries no tensors';
      if (bytes > this.limits.maxBytes) return `a ${bytes}-byte notice, over the ${formatLimit(this.limits.maxBytes)} limit`;
      let bucket = this.buckets.get(participant);
      if (!bucket) this.buckets.set(participant, (bucket = new TokenBucket(this.limits, this.now)));
      if (!bucket.take()) return `too many notices from "${participant}" (at most ${this.limits.burst} at once, then ${this.limits.perMinute} a minute)`;
      return undefined;
    };
  }
}
