// The UI API's contract, run the same way over both transports: an in-memory pair (what
// Electron's IPC does: structured clones both ways) and the real browser-mode WebSocket.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startAppHost, type AppHost } from '../../../src-main/api/app/app-host';
import { startBrowserHost, type BrowserHost } from '../../../src-main/api/browser-host';
import type { AppEvent } from '../../../src-main/contract/api';
import { ApiCallError, ApiClient } from '../../../src-renderer/src/api/client';
import type { Transport } from '../../../src-renderer/src/api/transport';
import { createWebSocketTransport, type SocketLike } from '../../../src-renderer/src/api/ws-transport';
import { PROJECT_ROOT } from '../../support/cli';

const TOKEN = 'a-test-token-that-is-long-enough-to-count';

/** What IPC does to a message: a structured clone, so nothing but data crosses. */
function memoryTransport(host: AppHost): Transport {
  return {
    kind: 'memory',
    invoke: async (command, input) => structuredClone(await host.dispatch(command, structuredClone(input))),
    subscribe: (listener) => host.onEvent((event) => listener(structuredClone(event))),
  };
}

function socketTransport(url: string, origin: string): Transport & { close(): void } {
  return createWebSocketTransport(url, (address) => new WebSocket(address, { origin }) as unknown as SocketLike);
}

let root: string;
let host: AppHost;
let ui: BrowserHost;
const transports: Array<Transport & { close?(): void }> = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-contract-'));
  host = await startAppHost({ dataDir: root, role: 'orchestrator', transport: 'browser', hub: { port: 0 } });
  ui = await startBrowserHost({ root: join(PROJECT_ROOT, 'resources'), api: { endpoint: host, token: TOKEN } });
});

afterAll(async () => {
  for (const transport of transports) transport.close?.();
  await ui.close();
  await host.close();
  await rm(root, { recursive: true, force: true });
});

const variants: Array<[string, () => Transport]> = [
  ['in-memory pair', () => memoryTransport(host)],
  [
    'real socket',
    () => {
      const { port } = new URL(ui.url);
      const transport = socketTransport(`ws://127.0.0.1:${port}/api?token=${TOKEN}`, `http://127.0.0.1:${port}`);
      transports.push(transport);
      return transport;
    },
  ],
];

describe.each(variants)('the API over the %s', (name, makeTransport) => {
  let client: ApiClient;
  beforeAll(() => {
    client = new ApiClient(makeTransport());
  });

  it('answers with checked values', async () => {
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ role: 'orchestrator', dataDir: root, party: null });
    expect(info.hub?.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const created = await client.call('collaborations.create', { name: `Study over ${name}` });
    expect(created).toMatchObject({ id: `study-over-${name.replace(/[^a-z]+/g, '-')}`, description: '' });
    expect((await client.call('collaborations.list', {})).map((c) => c.id)).toContain(created.id);
  });

  it('returns errors as codes and messages, never as thrown errors across the boundary', async () => {
    const invalid = await client.call('collaborations.create', { name: '   ' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ApiCallError);
    expect(invalid).toMatchObject({ code: 'VALIDATION' });
    const missing = await client.call('runs.get', { id: 'nope' }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'no run with id "nope"' });
    const badInput = await client.call('projects.create', { collaborationId: 'x', name: 'P', targetColumn: 'y', task: 'cluster' } as never).catch((error: unknown) => error);
    expect(badInput).toMatchObject({ code: 'BAD_INPUT' });
    expect((badInput as Error).message).toMatch(/^projects\.create: task: /);
    const wrongRole = await client.call('memberships.list', {}).catch((error: unknown) => error);
    expect(wrongRole).toMatchObject({ code: 'BAD_INPUT', message: `"memberships.list" is for a participant's app; this app runs as orchestrator` });
    const raw = await client.transport.invoke('no.such.command', {});
    expect(raw).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'unknown command "no.such.command"' } });
  });

  it('delivers events', async () => {
    const collaboration = await client.call('collaborations.create', { name: `Events over ${name}` });
    const events: AppEvent[] = [];
    const stop = client.on((event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the socket subscribes on connect
    const { code } = await client.call('invitations.create', { collaborationId: collaboration.id });
    expect(code.startsWith('cohort-invite-2.')).toBe(true);
    await expect.poll(() => events).toContainEqual({ type: 'changed', what: 'invitations' });
    stop();
  });
});

describe('the browser-mode socket', () => {
  function upgrade(path: string, origin?: string): Promise<number | undefined> {
    const { port } = new URL(ui.url);
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...(origin ? { Origin: origin } : {}) },
      });
      req.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve(response.statusCode);
      });
      req.on('response', (response) => resolve(response.statusCode));
      req.on('error', reject);
      req.end();
    });
  }

  it('accepts the UI\'s own origin with the token, and refuses everything else', async () => {
    const { port } = new URL(ui.url);
    const own = `http://127.0.0.1:${port}`;
    expect(await upgrade(`/api?token=${TOKEN}`, own)).toBe(101);
    expect(await upgrade('/api', own)).toBe(401);
    expect(await upgrade('/api?token=wrong', own)).toBe(401);
    expect(await upgrade(`/api?token=${TOKEN}`, 'http://evil.example')).toBe(403);
    expect(await upgrade(`/api?token=${TOKEN}`)).toBe(403);
    expect(await upgrade(`/elsewhere?token=${TOKEN}`, own)).toBe(404);
  });
});
