// Sockets: the hub listens, parties dial out (or listen, and the TTP dials them). Compression is
// off (tensor frames do not compress and deflate costs CPU); ws disables Nagle on its sockets.
//
// Party endpoints speak TLS 1.3 (wss://) with a self-signed certificate that the other side
// pins by fingerprint: dialling wss:// without a pin is refused, and so is any certificate but
// the pinned one. Plain ws:// remains for 127.0.0.1-only, token-guarded endpoints (admin, UI).
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { sameFingerprint } from './certificates';
import { DEFAULT_MAX_FRAME_BYTES } from './limits';

export { setFrameLimit } from './limits';
import { type ConnectAnswer, type ProxyChoice, proxyRefusal, proxyTimeout, proxyUnreachable, tunnelAgent } from './proxy';

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A connection let in by the doorkeeper: it counts as waiting until it has authenticated or closed. */
export interface Admission {
  /** The connection has authenticated (or closed): it no longer counts. Idempotent. */
  leave(): void;
}

/**
 * Decides, for each TCP connection as it is accepted and before a single byte is read from it,
 * whether it may go on to TLS and the WebSocket upgrade at all.
 */
export type Doorkeeper = (address: string) => { admitted: Admission } | { refused: string };

export interface ListenOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
  /** Serve wss:// with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Screens every TCP connection before TLS (see Doorkeeper). */
  doorkeeper?: Doorkeeper;
  /** With a doorkeeper: an admitted connection that has not authenticated within this time is cut (default 30 s). */
  admissionDeadlineMs?: number;
}

