// What a participant may tell the hub unasked (its declared data tags): notices over 1 MiB, with
// tensors, or beyond its budget are refused, logged, and never stored, and reconnecting does
// not refill the budget. A hub and a party over TLS on 127.0.0.1.
import { tensorOf } from '../../src-main/contract/tensors';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { createInvitation } from '../../src-main/api/hub/invitations';
import { NOTICE_LIMITS } from '../../src-main/api/hub/notice-limits';
import { silentLog } from '../../src-main/api/log';
import { partyPeer } from '../../src-main/api/trust/party-connections';
import { GRID, type TagsNotice } from '../../src-main/contract/grid';
import { newSigningKeyPair, signingIdentity } from '../../src-main/protocol/crypto';
import { authenticateToHub } from '../../src-main/protocol/handshake';
import type { Peer } from '../../src-main/protocol/peer';
import { dial } from '../../src-main/protocol/transport';
import { refusedReasons, securityEvents } from '../support/adversary';

let root: string;
let hub: Hub;
let token: string;
const identity = signingIdentity(newSigningKeyPair().privateKeyPem);
const peers: Peer[] = [];
let stored = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-notices-'));
  hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, noticeLimits: { ...NOTICE_LIMITS, burst: 3, perMinute: 1 } });
  await hub.store.create('collaborations', { id: 'stroke', name: 'Stroke network' });
  await hub.store.create('projects', { id: 'outcome', collaborationId: 'stroke', name: 'Outcome', targetColumn: 'outcome', task: 'classify' });
  const { code } = await createInvitation(hub.store, hub.contact(), { collaborationId: 'stroke' });
  token = (JSON.parse(Buffer.from(code.slice('cohort-invite-2.'.length), 'base64url').toString()) as { token: string }).token;
  hub.onTagsDeclared(() => (stored += 1));
});

afterAll(async () => {
  for (const peer of peers) peer.close();
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

async function connect(invitation?: string): Promise<Peer> {
  const peer = partyPeer(await dial(hub.url, { certificate: hub.certificate }), 'hub', { log: silentLog, security: { record: () => undefined }, heartbeatMs: 0 });
  peers.push(peer);
  await authenticateToHub(peer, {
    identity,
    party: { id: 'north', name: 'North' },
    software: { name: 'cohort', version: 'test' },
    certificate: hub.certificate,
    trustHub: () => undefined,
    ...(invitation ? { invitation } : {}),
  });
  return peer;
}

const notice = (rows: number, columns = 1, nameLength = 3): TagsNotice => ({
  projectId: 'outcome',
  tags: [{ kind: 'train', rows, columns: Array.from({ length: columns }, (_, index) => ({ name: `${index}`.padStart(nameLength, 'c'), kind: 'numeric' as const })), declaredAt: new Date().toISOString() }],
});

const storedRows = async () => (await hub.store.get('registrations', 'north.outcome')).declaredTags[0]?.rows;

describe('notices from a participant', () => {
  it('over 1 MiB, or with tensors, are refused and never stored', async () => {
    const peer = await connect(token);
    const huge = { ...notice(999, 3_000, 400), tags: [notice(999, 1_000, 400).tags[0]!, notice(998, 1_000, 400).tags[0]!, notice(997, 1_000, 400).tags[0]!] };
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(NOTICE_LIMITS.maxBytes);
    await peer.notify(GRID.tags, huge);
    await peer.notify(GRID.tags, notice(5), { weights: tensorOf(new Float32Array(4)) });
    await expect.poll(async () => refusedReasons(await securityEvents(join(root, 'hub'))).filter((reason) => reason.includes('notice')).length, { timeout: 10_000 }).toBe(2);
    const reasons = refusedReasons(await securityEvents(join(root, 'hub')));
    expect(reasons).toContainEqual(expect.stringMatching(/^a \d+-byte notice, over the 1 MiB limit$/));
    expect(reasons).toContain('a notice carries no tensors');
    expect(stored).toBe(0);
    expect(await storedRows()).toBeUndefined();
  });

  it('beyond the participant\'s budget are refused and logged, also after reconnecting', async () => {
    const peer = await connect();
    for (const rows of [1, 2, 3]) await peer.notify(GRID.tags, notice(rows));
    await expect.poll(() => stored, { timeout: 10_000 }).toBe(3);
    expect(await storedRows()).toBe(3);
    await peer.notify(GRID.tags, notice(4));
    peer.close();

    const again = await connect();
    await again.notify(GRID.tags, notice(5));
    const budget = 'too many notices from "north" (at most 3 at once, then 1 a minute)';
    await expect.poll(async () => refusedReasons(await securityEvents(join(root, 'hub'))).filter((reason) => reason === budget).length, { timeout: 10_000 }).toBe(2);
    expect(stored).toBe(3);
    expect(await storedRows()).toBe(3);
  });
});
