// A stranger on the network, for the adversarial tests: raw TCP connections from a chosen
// loopback address (127.0.0.0/8 is all ours on Linux, so each test can knock from its own
// address), and WebSocket connections that record every byte they are sent.
import { connect as netConnect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { SecurityEvent } from '../../src-main/contract/security';
import { SecurityLog } from '../../src-main/store/security-log';

export interface RawConnection {
  socket: Socket;
  /** Bytes the server sent before it closed the connection. */
  received: () => number;
  /** Resolves when the server (or we) closed the connection. */
  closed: Promise<void>;
  isOpen: () => boolean;
}

/**
 * A plain TCP connection that sends nothing: to the server, a handshake that never starts. One
 * the server resets at once may be gone before it is reported connected: it resolves closed.
 */
export function rawTcp(port: number, localAddress: string): Promise<RawConnection> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port, localAddress });
    let bytes = 0;
    let open = true;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolveClosed) =>
      socket.once('close', () => {
        open = false;
        resolveClosed();
      }),
    );
    const connection = { socket, received: () => bytes, closed, isOpen: () => open && !socket.destroyed };
    socket.once('connect', () => resolve(connection));
    void closed.then(() => resolve(connection));
  });
}

export interface StrangerConnection {
  socket: WebSocket;
  /** Every frame the other side sent, as it came. */
  frames: Buffer[];
  /** The first frame (the listening party speaks first). */
  first: Promise<Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens wss:// (or ws://) without pinning anything, as anyone could. */
export function stranger(url: string, options: { localAddress?: string } = {}): Promise<StrangerConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const frames: Buffer[] = [];
    let resolveFirst: (frame: Buffer) => void = () => undefined;
    const first = new Promise<Buffer>((resolveFrame) => (resolveFirst = resolveFrame));
    socket.on('message', (data: Buffer) => {
      frames.push(Buffer.from(data));
      if (frames.length === 1) resolveFirst(frames[0]!);
    });
    socket.on('error', () => undefined);
    const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => socket.once('close', (code, reason) => resolveClosed({ code, reason: reason.toString() })));
    socket.once('open', () => resolve({ socket, frames, first, closed }));
    socket.once('unexpected-response', () => reject(new Error(`${url} refused the upgrade`)));
    socket.once('error', reject);
  });
}

/** A data directory's security log, oldest first, once what was recorded has reached the file. */
export async function securityEvents(dataDir: string): Promise<SecurityEvent[]> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const log = await SecurityLog.open(dataDir);
  return (await log.query({ limit: 5_000 })).events.reverse();
}

export function refusedReasons(events: readonly SecurityEvent[]): string[] {
  return events.filter((event) => event.outcome === 'refused').map((event) => event.reason ?? '');
}
