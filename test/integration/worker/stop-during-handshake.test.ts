// A worker asked to stop while its handshake with a hub is under way stops at once, instead of
// waiting for a hub that may never answer (or, had it answered, for a connection nobody closes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ensureTlsMaterial } from '../../../src-main/api/trust/tls-files';
import { startWorker } from '../../../src-main/api/worker/worker-service';
import { listen, type Listener } from '../../../src-main/protocol/transport';
import { hubContact } from '../../support/trust';

describe('stopping a worker during its handshake', () => {
  let root: string;
  let silentHub: Listener;
  const sockets: WebSocket[] = [];
  let heard: () => void = () => undefined;
  const hello = new Promise<void>((resolve) => (heard = resolve));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-stop-handshake-'));
    const tls = await ensureTlsMaterial(join(root, 'hub'), { commonName: 'Cohort hub' });
    // A hub that takes the connection and the worker's hello, and never answers.
    silentHub = await listen({ tls: { cert: tls.cert, key: tls.key } }, (socket) => {
      sockets.push(socket);
      socket.once('message', () => heard());
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await silentHub.close();
    await rm(root, { recursive: true, force: true });
  });

  it('closes the half-open connection and returns within a second', async () => {
    const worker = await startWorker({
      dataDir: join(root, 'worker'),
      party: { id: 'north', name: 'North' },
      hubs: [await hubContact(join(root, 'hub'), silentHub.url)],
    });
    await hello;
    const started = performance.now();
    await worker.close();
    // The handshake itself would wait 10 s for the hub's challenge.
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect.poll(() => sockets[0]!.readyState, { timeout: 2_000 }).toBeGreaterThanOrEqual(2); // closing or closed
  });
});
