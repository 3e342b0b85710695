// What the hub and the workers share about party connections: TLS endpoints that turn away
// addresses with too many failed handshakes, peers that must authenticate before anything else
// and report every message to the security log, and the log lines for each handshake.
import type { IncomingMessage } from 'node:http';
import type { Log } from '../../engines/ports';
import type { TlsMaterial } from '../../protocol/certificates';
import { HANDSHAKE_TYPES } from '../../protocol/handshake';
import { HandshakeGuard, type HandshakeGuardOptions } from '../../protocol/handshake-guard';
import { Peer, type PeerOptions } from '../../protocol/peer';
import { DEFAULT_MAX_FRAME_BYTES } from '../../protocol/peer';
import { listen, PRE_AUTH_MAX_FRAME_BYTES, setFrameLimit, type Listener } from '../../protocol/transport';
import type { SecurityRecorder } from '../../store/security-log';

export interface PartyConnectionOptions {
  log: Log;
  security: SecurityRecorder;
  heartbeatMs: number;
  /** The largest frame an authenticated party may send. */
  maxFrameBytes?: number;
}

/** A peer that must authenticate first, and whose every message goes to the security log. */
export function partyPeer(socket: ConstructorParameters<typeof Peer>[0], label: string, options: PartyConnectionOptions, extra: Partial<PeerOptions> = {}): Peer {
  let refusedCount = 0;
  // Small frames until the other side has authenticated; the full size afterwards.
  setFrameLimit(socket, PRE_AUTH_MAX_FRAME_BYTES);
  return new Peer(socket, {
    label,
    heartbeatMs: options.heartbeatMs,
    handshake: HANDSHAKE_TYPES,
    // Garbage from a stranger goes to the security log only. From an authenticated party it is
    // worth a warning too, but a flood of it must not flood the log (or the UI): the first few,
    // then one line per thousand.
    onRefused: (problem, authenticated) => {
      if (!authenticated) return;
      refusedCount += 1;
      if (refusedCount <= 5) options.log.warn('refused input', { problem });
      else if (refusedCount % 1_000 === 0) options.log.warn('still refusing input from an authenticated party', { refused: refusedCount, latest: problem });
    },
    audit: (entry) => options.security.record({ kind: 'message', ...entry }),
    onSealed: () => setFrameLimit(socket, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    ...extra,
  });
}

/** Records the outcome of a handshake in the security log (and the log, when refused). */
export function recordHandshake(
  options: PartyConnectionOptions,
  entry: { direction: 'inbound' | 'outbound'; peer: string; outcome: 'accepted' | 'refused' | 'sent'; reason?: string },
): void {
  options.security.record({ kind: 'connection', what: 'handshake', bytes: 0, ...entry });
  if (entry.outcome === 'refused') options.log.warn('connection refused', { peer: entry.peer, reason: entry.reason });
}

export interface PartyEndpointOptions extends PartyConnectionOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  guard?: HandshakeGuardOptions;
  /** Authenticates the connection; resolves with who it is, or rejects with why not. */
  authenticate: (peer: Peer, address: string) => Promise<string>;
}

/**
 * Listens for party connections over TLS. Each one gets an authenticating peer; a failed
 * handshake counts against its address, and an address with too many is turned away unheard.
 */
export async function listenForParties(options: PartyEndpointOptions): Promise<Listener> {
  const guard = new HandshakeGuard(options.guard);
  const turnedAway = new Map<string, { count: number; loggedAt: number }>();
  return listen(
    { host: options.host, port: options.port, tls: { cert: options.tls.cert, key: options.tls.key }, ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}) },
    (socket, request: IncomingMessage) => {
      const address = request.socket.remoteAddress ?? 'unknown address';
      const waitMs = guard.blockedFor(address);
      if (waitMs > 0) {
        socket.close(1008, `too many failed handshakes; try again in ${Math.ceil(waitMs / 1000)} s`);
        // One line per address every ten seconds, however hard it knocks.
        const seen = turnedAway.get(address) ?? { count: 0, loggedAt: 0 };
        seen.count += 1;
        if (Date.now() - seen.loggedAt >= 10_000) {
          options.security.record({
            direction: 'inbound',
            kind: 'connection',
            peer: address,
            what: 'connection',
            bytes: 0,
            outcome: 'refused',
            reason: `rate-limited after repeated failed handshakes (${seen.count} connection${seen.count === 1 ? '' : 's'} turned away)`,
          });
          seen.count = 0;
          seen.loggedAt = Date.now();
        }
        turnedAway.set(address, seen);
        return;
      }
      const peer = partyPeer(socket, address, options);
      options.authenticate(peer, address).then(
        (who) => {
          guard.succeeded(address);
          turnedAway.delete(address);
          recordHandshake(options, { direction: 'inbound', peer: `${who} (${address})`, outcome: 'accepted' });
        },
        (error: Error) => {
          // The handshake has already answered with the reason; close once that is on its way.
          setTimeout(() => peer.close('handshake failed'), 200).unref();
          const blocked = guard.failed(address);
          recordHandshake(options, {
            direction: 'inbound',
            peer: address,
            outcome: 'refused',
            reason: blocked ? `${error.message}; this address is now blocked for a while after repeated failures` : error.message,
          });
        },
      );
    },
  );
}
