// Browser mode's transport for the UI API: a WebSocket on the UI's own 127.0.0.1 server.
// A connection must present the per-launch token and come from an allowed Origin, so neither
// another local user without the token nor a web page in the same browser can drive the app.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppEvent, Result } from '../../contract/api';
import { BRIDGE_PATH, BridgeRequest, type BridgeMessage } from '../../contract/bridge';
import type { Dispatch } from '../app/dispatch';

export interface ApiEndpoint {
  dispatch: Dispatch;
  onEvent(listener: (event: AppEvent) => void): () => void;
}

export interface BridgeOptions {
  token: string;
  /** Origins allowed to connect (the UI's own, and a dev server's). */
  allowOrigin: (origin: string) => boolean;
  /** Told of refused connections, for the security log. */
  onRefused?: (reason: string) => void;
}

function sameToken(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachApiBridge(server: Server, endpoint: ApiEndpoint, options: BridgeOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== BRIDGE_PATH) return refuse(socket, 404, 'Not Found');
    const origin = request.headers.origin;
    if (!origin || !options.allowOrigin(origin)) {
      options.onRefused?.(`UI bridge: refused a connection from origin ${origin ?? '(none)'}`);
      return refuse(socket, 403, 'Forbidden');
    }
    if (!sameToken(url.searchParams.get('token'), options.token)) {
      options.onRefused?.('UI bridge: refused a connection without the right token');
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, endpoint));
  });

  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function serve(ws: WebSocket, endpoint: ApiEndpoint): void {
  const send = (message: BridgeMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const stop = endpoint.onEvent((event) => send({ event }));
  ws.on('close', stop);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let request: BridgeRequest;
    try {
      request = BridgeRequest.parse(JSON.parse(String(data)));
    } catch {
      return; // not a request: nothing to answer
    }
    void endpoint.dispatch(request.command, request.input).then(
      (result: Result<unknown>) => send({ id: request.id, result }),
      (error: unknown) => send({ id: request.id, result: { ok: false, error: { code: 'INTERNAL', message: String(error) } } }),
    );
  });
}
