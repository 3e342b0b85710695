// Connections that never finish their handshake, and addresses that failed too often, over real
// sockets on 127.0.0.1. Each test knocks from its own loopback address (127.0.0.x) so the
// per-address limits can be seen apart. Connections over the limits, and every connection from
// a blocked address, are reset as they are accepted: no TLS, no upgrade, nothing read or sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { approveEveryRun, startWorker, type WorkerNode } from '../../src-main/api/worker/worker-service';
import { rawTcp, refusedReasons, securityEvents, stranger, type RawConnection } from '../support/adversary';

let root: string;
let hub: Hub | undefined;
let worker: WorkerNode | undefined;
let open: RawConnection[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-connections-'));
});

afterEach(async () => {
  for (const connection of open) connection.socket.destroy();
  open = [];
  await hub?.close();
  await worker?.close();
  hub = undefined;
  worker = undefined;
  await rm(root, { recursive: true, force: true });
});

async function knock(port: number, from: string): Promise<RawConnection> {
  const connection = await rawTcp(port, from);
  open.push(connection);
  return connection;
}

/** Resolves once the server has surely seen the connection (it answered a TLS hello, or closed). */
async function settled(port: number, from: string): Promise<'served' | 'reset'> {
  return new Promise((resolve) => {
    const tcp = netConnect({ host: '127.0.0.1', port, localAddress: from });
    tcp.on('error', () => undefined);
    const socket = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve('served');
    });
    socket.once('error', () => resolve('reset'));
  });
}

describe('connections still in their handshake', () => {
  it('are limited per address and in total at the hub; extra ones are reset at once and logged', async () => {
    hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, connectionLimits: { maxWaiting: 5, maxWaitingPerAddress: 3 } });
    const port = Number(new URL(hub.url).port);
    const fromA = [await knock(port, '127.0.0.21'), await knock(port, '127.0.0.21'), await knock(port, '127.0.0.21')];
    // A fourth from the same address: reset, though it sent nothing and the server sent nothing.
    const extra = await knock(port, '127.0.0.21');
    await extra.closed;
    expect(extra.received()).toBe(0);
    expect(fromA.every((connection) => connection.isOpen())).toBe(true);

    // Another address still gets in, until the total is reached.
    const fromB = [await knock(port, '127.0.0.22'), await knock(port, '127.0.0.22')];
    expect(await settled(port, '127.0.0.23')).toBe('reset');
    expect([...fromA, ...fromB].every((connection) => connection.isOpen())).toBe(true);

    // A connection that leaves frees its place.
    fromA[0]!.socket.destroy();
    await fromA[0]!.closed;
    await expect.poll(() => settled(port, '127.0.0.23'), { timeout: 10_000 }).toBe('served');

    const reasons = refusedReasons(await securityEvents(join(root, 'hub')));
    expect(reasons).toContain('too many connections from this address still in their handshake (at most 3) (1 connection turned away)');
    expect(reasons).toContain('too many connections still in their handshake (at most 5 from all addresses) (1 connection turned away)');
  });

  it('are limited at a listening worker too', async () => {
    worker = await startWorker({
      dataDir: join(root, 'worker'),
      party: { id: 'south', name: 'South' },
      listen: { host: '127.0.0.1', port: 0, trustedHubKeys: [] },
      consent: approveEveryRun,
      heartbeatMs: 0,
      connectionLimits: { maxWaiting: 4, maxWaitingPerAddress: 2 },
    });
    const port = Number(new URL(worker.url!).port);
    const first = [await knock(port, '127.0.0.31'), await knock(port, '127.0.0.31')];
    expect(await settled(port, '127.0.0.31')).toBe('reset');
    expect(first.every((connection) => connection.isOpen())).toBe(true);
    expect(await settled(port, '127.0.0.32')).toBe('served');
    expect(refusedReasons(await securityEvents(join(root, 'worker')))).toContain(
      'too many connections from this address still in their handshake (at most 2) (1 connection turned away)',
    );
  });

  it('that stay silent are cut when their time is up, and count no more', async () => {
    hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, connectionLimits: { maxWaiting: 5, maxWaitingPerAddress: 1 } });
    const port = Number(new URL(hub.url).port);
    // A WebSocket that upgrades but never says hello: the handshake gives up on it (10 s).
    const silent = await stranger(hub.url, { localAddress: '127.0.0.41' });
    expect(await settled(port, '127.0.0.41')).toBe('reset');
    expect(await silent.closed).toMatchObject({ reason: 'no authentication in time' });
    await expect.poll(() => settled(port, '127.0.0.41'), { timeout: 10_000 }).toBe('served');
  }, 40_000);
});

describe('a blocked address', () => {
  it('is reset on connect, before TLS or any upgrade, and logged; other addresses are served', async () => {
    hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, handshakeGuard: { maxFailures: 2, windowMs: 60_000, blockMs: 60_000 } });
    const port = Number(new URL(hub.url).port);
    // Two failed handshakes: a tensor frame before authenticating ends each one.
    for (let i = 0; i < 2; i++) {
      const connection = await stranger(hub.url, { localAddress: '127.0.0.51' });
      connection.socket.send(Buffer.alloc(8), { binary: true });
      await connection.closed;
    }
    await expect.poll(async () => refusedReasons(await securityEvents(join(root, 'hub'))).some((reason) => reason.includes('now blocked')), { timeout: 10_000 }).toBe(true);

    // A plain TCP connection that sends nothing is reset at once: the server did not wait for a
    // TLS hello, and sent nothing back.
    const raw = await knock(port, '127.0.0.51');
    await raw.closed;
    expect(raw.received()).toBe(0);
    // TLS from there never completes, and a WebSocket never opens.
    expect(await settled(port, '127.0.0.51')).toBe('reset');
    await expect(stranger(hub.url, { localAddress: '127.0.0.51' })).rejects.toThrow();
    // Elsewhere, all is well.
    expect(await settled(port, '127.0.0.52')).toBe('served');

    const reasons = refusedReasons(await securityEvents(join(root, 'hub')));
    expect(reasons.filter((reason) => reason.startsWith('rate-limited after repeated failed handshakes'))).toEqual(['rate-limited after repeated failed handshakes (1 connection turned away)']);
  });
});
