// Sockets: the hub listens, parties dial out (or listen, and the TTP dials them). Compression is
// off (tensor frames do not compress and deflate costs CPU); ws disables Nagle on its sockets.
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_MAX_FRAME_BYTES } from './peer';

export interface Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
}

export async function listen(options: ListenOptions, onSocket: (socket: WebSocket, request: IncomingMessage) => void): Promise<Listener> {
  const host = options.host ?? '127.0.0.1';
  const server = new WebSocketServer({
    host,
    port: options.port ?? 0,
    maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', onSocket);
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `ws://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Connects; the socket comes back paused, so no frame is lost before a Peer takes it over. */
export function dial(url: string, options: { maxFrameBytes?: number; timeoutMs?: number } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 10_000,
      // RFC 6455 masking protects HTTP intermediaries from hostile browser scripts; between
      // Cohort processes it only costs a pass over every byte on both ends (a quarter of a
      // round's CPU for a 1M-parameter model). With an all-zero mask ws skips it both ways.
      generateMask: zeroMask,
    });
    const fail = (error: Error) => {
      socket.removeAllListeners('open');
      reject(error);
    };
    socket.once('error', fail);
    socket.once('open', () => {
      socket.off('error', fail);
      // The peer may speak first, in the same packet as the upgrade response; hold its frames
      // until a Peer has attached its listeners (the Peer resumes the socket).
      socket.pause();
      resolve(socket);
    });
  });
}

function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}

/** Delays between reconnection attempts: exponential with jitter, capped. */
export function backoffDelay(attempt: number, minMs = 250, maxMs = 10_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
