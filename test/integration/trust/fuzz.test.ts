// Hostile input during a run. A hub and three workers run as separate processes over TLS (one
// worker listens, so it has an open port too). A run trains undisturbed; then the same run again
// while more than 10,000 random and mutated messages (JSON and binary) hit the hub and another
// 10,000 hit the listening worker: from strangers before any handshake, and, at the hub, from
// an authenticated participant (not in the run) sending sealed garbage inside its session.
// Neither process crashes, the disturbed run ends exactly as the undisturbed one, the stores
// are intact, and the refusals are in the security logs.
import { tensorOf, type Tensors } from '../../../src-main/contract/tensors';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { AdminClient } from '../../../src-main/api/admin-client';
import { createInvitation } from '../../../src-main/api/hub/invitations';
import { silentLog } from '../../../src-main/api/log';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../../src-main/api/simulation/workspace';
import { ensureSigningIdentity } from '../../../src-main/api/trust/identity-key';
import { partyPeer } from '../../../src-main/api/trust/party-connections';
import { ensureTlsMaterial } from '../../../src-main/api/trust/tls-files';
import { Hyperparameters } from '../../../src-main/contract/records';
import { newSigningKeyPair, signingIdentity } from '../../../src-main/protocol/crypto';
import { authenticateToHub } from '../../../src-main/protocol/handshake';
import { PRE_AUTH_MAX_MESSAGE_BYTES } from '../../../src-main/protocol/limits';
import { dial } from '../../../src-main/protocol/transport';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { SecurityLog } from '../../../src-main/store/security-log';
import { PROJECT_ROOT } from '../../support/cli';
import { fuzzMessage, fuzzStrangerMessage, MESSAGE_TYPES, Prng, randomValue } from '../../support/fuzz';
import { isRunning } from '../../support/processes';
import { syntheticParties, writeSyntheticParties } from '../../support/synthetic';
import { hubContact } from '../../support/trust';
import { PROTOCOL_VERSION } from '../../../src-main/protocol/frames';

const SEED = Number(process.env['COHORT_FUZZ_SEED'] ?? 20261124);
const PER_TARGET = 10_000;
const PARTIES = ['alpha', 'beta', 'gamma'];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends frames on a raw socket, waiting whenever ws has more than 1 MB queued. */
async function sendAll(socket: WebSocket, frames: Array<string | Buffer>): Promise<boolean> {
  for (const frame of frames) {
    if (socket.readyState !== WebSocket.OPEN) return false;
    socket.send(frame, { binary: typeof frame !== 'string' });
    while (socket.bufferedAmount > 1 << 20 && socket.readyState === WebSocket.OPEN) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

function openRaw(url: string): Promise<{ socket: WebSocket; first: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false });
    const first = new Promise<string>((resolveFirst) => socket.once('message', (data) => resolveFirst(String(data))));
    socket.on('error', () => undefined);
    socket.once('open', () => resolve({ socket, first }));
    socket.once('unexpected-response', () => reject(new Error('refused')));
    setTimeout(() => reject(new Error(`could not open ${url}`)), 10_000).unref();
  });
}

/** Resolves when the peer answers the request with this id (any reply or error), or false after a while. */
function answered(socket: WebSocket, id: string, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (data: unknown) => {
      if (String(data).includes(`"re":"${id}"`)) done(true);
    };
    const done = (value: boolean) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve(value);
    };
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('message', onMessage);
    socket.once('close', onClose);
  });
}

/**
 * Strangers: a few long connections, each flooded with garbage before its handshake times out
 * (text frames within the stranger limit: a tensor frame or a larger message ends a connection
 * at once, see test/adversarial/pre-auth.test.ts).
 * Every hundred messages a probe request must be answered (with an error) before going on, so
 * what is counted is what the target has actually read, however loaded the machine is. The
 * last message of each connection (`finish`: a mutated hello or challenge) may end it.
 */
