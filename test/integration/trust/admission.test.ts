// Who gets into a hub, over real TLS sockets on 127.0.0.1: a client without an invitation,
// with a used or expired token, with the wrong key, or pinning the wrong certificate is refused,
// and each refusal is in the security log; a replayed or forged message inside a session is
// refused; a revoked participant is cut off; repeated failures from one address are turned away.
import { tensorOf } from '../../../src-main/contract/tensors';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../../src-main/api/hub/hub-service';
import { createInvitation, revokeParticipant } from '../../../src-main/api/hub/invitations';
import { partyPeer, type PartyConnectionOptions } from '../../../src-main/api/trust/party-connections';
import { silentLog } from '../../../src-main/api/log';
import { approveEveryRun, startWorker, type WorkerNode } from '../../../src-main/api/worker/worker-service';
import { GRID } from '../../../src-main/contract/grid';
import type { SecurityEvent } from '../../../src-main/contract/security';
import { keyFingerprint, newSigningKeyPair, signingIdentity, type SigningIdentity } from '../../../src-main/protocol/crypto';
import { authenticateToHub, HandshakeError, type Welcome } from '../../../src-main/protocol/handshake';
import { PROTOCOL_VERSION } from '../../../src-main/protocol/frames';
import type { Peer } from '../../../src-main/protocol/peer';
import { CertificateMismatchError, dial } from '../../../src-main/protocol/transport';
import { SecurityLog } from '../../../src-main/store/security-log';

let root: string;
let hub: Hub;
let clients: Peer[] = [];
let workers: WorkerNode[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-trust-'));
  hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, handshakeGuard: { maxFailures: 50 } });
  await hub.store.create('collaborations', { id: 'stroke', name: 'Stroke network' });
  await hub.store.create('projects', { id: 'outcome', collaborationId: 'stroke', name: 'Outcome', targetColumn: 'outcome', task: 'classify' });
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await Promise.all(workers.map((worker) => worker.close()));
  workers = [];
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

const freshIdentity = (): SigningIdentity => signingIdentity(newSigningKeyPair().privateKeyPem);

const security: PartyConnectionOptions = { log: silentLog, security: { record: () => undefined }, heartbeatMs: 0 };

interface Attempt {
  id?: string;
  identity?: SigningIdentity;
  invitation?: string;
  /** The certificate fingerprint the client pins (default: the hub's real one). */
  certificate?: string;
  /** The hub key the client trusts (default: the hub's real one). */
  hubKey?: string;
  /** Frames the client sent, as ws got them (to replay). */
  capture?: string[];
}

/** Connects as a party would and authenticates; resolves with the session, or rejects with why not. */
async function connect(attempt: Attempt = {}): Promise<{ peer: Peer; welcome: Welcome; socket: WebSocket }> {
  const socket = await dial(hub.url, { certificate: attempt.certificate ?? hub.certificate, timeoutMs: 5_000 });
  if (attempt.capture) {
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    (socket as unknown as { send: typeof send }).send = (data, ...rest) => {
      if (typeof data === 'string') attempt.capture!.push(data);
      send(data, ...rest);
    };
  }
  const peer = partyPeer(socket, 'hub', security);
  clients.push(peer);
  const id = attempt.id ?? 'north';
  const { welcome } = await authenticateToHub(peer, {
    identity: attempt.identity ?? freshIdentity(),
    party: { id, name: id },
    software: { name: 'cohort', version: 'test' },
    certificate: hub.certificate,
    trustHub: (key) => (key === (attempt.hubKey ?? hub.identity.key) ? undefined : 'not the hub I trust'),
    ...(attempt.invitation === undefined ? {} : { invitation: attempt.invitation }),
  });
  return { peer, welcome, socket };
}

