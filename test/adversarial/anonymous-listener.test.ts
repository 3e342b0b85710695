// A listening worker, started as a user would (`cohort worker --listen`), says nothing about
// itself to whoever connects: not in its TLS certificate, not in its handshake, not when the
// other side answers with a key it does not trust or a signature that does not verify. Only a
// TTP that proves the trusted hub key learns who it is. Its default limit on connections still
// in their handshake holds too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../src-main/api/log';
import { LISTENING_WORKER_CONNECTION_LIMITS } from '../../src-main/api/trust/doorkeeper';
import { partyPeer } from '../../src-main/api/trust/party-connections';
import { newSigningKeyPair, signingIdentity } from '../../src-main/protocol/crypto';
import { awaitAuthentication } from '../../src-main/protocol/handshake';
import { dial } from '../../src-main/protocol/transport';
import { PROJECT_ROOT } from '../support/cli';
import { rawTcp, stranger, type RawConnection } from '../support/adversary';
import { PROTOCOL_VERSION } from '../../src-main/protocol/frames';

const ID = 'st-elsewhere-42';
const NAME = 'St Elsewhere Hospital';
const ORGANISATION = 'Elsewhere Health Trust';
const hub = signingIdentity(newSigningKeyPair().privateKeyPem);
const impostor = signingIdentity(newSigningKeyPair().privateKeyPem);

let root: string;
let child: ChildProcess;
let url: string;
let workerKey: string;
let certificate: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-anonymous-'));
  child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, 'bin', 'cohort.js'), 'worker', '--listen', '127.0.0.1:0', '--trust-hub', hub.publicKeyText, '--data-dir', join(root, 'worker'), '--id', ID, '--name', NAME, '--organisation', ORGANISATION, '--approve-all'],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/identity key\s+\S+/.test(output)) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`the worker did not start:\n${output}`)), 60_000).unref();
  });
  url = /listening for the TTP on (wss:\/\/\S+)/.exec(output)![1]!;
  workerKey = /identity key\s+(\S+)/.exec(output)![1]!;
  certificate = /certificate SHA-256\s+(\S+)/.exec(output)![1]!;
}, 90_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** What must never reach a stranger: the party's id, name, organisation and identity key. */
function expectNothingAbout(text: string): void {
  for (const secret of [ID, NAME, ORGANISATION, workerKey]) expect(text).not.toContain(secret);
}

function certificateOf(port: number): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('a stranger connecting to a listening worker', () => {
  it('finds nothing about it in the TLS certificate', async () => {
    const cert = await certificateOf(Number(new URL(url).port));
    expect(cert.subject).toEqual({ CN: 'Cohort participant' });
    expect(cert.subjectaltname).not.toContain(hostname());
    expectNothingAbout(cert.raw.toString('latin1'));
    expectNothingAbout(JSON.stringify({ subject: cert.subject, issuer: cert.issuer, san: cert.subjectaltname }));
  });

  it('gets a hello without a name, and nothing more when it answers with a key the worker does not trust', async () => {
    const connection = await stranger(url);
    const hello = JSON.parse((await connection.first).toString()) as { t: string; id: string; b: Record<string, unknown> };
    expect(hello.t).toBe('hello');
    expect(Object.keys(hello.b).sort()).toEqual(['ephemeral', 'nonce', 'protocol']);
    // It asks for things, then answers the hello as a hub would, with its own key.
    connection.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, t: 'run.fit', id: 'f-1', b: { run: 'r', config: {} } }));
    connection.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, t: 'whoami', id: 'f-2', b: {} }));
    connection.socket.send(
      JSON.stringify({ v: PROTOCOL_VERSION, t: 'reply', re: hello.id, b: { hub: { id: 'hub', name: 'Hub', key: impostor.publicKeyText }, nonce: 'N'.repeat(43), ephemeral: 'E'.repeat(43), signature: 'S'.repeat(86) } }),
    );
    const closed = await connection.closed;
    expect(closed.reason).toBe('untrusted hub');
    expect(connection.frames.length).toBeGreaterThanOrEqual(3); // the hello and two refusals
    expectNothingAbout(connection.frames.map((frame) => frame.toString('latin1')).join('\n'));
  });

  it('learns nothing either by naming the trusted hub key without proving it', async () => {
    const connection = await stranger(url);
    const hello = JSON.parse((await connection.first).toString()) as { id: string };
    connection.socket.send(
      JSON.stringify({ v: PROTOCOL_VERSION, t: 'reply', re: hello.id, b: { hub: { id: 'hub', name: 'Hub', key: hub.publicKeyText }, nonce: 'N'.repeat(43), ephemeral: 'E'.repeat(43), signature: 'S'.repeat(86) } }),
    );
    expect((await connection.closed).reason).toBe('the hub failed to prove its identity');
    expectNothingAbout(connection.frames.map((frame) => frame.toString('latin1')).join('\n'));
  });
});

describe('the TTP holding the trusted hub key', () => {
  it('learns who the worker is once it has proved its key', async () => {
    const peer = partyPeer(await dial(url, { certificate }), 'worker', { log: silentLog, security: { record: () => undefined }, heartbeatMs: 0 });
    try {
      const hello = await awaitAuthentication(peer, {
        identity: hub,
        hub: { id: 'hub', name: 'Hub' },
        certificate,
        hubProvesFirst: true,
        screen: async (candidate) => (candidate.party.id === ID ? undefined : `not ${ID}`),
        admit: async () => ({ ok: true, welcome: { hub: { id: 'hub', name: 'Hub' }, collaborations: [] } }),
      });
      expect(hello.party).toEqual({ id: ID, name: NAME, organisation: ORGANISATION });
      expect(hello.key).toBe(workerKey);
      expect(peer.sealed).toBe(true);
    } finally {
      peer.close();
    }
  });
});

describe('its default limits', () => {
  it(`hold at most ${LISTENING_WORKER_CONNECTION_LIMITS.maxWaitingPerAddress} connections in their handshake from one address`, async () => {
    const port = Number(new URL(url).port);
    const open: RawConnection[] = [];
    try {
      for (let i = 0; i < LISTENING_WORKER_CONNECTION_LIMITS.maxWaitingPerAddress; i++) open.push(await rawTcp(port, '127.0.0.61'));
      const extra = await rawTcp(port, '127.0.0.61');
      await extra.closed;
      expect(extra.received()).toBe(0);
      expect(open.every((connection) => connection.isOpen())).toBe(true);
    } finally {
      for (const connection of open) connection.socket.destroy();
    }
  });
});