async function strangers(url: string, r: Prng, target: number, maxConnections: number, templates: unknown[], finish: (first: string) => unknown[]): Promise<number> {
  let delivered = 0;
  for (let c = 0; c < maxConnections && delivered < target; c++) {
    const { socket, first } = await openRaw(url);
    if (process.env['COHORT_FUZZ_DEBUG']) socket.once('close', (code, reason) => console.log(url, c, 'closed', code, String(reason), delivered));
    const perConnection = Math.ceil(target / (maxConnections - 1));
    for (let batch = 0; batch * 100 < perConnection && delivered < target; batch++) {
      let sent = 0;
      for (let i = 0; i < 100; i++) if (await sendAll(socket, fuzzStrangerMessage(r, templates, PRE_AUTH_MAX_MESSAGE_BYTES))) sent += 1;
      const probe = `probe-${c}-${batch}`;
      if (!(await sendAll(socket, [JSON.stringify({ v: PROTOCOL_VERSION, t: 'probe', id: probe, b: {} })])) || !(await answered(socket, probe))) break;
      delivered += sent;
    }
    const last = finish(await Promise.race([first, new Promise<string>((resolve) => setTimeout(() => resolve(''), 100))]));
    for (const message of last) if (await sendAll(socket, [JSON.stringify(message)])) delivered += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.terminate();
  }
  return delivered;
}

