// A participant the orchestrator added without a key (`cohort participant add` without --key)
// belongs to whoever first proves a key for it. Before, any invitation to the hub would do, with
// the participant's id and display name (both easy to guess): the holder took over its name, its
// registrations (a listening participant's included) and its place in runs. Now only an
// invitation made for it (`cohort invitation create --participant ID`) can claim it. A running
// hub, the real command line against its data directory, and parties over TLS on 127.0.0.1.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { silentLog } from '../../src-main/api/log';
import { partyPeer } from '../../src-main/api/trust/party-connections';
import { newSigningKeyPair, signingIdentity, type SigningIdentity } from '../../src-main/protocol/crypto';
import { authenticateToHub } from '../../src-main/protocol/handshake';
import type { Peer } from '../../src-main/protocol/peer';
import { dial } from '../../src-main/protocol/transport';
import { refusedReasons, securityEvents } from '../support/adversary';
import { runCli } from '../support/cli';

let root: string;
let hub: Hub;
const peers: Peer[] = [];
const hubDir = () => join(root, 'hub');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-binding-'));
  hub = await startHub({ dataDir: hubDir(), port: 0, heartbeatMs: 0, handshakeGuard: { maxFailures: 100 } });
  await hub.store.create('collaborations', { id: 'stroke', name: 'Stroke network' });
  await hub.store.create('projects', { id: 'outcome', collaborationId: 'stroke', name: 'Outcome', targetColumn: 'outcome', task: 'classify' });
}, 60_000);

afterAll(async () => {
  for (const peer of peers) peer.close();
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

async function cohort(...args: string[]): Promise<string> {
  const result = await runCli([...args, '--data-dir', hubDir()]);
  if (result.code !== 0) throw new Error(result.stderr || result.stdout);
  return result.stdout;
}

/** An invitation token, made with the command line (for one participant, or for anyone). */
async function invitation(forParticipant?: string): Promise<string> {
  const { code } = JSON.parse(await cohort('invitation', 'create', '--collaboration', 'stroke', '--json', ...(forParticipant ? ['--participant', forParticipant] : []))) as { code: string };
  return (JSON.parse(Buffer.from(code.slice('cohort-invite-2.'.length), 'base64url').toString()) as { token: string }).token;
}

async function claim(id: string, name: string, token: string, identity: SigningIdentity = signingIdentity(newSigningKeyPair().privateKeyPem)) {
  const peer = partyPeer(await dial(hub.url, { certificate: hub.certificate }), 'hub', { log: silentLog, security: { record: () => undefined }, heartbeatMs: 0 });
  peers.push(peer);
  return authenticateToHub(peer, {
    identity,
    party: { id, name },
    software: { name: 'cohort', version: 'test' },
    invitation: token,
    certificate: hub.certificate,
    trustHub: () => undefined,
  });
}

describe('a participant added without a key', () => {
  it('cannot be claimed with an invitation that was not made for it, even under its own name', async () => {
    const added = await cohort('participant', 'add', '--name', 'North', '--id', 'north');
    expect(added).toContain('invitation create --collaboration ID --participant north');
    const general = await invitation();
    await expect(claim('north', 'North', general)).rejects.toThrow('the name "north" is reserved for a participant the orchestrator added: only the invitation made for it can claim it');
    expect(await hub.store.get('participants', 'north')).not.toHaveProperty('publicKey');
    expect(await hub.store.find('registrations', 'north.outcome')).toBeUndefined();
    // The invitation was not used up: it still brings in someone new.
    await expect(claim('east', 'East', general)).resolves.toMatchObject({ welcome: { collaborations: [expect.objectContaining({ collaboration: expect.objectContaining({ id: 'stroke' }) })] } });
  }, 120_000);

  it('is claimed with the invitation made for it, by no one else, and then only with the key that claimed it', async () => {
    const bound = await invitation('north');
    await expect(claim('south', 'South', bound)).rejects.toThrow('this invitation is for participant "north", not "south"');
    const north = signingIdentity(newSigningKeyPair().privateKeyPem);
    await claim('north', 'North', bound, north);
    expect(await hub.store.get('participants', 'north')).toMatchObject({ publicKey: north.publicKeyText });
    expect(await hub.store.find('registrations', 'north.outcome')).toBeDefined();
    const used = (await hub.store.list('invitations')).find((candidate) => candidate.forParticipant === 'north');
    expect(used).toMatchObject({ usedBy: 'north' });
    // Bound now: another key under its name is refused, whatever the invitation.
    await expect(claim('north', 'North', await invitation('north'))).rejects.toThrow('the name "north" is taken by another participant');

    const reasons = refusedReasons(await securityEvents(hubDir()));
    expect(reasons).toEqual(expect.arrayContaining([expect.stringContaining('is reserved for a participant the orchestrator added'), 'this invitation is for participant "north", not "south"']));
  }, 120_000);

  it('cannot be invited if it does not exist', async () => {
    const result = await runCli(['invitation', 'create', '--collaboration', 'stroke', '--participant', 'nobody', '--data-dir', hubDir()]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/nobody/);
  }, 60_000);
});
