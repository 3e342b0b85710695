import { describe, expect, it } from 'vitest';
import { HandshakeGuard } from '../../../src-main/protocol/handshake-guard';

describe('HandshakeGuard', () => {
  it('blocks an address after maxFailures within the window, for blockMs, then lets it try again', () => {
    let now = 0;
    const guard = new HandshakeGuard({ maxFailures: 3, windowMs: 1_000, blockMs: 5_000, now: () => now });
    expect(guard.failed('10.0.0.1')).toBe(false);
    expect(guard.failed('10.0.0.1')).toBe(false);
    expect(guard.blockedFor('10.0.0.1')).toBe(0);
    expect(guard.failed('10.0.0.1')).toBe(true);
    expect(guard.blockedFor('10.0.0.1')).toBe(5_000);
    expect(guard.blockedFor('10.0.0.2')).toBe(0);
    now = 4_000;
    expect(guard.blockedFor('10.0.0.1')).toBe(1_000);
    now = 5_000;
    expect(guard.blockedFor('10.0.0.1')).toBe(0);
  });

  it('forgets failures older than the window, and all of them after a success', () => {
    let now = 0;
    const guard = new HandshakeGuard({ maxFailures: 2, windowMs: 1_000, blockMs: 5_000, now: () => now });
    guard.failed('a');
    now = 1_500;
    expect(guard.failed('a')).toBe(false); // the first failure fell out of the window
    guard.succeeded('a');
    expect(guard.failed('a')).toBe(false);
  });

  it('remembers a bounded number of addresses', () => {
    const guard = new HandshakeGuard({ maxFailures: 2, capacity: 100 });
    for (let i = 0; i < 1_000; i++) guard.failed(`addr-${i}`);
    expect((guard as unknown as { records: Map<string, unknown> }).records.size).toBe(100);
    // The most recent addresses are the ones kept.
    expect(guard.failed('addr-999')).toBe(true);
  });
});
