// What the hub and the workers share about party connections: TLS endpoints that turn away
// addresses with too many failed handshakes, peers that must authenticate before anything else
// and report every message to the security log, and the log lines for each handshake.
import type { Log } from '../../engines/ports';
import type { TlsMaterial } from '../../protocol/certificates';
import type { ConnectionLimits } from '../../protocol/connection-gate';
import { HANDSHAKE_TYPES } from '../../protocol/handshake';
import { HandshakeGuard, type HandshakeGuardOptions } from '../../protocol/handshake-guard';
import { DEFAULT_MAX_FRAME_BYTES, PRE_AUTH_MAX_MESSAGE_BYTES } from '../../protocol/limits';
import { Peer, type PeerOptions } from '../../protocol/peer';
import { listen, type Listener } from '../../protocol/transport';
import type { SecurityRecorder } from '../../store/security-log';
import { HUB_CONNECTION_LIMITS, partyDoorkeeper } from './doorkeeper';

export interface PartyConnectionOptions {
  log: Log;
  security: SecurityRecorder;
  heartbeatMs: number;
  /** The largest frame an authenticated party may send. */
  maxFrameBytes?: number;
}

/**
 * A peer that must authenticate first, and whose every message goes to the security log. Until
 * the other side has authenticated it takes no tensor frame and no message over 16 KiB.
 */
export function partyPeer(socket: ConstructorParameters<typeof Peer>[0], label: string, options: PartyConnectionOptions, extra: Partial<PeerOptions> = {}): Peer {
  let refusedCount = 0;
  return new Peer(socket, {
    label,
    heartbeatMs: options.heartbeatMs,
    handshake: HANDSHAKE_TYPES,
    preAuthMaxMessageBytes: PRE_AUTH_MAX_MESSAGE_BYTES,
    maxMessageBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
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
  /** Connections still in their handshake, in total and per address (default: a hub's). */
  limits?: ConnectionLimits;
  /** Authenticates the connection; resolves with who it is, or rejects with why not. */
  authenticate: (peer: Peer, address: string) => Promise<string>;
}

/**
 * Listens for party connections over TLS. Each TCP connection is screened before TLS (blocked
 * addresses, too many connections in their handshake: see doorkeeper.ts); each one let in gets
 * an authenticating peer, and a failed handshake counts against its address.
 */
export async function listenForParties(options: PartyEndpointOptions): Promise<Listener> {
  const guard = new HandshakeGuard(options.guard);
  const doorkeeper = partyDoorkeeper(guard, options.limits ?? HUB_CONNECTION_LIMITS, options);
  return listen(
    // Strangers' frames are small; a peer raises its own limit once the other side is authenticated.
    { host: options.host, port: options.port, tls: { cert: options.tls.cert, key: options.tls.key }, maxFrameBytes: PRE_AUTH_MAX_MESSAGE_BYTES, doorkeeper: doorkeeper.admit },
    (socket, request, admission) => {
      const address = request.socket.remoteAddress ?? 'unknown address';
      const peer = partyPeer(socket, address, options);
      options.authenticate(peer, address).then(
        (who) => {
          admission?.leave();
          guard.succeeded(address);
          doorkeeper.forget(address);
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