export async function listen(
  options: ListenOptions,
  onSocket: (socket: WebSocket, request: IncomingMessage, admission: Admission | undefined) => void,
): Promise<Listener> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.3' })
    : createHttpServer();
  // Plain HTTP requests get nothing but a 426; only WebSocket upgrades are served.
  server.on('request', (_request, response) => response.writeHead(426, { connection: 'close' }).end());
  // A client that stalls or breaks the TLS handshake is dropped without ceremony.
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  server.on('clientError', (_error: Error, socket: Socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, perMessageDeflate: false });
  const admissions = new Map<string, Admission>();
  const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    wss.handleUpgrade(request, socket, head, (ws) => onSocket(ws, request, admissions.get(keyOf(request.socket))));
  });

  // With a doorkeeper, TCP connections arrive at a plain server first and reach TLS only if let in.
  const front = options.doorkeeper ? admitThrough(options.doorkeeper, server, admissions, keyOf, options.admissionDeadlineMs ?? 30_000) : undefined;
  const listening = front?.server ?? server;
  await new Promise<void>((resolve, reject) => {
    listening.once('error', reject);
    listening.listen(options.port ?? 0, host, () => {
      listening.off('error', reject);
      resolve();
    });
  });
  const { port } = listening.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `${options.tls ? 'wss' : 'ws'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        if (front) {
          front.server.close(() => resolve());
          front.destroyAll();
        } else {
          server.close(() => resolve());
          server.closeAllConnections();
        }
      }),
  };
}

/** A plain TCP server that asks the doorkeeper about each connection, then hands it to `inner`. */
function admitThrough(doorkeeper: Doorkeeper, inner: Server, admissions: Map<string, Admission>, keyOf: (socket: Socket) => string, deadlineMs: number) {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    const verdict = doorkeeper(socket.remoteAddress ?? 'unknown address');
    if ('refused' in verdict) {
      // Nothing has been read: no TLS handshake, no HTTP, no WebSocket upgrade.
      socket.resetAndDestroy();
      return;
    }
    const key = keyOf(socket);
    const deadline = setTimeout(() => socket.destroy(), deadlineMs);
    deadline.unref();
    let left = false;
    const admission: Admission = {
      leave: () => {
        if (left) return;
        left = true;
        clearTimeout(deadline);
        admissions.delete(key);
        verdict.admitted.leave();
      },
    };
    admissions.set(key, admission);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      admission.leave();
    });
    inner.emit('connection', socket);
  });
  return {
    server,
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

export class CertificateMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly presented: string | undefined,
    readonly pinned: string,
  ) {
    super(
      `${url} presented ${presented ? `a certificate with fingerprint ${presented}` : 'no certificate'}, but the pinned one is ${pinned}. ` +
        'Cohort refuses to connect: someone may be intercepting the connection, or the certificate was replaced (ask the other party for a new invitation or fingerprint).',
    );
    this.name = 'CertificateMismatchError';
  }
}

export interface DialOptions {
  maxFrameBytes?: number;
  timeoutMs?: number;
  /** For wss://: the SHA-256 fingerprint the server's certificate must have. */
  certificate?: string;
  /** Go through this HTTP proxy (a CONNECT tunnel; TLS and the pin as without it). */
  proxy?: ProxyChoice;
}

/** Connects; the socket comes back paused, so no frame is lost before a Peer takes it over. */
export async function dial(url: string, options: DialOptions = {}): Promise<WebSocket> {
  const secure = url.startsWith('wss://');
  if (secure && !options.certificate) {
    throw new Error(`refusing to connect to ${url} without a pinned certificate fingerprint`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { proxy } = options;
  let answer: ConnectAnswer | undefined;
  const agent = proxy ? await tunnelAgent(proxy, (reply) => (answer = reply)) : undefined;
  return new Promise((resolve, reject) => {
    let mismatch: CertificateMismatchError | undefined;
    const socket = new WebSocket(url, {
      maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      // The certificate is self-signed: no CA vouches for it, the pin does (checked below,
      // before anything but the upgrade request has been sent).
      ...(secure ? { rejectUnauthorized: false, minVersion: 'TLSv1.3' as const } : {}),
      // RFC 6455 masking protects HTTP intermediaries from hostile browser scripts; between
      // Cohort processes it only costs a pass over every byte on both ends (a quarter of a
      // round's CPU for a 1M-parameter model). With an all-zero mask ws skips it both ways.
      // (Through a proxy the frames travel inside TLS, which the proxy cannot read either.)
      generateMask: zeroMask,
      ...(agent ? { agent } : {}),
    });
    if (secure) {
      socket.once('upgrade', (response: IncomingMessage) => {
        const presented = (response.socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
        if (!presented || !sameFingerprint(presented, options.certificate!)) {
          mismatch = new CertificateMismatchError(url, presented, options.certificate!);
          socket.terminate();
        }
      });
    }
    // ws's handshake timeout starts once a socket exists; a proxy that accepts the connection
    // but never answers CONNECT would otherwise hold the dial forever.
    const timer = proxy
      ? setTimeout(() => {
          if (answer === undefined) fail(proxyTimeout(proxy, timeoutMs));
          else fail(new Error(`${url} did not complete the WebSocket handshake within ${(timeoutMs / 1000).toFixed(0)} s`));
        }, timeoutMs + 1_000)
      : undefined;
    const fail = (error: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.removeAllListeners('open');
      socket.off('error', fail);
      socket.on('error', () => undefined); // terminate() below may still report the abort
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      reject(mismatch ?? (proxy ? blameProxy(proxy, url, answer, error) : closedEarly(error) ? new Error(`${url} closed the connection before it was set up: it may be turning this address away (after failed handshakes, or while too many connections wait)`) : error));
    };
    socket.once('error', fail);
    socket.once('open', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      // The peer may speak first, in the same packet as the upgrade response; hold its frames
      // until a Peer has attached its listeners (the Peer resumes the socket).
      socket.pause();
      resolve(socket);
    });
  });
}

/** The other side hung up before TLS or the upgrade was through. */
function closedEarly(error: Error & { code?: string }): boolean {
  return error.code === 'ECONNRESET' || /socket disconnected before secure TLS|socket hang up/i.test(error.message);
}

/** A failed dial through a proxy: the proxy's refusal, the proxy out of reach, or (tunnel open) the hub's own error. */
function blameProxy(proxy: ProxyChoice, url: string, answer: ConnectAnswer | undefined, error: Error): Error {
  if (answer === undefined) return error.name === 'ProxyError' ? error : proxyUnreachable(proxy, error);
  if (answer.statusCode !== 200) return proxyRefusal(proxy, url, answer);
  return error;
}

function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}

/** Delays between reconnection attempts: exponential with jitter, capped. */
export function backoffDelay(attempt: number, minMs = 250, maxMs = 10_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