describe('hostile input while a run is in progress', () => {
  let root: string;
  let workspace: Workspace;
  const children: Record<string, ChildProcess> = {};
  let admin: AdminClient;
  let hubUrl: string;
  let gammaUrl: string;
  const mallory = signingIdentity(newSigningKeyPair().privateKeyPem);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-fuzz-'));
    await writeSyntheticParties(join(root, 'data'), syntheticParties(PARTIES, 300));
    workspace = await prepareWorkspace({
      workspace: join(root, 'workspace'),
      partyFolders: PARTIES.map((name) => ({ name, folder: join(root, 'data', name) })),
      target: 'outcome',
      task: 'classify',
      positiveClass: 'yes',
      model: { kind: 'mlp', hidden: [16], activation: 'relu', dropout: 0 },
      hyperparameters: Hyperparameters.parse({ rounds: 80, minClients: 3, seed: 7, learningRate: 0.05 }),
    });
    const hubDir = workspace.hubDir;
    const store = await MetadataStore.open(hubDir);
    const run = await store.get('runs', SIMULATION_IDS.run);
    await store.create('runs', { id: 'disturbed', experimentId: run.experimentId, name: 'The same run, under fire', hyperparameters: run.hyperparameters });
    // Mallory has joined the hub (her key is known) but takes no part in the project.
    await store.create('participants', { id: 'mallory', displayName: 'Mallory', publicKey: mallory.publicKeyText });

    const hubPort = await freePort();
    const gammaPort = await freePort();
    hubUrl = `wss://127.0.0.1:${hubPort}`;
    gammaUrl = `wss://127.0.0.1:${gammaPort}`;
    const gamma = workspace.parties.find((party) => party.name === 'gamma')!;
    const gammaTls = await ensureTlsMaterial(gamma.dataDir, { commonName: 'gamma' });
    await store.update('registrations', `gamma.${SIMULATION_IDS.project}`, { connection: { mode: 'listen', host: '127.0.0.1', port: gammaPort, certificate: gammaTls.fingerprint } });
    const contact = await hubContact(hubDir, hubUrl);

    const start = (name: string, args: string[]) => {
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      const log = createWriteStream(join(root, `${name}.log`));
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      children[name] = child;
      return child;
    };
    const hub = start('hub', ['hub', '--port', String(hubPort), '--json', '--data-dir', hubDir]);
    await new Promise((resolve, reject) => {
      hub.stdout!.once('data', resolve);
      hub.once('exit', (code) => reject(new Error(`the hub exited with ${code}`)));
    });
    for (const name of ['alpha', 'beta']) {
      const party = workspace.parties.find((candidate) => candidate.name === name)!;
      const { code } = await createInvitation(store, contact, { collaborationId: SIMULATION_IDS.collaboration });
      start(name, ['worker', '--join', code, '--data-dir', party.dataDir, '--id', name, '--approve-all']);
    }
    start('gamma', ['worker', '--listen', `127.0.0.1:${gammaPort}`, '--trust-hub', (await ensureSigningIdentity(hubDir)).publicKeyText, '--data-dir', gamma.dataDir, '--id', 'gamma', '--approve-all']);
    admin = await AdminClient.connect(hubDir);
    const deadline = Date.now() + 60_000;
    while ((await admin.connected()).join() !== 'alpha,beta') {
      if (Date.now() > deadline) throw new Error('the workers did not connect');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    admin?.close();
    for (const child of Object.values(children)) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('neither the hub nor the worker crashes, the run ends as an undisturbed one, the stores are intact', async () => {
    await admin.start(SIMULATION_IDS.run);
    const undisturbed = await admin.wait(SIMULATION_IDS.run);
    expect(undisturbed.status).toBe('completed');
    expect(undisturbed.parties).toEqual(PARTIES);

    const r = new Prng(SEED);
    let training = false;
    let finishedAt = 0;
    await admin.subscribe((event) => {
      if (event.run !== 'disturbed') return;
      if (event.kind === 'round') training = true;
      if (event.kind === 'finished') finishedAt = Date.now();
    }, 'disturbed');
    await admin.start('disturbed');
    await expect.poll(() => training, { timeout: 60_000, interval: 20 }).toBe(true);

    // The hub: strangers before any handshake (a hello that passes the schema but not the
    // screening ends a connection early, as it should)…
    const helloTemplate = { v: PROTOCOL_VERSION, t: 'hello', id: 'h-1', b: { protocol: PROTOCOL_VERSION, party: { id: 'alpha', name: 'alpha' }, software: { name: 'cohort', version: '1' }, key: 'A'.repeat(43), nonce: 'B'.repeat(43), ephemeral: 'C'.repeat(43) } };
    const hubTemplates = [helloTemplate, { v: PROTOCOL_VERSION, t: 'auth', id: 'h-2', b: { signature: 'D'.repeat(86) } }, { v: PROTOCOL_VERSION, t: 'reply', re: 'x-1', b: { numExamples: 10, loss: 0.5, seconds: 1 }, x: [{ name: 'update', dtype: 'float32', shape: [3] }] }];
    const hubStrangers = strangers(hubUrl, r, 2_000, 3, hubTemplates, () => [helloTemplate, { ...helloTemplate, b: { ...helloTemplate.b, invitation: 'x'.repeat(43) } }]);
    // …and Mallory inside her session: sealed garbage (and some that breaks the seal).
    const malloryFuzz = (async () => {
      const socket = await dial(hubUrl, { certificate: (await hubContact(workspace.hubDir, hubUrl)).certificate });
      const peer = partyPeer(socket, 'hub', { log: silentLog, security: { record: () => undefined }, heartbeatMs: 0 });
      await authenticateToHub(peer, {
        identity: mallory,
        party: { id: 'mallory', name: 'Mallory' },
        software: { name: 'cohort', version: 'fuzz' },
        certificate: (await hubContact(workspace.hubDir, hubUrl)).certificate,
        trustHub: () => undefined,
      });
      let sent = 0;
      const raw = socket as WebSocket;
      for (let i = 0; i < PER_TARGET; i++) {
        const roll = r.int(10);
        const type = r.chance(0.8) ? r.pick(MESSAGE_TYPES) : `x.${r.int(100)}`;
        const tensors: Tensors = r.chance(0.2) ? { weights: tensorOf(Float32Array.from({ length: r.int(50) }, () => r.next())) } : {};
        if (roll < 6) await peer.notify(type, randomValue(r), tensors).catch(() => undefined);
        else if (roll < 8) void peer.request(type, randomValue(r), { schema: z.unknown(), timeoutMs: 2_000, tensors }).catch(() => undefined);
        else if (roll < 9) await sendAll(raw, fuzzMessage(r, hubTemplates));
        // A tag of her own making on an envelope of her own making: forged, replayed or out of sequence.
        else await sendAll(raw, [r.bytes(16).toString('base64url') + JSON.stringify({ v: PROTOCOL_VERSION, t: type, s: r.int(20_000), b: randomValue(r) })]);
        sent += 1;
        while (raw.bufferedAmount > 1 << 20) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      peer.close();
      return sent;
    })();
    // The listening worker: strangers, each answering its hello with a mutated challenge at last.
    const challenge = (first: string) => {
      const id = (JSON.parse(first || '{}') as { id?: string }).id ?? 'none';
      return [{ v: PROTOCOL_VERSION, t: 'reply', re: id, b: { hub: { id: 'hub', name: 'Hub', key: 'E'.repeat(43) }, nonce: 'F'.repeat(43), ephemeral: 'G'.repeat(43), signature: 'H'.repeat(86) } }];
    };
    const workerTemplates = [{ v: PROTOCOL_VERSION, t: 'run.fit', id: 'w-1', b: { run: 'disturbed', config: { round: 1 } } }, { v: PROTOCOL_VERSION, t: 'run.teardown', b: { run: 'disturbed', reason: 'fuzz' } }, challenge('{"id":"w-2"}')[0]];
    // Five connections at most: a sixth would find the address blocked after five failed handshakes.
    const workerStrangers = strangers(gammaUrl, r, PER_TARGET, 5, workerTemplates, challenge);

    const [hubSent, mallorySent, workerSent] = await Promise.all([hubStrangers, malloryFuzz, workerStrangers]);
    const fuzzEnded = Date.now();
    expect(hubSent + mallorySent).toBeGreaterThanOrEqual(PER_TARGET);
    expect(workerSent).toBeGreaterThanOrEqual(PER_TARGET);

    const disturbed = await admin.wait('disturbed');
    // The fuzzing happened while the run was training.
    // All of it was sent while the run was training.
    expect(finishedAt === 0 || finishedAt > fuzzEnded, `the run finished ${finishedAt - fuzzEnded} ms before the fuzzing did`).toBe(true);
    expect(disturbed.status).toBe('completed');
    expect(disturbed.dropouts).toEqual([]);
    expect(disturbed.parties).toEqual(undisturbed.parties);
    expect(disturbed.rounds.map((round) => round.trainLoss)).toEqual(undisturbed.rounds.map((round) => round.trainLoss));
    expect(disturbed.evaluation).toEqual(undisturbed.evaluation);

    // Nobody crashed, and everyone still serves.
    for (const [name, child] of Object.entries(children)) {
      expect(child.exitCode, `${name} exited`).toBeNull();
      expect(isRunning(child.pid!)).toBe(true);
    }
    expect(await admin.connected()).toEqual(['alpha', 'beta', 'gamma']);
    const hubOutput = await readFile(join(root, 'hub.log'), 'utf8');
    expect(hubOutput).not.toMatch(/unexpected error|Uncaught|TypeError|RangeError/);

    // The stores are intact: they open, validate, and hold exactly what they held.
    const hubStore = await MetadataStore.open(workspace.hubDir);
    const db = await hubStore.snapshot();
    expect(db.participants.map((participant) => participant.id).sort()).toEqual(['alpha', 'beta', 'gamma', 'mallory']);
    expect(db.runs.map((run) => [run.id, run.status]).sort()).toEqual([
      ['disturbed', 'completed'],
      [SIMULATION_IDS.run, 'completed'],
    ]);
    expect(db.registrations.find((registration) => registration.participantId === 'mallory')).toBeUndefined();
    const gammaStore = await MetadataStore.open(workspace.parties.find((party) => party.name === 'gamma')!.dataDir);
    expect((await gammaStore.snapshot()).dataTags).toHaveLength(3);

    // The refusals are on record, with their reasons (many messages are refused as one: a
    // tensor frame out of place takes its envelope with it; replies to nothing are dropped).
    const hubLog = await SecurityLog.open(workspace.hubDir);
    // (The processes may still be reading the last of the flood from their sockets.)
    await expect.poll(async () => (await hubLog.query({ outcome: 'refused', limit: 1 })).total, { timeout: 30_000 }).toBeGreaterThan(PER_TARGET / 4);
    for (const reason of ['sequence', 'an unauthenticated message arrived inside an authenticated session', 'unknown notification type', 'unknown request type', 'is not allowed before authentication', 'not a valid envelope', 'a binary frame arrived without an envelope']) {
      expect((await hubLog.query({ outcome: 'refused', search: reason, limit: 1 })).total, reason).toBeGreaterThan(0);
    }
    const gammaLog = await SecurityLog.open(workspace.parties.find((party) => party.name === 'gamma')!.dataDir);
    await expect.poll(async () => (await gammaLog.query({ outcome: 'refused', limit: 1 })).total, { timeout: 30_000 }).toBeGreaterThan(PER_TARGET / 4);
  }, 300_000);
});