async function invite(options: { expiresInHours?: number; now?: Date } = {}): Promise<string> {
  const { code } = await createInvitation(hub.store, hub.contact(), { collaborationId: 'stroke', ...(options.expiresInHours ? { expiresInHours: options.expiresInHours } : {}) }, options.now);
  const payload = JSON.parse(Buffer.from(code.slice('cohort-invite-2.'.length), 'base64url').toString()) as { token: string };
  return payload.token;
}

/** The hub's security log, oldest first, once what was recorded has reached the file. */
async function hubLog(): Promise<SecurityEvent[]> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const log = await SecurityLog.open(join(root, 'hub'));
  return (await log.query({ limit: 5_000 })).events.reverse();
}

function refusals(events: SecurityEvent[]): string[] {
  return events.filter((event) => event.kind === 'connection' && event.outcome === 'refused').map((event) => event.reason ?? '');
}

describe('joining', () => {
  it('admits a party with a valid invitation, binds its key and registers it in the projects', async () => {
    const identity = freshIdentity();
    const { welcome, peer } = await connect({ identity, invitation: await invite() });
    expect(welcome.collaborations.map(({ collaboration }) => collaboration.id)).toEqual(['stroke']);
    expect(peer.sealed).toBe(true);
    expect(await hub.store.get('participants', 'north')).toMatchObject({ publicKey: identity.publicKeyText });
    expect(await hub.store.find('registrations', 'north.outcome')).toBeDefined();
    const accepted = (await hubLog()).filter((event) => event.kind === 'connection' && event.outcome === 'accepted');
    expect(accepted.map((event) => event.peer)).toEqual([expect.stringMatching(/^north \(/)]);

    // Later connections need no invitation, only the same key.
    peer.close();
    await expect(connect({ identity })).resolves.toMatchObject({ welcome: { hub: { id: 'hub' } } });
  });

  it('refuses a client without an invitation', async () => {
    await expect(connect({ id: 'stranger' })).rejects.toThrow(/"stranger" is not a participant of this hub; join with an invitation/);
    expect(refusals(await hubLog())).toEqual([expect.stringContaining('"stranger" is not a participant')]);
    expect(await hub.store.find('participants', 'stranger')).toBeUndefined();
  });

  it('refuses a used token and an expired one', async () => {
    const token = await invite();
    await connect({ id: 'north', invitation: token });
    await expect(connect({ id: 'south', invitation: token })).rejects.toThrow(/this invitation was already used/);
    const old = await invite({ expiresInHours: 1, now: new Date(Date.now() - 2 * 3_600_000) });
    await expect(connect({ id: 'east', invitation: old })).rejects.toThrow(/this invitation expired at/);
    await expect(connect({ id: 'west', invitation: 'x'.repeat(43) })).rejects.toThrow(/not known to the hub/);
    expect(refusals(await hubLog())).toEqual([
      expect.stringContaining('already used'),
      expect.stringContaining('expired'),
      expect.stringContaining('not known'),
    ]);
    expect((await hub.store.list('participants')).map((participant) => participant.id)).toEqual(['north']);
  });

  it('refuses the wrong key: another key under a joined name, and a key the client cannot sign with', async () => {
    const identity = freshIdentity();
    await connect({ identity, invitation: await invite() });
    const impostor = freshIdentity();
    await expect(connect({ identity: impostor })).rejects.toThrow(new RegExp(`presented identity key ${keyFingerprint(impostor.publicKeyText)}, not the one it joined with`));
    // Presenting the right public key without its private key: the proof does not verify.
    const stolen = { ...impostor, publicKeyText: identity.publicKeyText };
    await expect(connect({ identity: stolen })).rejects.toThrow(/did not prove it holds the key it presented/);
    // Taking over a joined name with a fresh invitation does not work either.
    await expect(connect({ identity: impostor, invitation: await invite() })).rejects.toThrow(/the name "north" is taken/);
    expect(refusals(await hubLog())).toEqual([
      expect.stringContaining('not the one it joined with'),
      expect.stringContaining('did not prove'),
      expect.stringContaining('is taken'),
    ]);
  });
});

describe('pinning', () => {
  it('a participant refuses a hub whose certificate is not the pinned one, and logs it', async () => {
    const dataDir = join(root, 'north');
    const wrong = 'AB:'.repeat(31) + 'AB';
    const worker = await startWorker({ dataDir, party: { id: 'north', name: 'north' }, consent: approveEveryRun });
    workers.push(worker);
    const joining = worker.addHub({ ...hub.contact(), certificate: wrong }, await invite());
    await expect(joining).rejects.toBeInstanceOf(CertificateMismatchError);
    await expect(joining).rejects.toThrow(new RegExp(`presented a certificate with fingerprint ${hub.certificate}, but the pinned one is ${wrong}`));
    // Nothing reached the hub beyond the TLS handshake: the invitation is still unused.
    expect((await hub.store.list('invitations'))[0]).not.toHaveProperty('usedBy');
    const log = await SecurityLog.open(dataDir);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await log.query({ outcome: 'refused' })).events).toEqual([
      expect.objectContaining({ direction: 'outbound', kind: 'connection', reason: expect.stringContaining('the pinned one is') }),
    ]);
  });

  it('a participant refuses a hub that cannot prove the identity key its invitation named', async () => {
    const other = freshIdentity();
    await expect(connect({ invitation: await invite(), hubKey: other.publicKeyText })).rejects.toMatchObject({ untrusted: true, message: 'not the hub I trust' });
    // It stopped before sending its proof: the hub never let it in.
    expect(await hub.store.find('participants', 'north')).toBeUndefined();
  });
});

