// Rate-limits failed handshakes per remote address: after `maxFailures` failures within
// `windowMs`, the address is turned away for `blockMs` without being heard. A successful
// handshake clears its record. Memory stays bounded however many addresses knock.
export interface HandshakeGuardOptions {
  maxFailures?: number;
  windowMs?: number;
  blockMs?: number;
  /** Most addresses remembered; the oldest records go first. */
  capacity?: number;
  now?: () => number;
}

interface Record {
  failures: number[];
  blockedUntil: number;
}

export class HandshakeGuard {
  private readonly records = new Map<string, Record>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(options: HandshakeGuardOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.capacity = options.capacity ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds this address must still wait; 0 if it may try. */
  blockedFor(address: string): number {
    const record = this.records.get(address);
    return record ? Math.max(0, record.blockedUntil - this.now()) : 0;
  }

  /** Records a failed handshake; returns true if it just got the address blocked. */
  failed(address: string): boolean {
    const now = this.now();
    const record = this.records.get(address) ?? { failures: [], blockedUntil: 0 };
    this.records.delete(address); // re-inserted last: the map's order is least recently seen first
    record.failures = record.failures.filter((at) => now - at < this.windowMs);
    record.failures.push(now);
    let blocked = false;
    if (record.failures.length >= this.maxFailures && record.blockedUntil <= now) {
      record.blockedUntil = now + this.blockMs;
      record.failures = [];
      blocked = true;
    }
    this.records.set(address, record);
    while (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value!);
    return blocked;
  }

  succeeded(address: string): void {
    this.records.delete(address);
  }
}
