// Browser mode: serves the built UI on 127.0.0.1 only, for machines without the Electron
// runtime, for headless installs administered from a browser, and for tests in Chromium.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { attachApiBridge, type ApiEndpoint } from './bridge/ws-bridge';

export interface BrowserHost {
  url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export interface BrowserHostOptions {
  root: string;
  port?: number;
  /** The UI API, reachable at /api with this token. */
  api?: { endpoint: ApiEndpoint; token: string; extraOrigins?: readonly string[]; onRefused?: (reason: string) => void };
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const serve = sirv(options.root, { single: true, dev: false, etag: true });
  let allowedHosts = new Set<string>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // Refuse other Host names: a web page elsewhere cannot reach this UI through DNS rebinding.
    if (!allowedHosts.has(request.headers.host ?? '')) {
      response.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    serve(request, response, () => {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(options.api?.extraOrigins ?? [])]);
  const bridge = options.api
    ? attachApiBridge(server, options.api.endpoint, {
        token: options.api.token,
        allowOrigin: (origin) => origins.has(origin),
        ...(options.api.onRefused ? { onRefused: options.api.onRefused } : {}),
      })
    : undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        bridge?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