describe('inside a session', () => {
  it('refuses a replayed message and a forged one, and keeps serving the party', async () => {
    const capture: string[] = [];
    const { peer } = await connect({ invitation: await invite(), capture });
    const declared = new Promise<void>((resolve) => hub.onTagsDeclared(resolve));
    await peer.notify(GRID.tags, { projectId: 'outcome', tags: [{ kind: 'train', rows: 10, columns: [{ name: 'age', kind: 'numeric' }], declaredAt: new Date().toISOString() }] });
    await declared;
    const sealedFrame = capture.at(-1)!;
    expect(sealedFrame).toMatch(/^[A-Za-z0-9_-]{22}\{/);
    const socket = (peer as unknown as { socket: WebSocket }).socket;

    // The same bytes again: a replay.
    socket.send(sealedFrame);
    // The next sequence number, but an envelope the sender never sealed.
    const tag = sealedFrame.slice(0, 22);
    const envelope = JSON.parse(sealedFrame.slice(22)) as { s: number; b: { tags: Array<{ rows: number }> } };
    envelope.s += 1;
    envelope.b.tags[0]!.rows = 1_000_000;
    socket.send(tag + JSON.stringify(envelope));
    // Unsealed, as if the session had never been set up.
    socket.send(JSON.stringify({ v: PROTOCOL_VERSION, t: GRID.tags, b: envelope.b }));

    await expect.poll(async () => (await hubLog()).filter((event) => event.kind === 'message' && event.outcome === 'refused').map((event) => event.reason), { timeout: 5_000 }).toEqual([
      expect.stringMatching(/^a replayed message \(sequence \d+; the next expected is \d+\)$/),
      expect.stringContaining('a forged or altered message'),
      'an unauthenticated message arrived inside an authenticated session',
    ]);
    expect((await hub.store.get('registrations', 'north.outcome')).declaredTags[0]!.rows).toBe(10);
    // The party's own next message still gets through.
    const again = new Promise<void>((resolve) => hub.onTagsDeclared(resolve));
    await peer.notify(GRID.tags, { projectId: 'outcome', tags: [] });
    await again;
    expect((await hub.store.get('registrations', 'north.outcome')).declaredTags).toEqual([]);
  });

  it('refuses grid messages before authentication', async () => {
    const socket = await dial(hub.url, { certificate: hub.certificate });
    const peer = partyPeer(socket, 'hub', security);
    clients.push(peer);
    await expect(peer.request(GRID.fit, { run: 'r', config: {} }, { schema: (await import('zod')).z.unknown() })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await hubLog()).filter((event) => event.outcome === 'refused').map((event) => event.reason)).toContain(`"${GRID.fit}" is not allowed before authentication`);
  });
});

