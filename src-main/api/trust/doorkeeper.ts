// Who may even begin a handshake with a party endpoint, decided as each TCP connection is
// accepted, before TLS: not an address blocked after repeated failed handshakes, and not more
// connections still in their handshake than the limits allow (in total and per address). A
// connection turned away is reset at once and logged, one line per address and reason every
// ten seconds however hard it knocks.
import type { Log } from '../../engines/ports';
import { ConnectionGate, type ConnectionLimits } from '../../protocol/connection-gate';
import type { HandshakeGuard } from '../../protocol/handshake-guard';
import type { Doorkeeper } from '../../protocol/transport';
import type { SecurityRecorder } from '../../store/security-log';

export type { ConnectionLimits } from '../../protocol/connection-gate';

/** A hub serves many participants, some behind one address (a hospital's network). */
export const HUB_CONNECTION_LIMITS: ConnectionLimits = { maxWaiting: 256, maxWaitingPerAddress: 16 };
/** A listening worker is dialled by its hubs' TTPs only. */
export const LISTENING_WORKER_CONNECTION_LIMITS: ConnectionLimits = { maxWaiting: 32, maxWaitingPerAddress: 8 };

const LOG_EVERY_MS = 10_000;
/** Addresses remembered for throttled logging; the oldest go first. */
const REMEMBERED = 10_000;

export interface PartyDoorkeeper {
  admit: Doorkeeper;
  /** The address authenticated: forget its turned-away tally. */
  forget(address: string): void;
  gate: ConnectionGate;
}

export function partyDoorkeeper(guard: HandshakeGuard, limits: ConnectionLimits, sinks: { security: SecurityRecorder; log: Log }, now: () => number = Date.now): PartyDoorkeeper {
  const gate = new ConnectionGate(limits);
  const tallies = new Map<string, { count: number; loggedAt: number }>();

  const turnAway = (address: string, kind: string, reason: (count: number) => string): { refused: string } => {
    const key = `${kind} ${address}`;
    const tally = tallies.get(key) ?? { count: 0, loggedAt: Number.NEGATIVE_INFINITY };
    tallies.delete(key); // re-inserted last: the map's order is least recently seen first
    tally.count += 1;
    const text = reason(tally.count);
    if (now() - tally.loggedAt >= LOG_EVERY_MS) {
      sinks.security.record({ direction: 'inbound', kind: 'connection', peer: address, what: 'connection', bytes: 0, outcome: 'refused', reason: text });
      sinks.log.warn('connection turned away', { peer: address, reason: text });
      tally.count = 0;
      tally.loggedAt = now();
    }
    tallies.set(key, tally);
    while (tallies.size > REMEMBERED) tallies.delete(tallies.keys().next().value!);
    return { refused: text };
  };
  const turned = (count: number) => `${count} connection${count === 1 ? '' : 's'} turned away`;

  return {
    gate,
    admit: (address) => {
      const waitMs = guard.blockedFor(address);
      if (waitMs > 0) return turnAway(address, 'blocked', (count) => `rate-limited after repeated failed handshakes (${turned(count)})`);
      const verdict = gate.enter(address);
      if (!verdict.ok) return turnAway(address, verdict.perAddress ? 'address' : 'total', (count) => `${verdict.reason} (${turned(count)})`);
      return { admitted: { leave: verdict.leave } };
    },
    forget: (address) => {
      for (const kind of ['blocked', 'address', 'total']) tallies.delete(`${kind} ${address}`);
    },
  };
}