describe('revocation', () => {
  it('cuts a revoked participant off at once and refuses it from then on', async () => {
    const worker = await startWorker({ dataDir: join(root, 'north'), party: { id: 'north', name: 'north' }, consent: approveEveryRun, heartbeatMs: 0 });
    workers.push(worker);
    await worker.addHub(hub.contact(), await invite());
    await expect.poll(() => hub.engine.connectedParties()).toEqual(['north']);

    await revokeParticipant(hub.store, 'north', 'left the network');
    expect(hub.cutOff('north', 'left the network')).toBe(true);
    await expect.poll(() => worker.hubs()[0]?.connected).toBe(false);
    // The worker tries again and is refused, with the reason.
    await expect.poll(() => worker.hubs()[0]?.problem ?? '', { timeout: 10_000 }).toMatch(/participant "north" was revoked on .* \(left the network\)/);
    expect(hub.engine.connectedParties()).toEqual([]);
    const events = await hubLog();
    expect(events).toContainEqual(expect.objectContaining({ direction: 'outbound', what: 'revocation', peer: 'north', reason: 'left the network' }));
    expect(refusals(events)).toContainEqual(expect.stringContaining('was revoked'));
  });

  it('a revoked invitation admits no one', async () => {
    const token = await invite();
    await hub.store.mutate((db) => {
      db.invitations[0]!.revoked = true;
    });
    await expect(connect({ invitation: token })).rejects.toThrow(/this invitation was revoked/);
  });
});

describe('rate limiting', () => {
  it('turns away an address after repeated failed handshakes, and says so in the log', async () => {
    await hub.close();
    hub = await startHub({ dataDir: join(root, 'hub'), port: 0, heartbeatMs: 0, handshakeGuard: { maxFailures: 3, windowMs: 60_000, blockMs: 60_000 } });
    for (let i = 0; i < 3; i++) await expect(connect({ id: `stranger-${i}` })).rejects.toBeInstanceOf(HandshakeError);
    // Blocked now: the connection is closed before any handshake, even with a valid invitation.
    await expect(connect({ invitation: await invite() })).rejects.toThrow(/closed|too many failed handshakes/);
    expect(await hub.store.find('participants', 'north')).toBeUndefined();
    const events = await hubLog();
    expect(refusals(events).at(-2)).toContain('this address is now blocked');
    expect(refusals(events).at(-1)).toMatch(/rate-limited after repeated failed handshakes \(1 connection turned away\)/);
  });
});

describe('oversize frames', () => {
  it('a stranger cannot send a large frame before authenticating; a party can once it has', async () => {
    const { WebSocket } = await import('ws');
    const stranger = new WebSocket(hub.url, { rejectUnauthorized: false });
    await new Promise((resolve) => stranger.once('open', resolve));
    const closed = new Promise<number>((resolve) => stranger.once('close', (code) => resolve(code)));
    stranger.send(Buffer.alloc(8 * 1024 * 1024), { binary: true });
    expect(await closed).toBe(1009); // "message too big", refused from the frame's header

    const { peer } = await connect({ invitation: await invite() });
    const big = Float32Array.from({ length: 2_000_000 }, (_, i) => i); // 8 MB, over the pre-authentication limit
    await peer.notify(GRID.tags, { projectId: 'outcome', tags: [] }, { big: tensorOf(big) });
    await expect.poll(async () => (await hubLog()).some((event) => event.direction === 'inbound' && event.what === GRID.tags && event.bytes > 8_000_000)).toBe(true);
    expect(peer.isOpen).toBe(true);
  });
});
