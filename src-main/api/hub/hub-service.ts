// A running hub: the party endpoint (workers dial in over TLS, or are dialled if they listen),
// the TTP engine, and a 127.0.0.1-only admin endpoint guarded by a random token, through which
// the command line starts, watches and cancels runs.
//
// Trust: the hub has an Ed25519 identity and a TLS certificate (self-signed and kept in its
// data directory, or the user's). Every party connection authenticates both ways before
// anything else; only participants that joined with an invitation, with the key they joined
// with, and not revoked, get in. Everything is written to the hub's security log.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN, Ack, CutOffRequest, PartiesReply, RunRef, SubscribeRequest, type HubInfo, type RunStatusReply } from '../../contract/admin';
import { RunResult } from '../../contract/results';
import type { Log } from '../../engines/ports';
import { TtpEngine } from '../../engines/ttp';
import { keyFingerprint } from '../../protocol/crypto';
import { awaitAuthentication, HUB_NOTICES, type Hello } from '../../protocol/handshake';
import type { HandshakeGuardOptions } from '../../protocol/handshake-guard';
import { Peer } from '../../protocol/peer';
import { dial, listen, type Listener } from '../../protocol/transport';
import { writeJsonFile } from '../../store/json-files';
import { MetadataStore } from '../../store/metadata-store';
import { StoreRunRepository } from '../../store/run-repository';
import { SecurityLog, type SecurityRecorder } from '../../store/security-log';
import { silentLog } from '../log';
import { ensureSigningIdentity } from '../trust/identity-key';
import type { ConnectionLimits } from '../trust/doorkeeper';
import { listenForParties, partyPeer, recordHandshake, type PartyConnectionOptions } from '../trust/party-connections';
import { ensureTlsMaterial, type ProvidedCertificate } from '../trust/tls-files';
import { identityView, type HubContact } from '../trust/hub-contact';
import { admitParty, screenParty, snapshotsFor } from './invitations';
import { HubModelPort } from './model-port';
import { DeclaredTags } from './declared-tags';
import type { NoticeLimits } from './notice-limits';
import { recoverInterruptedRuns } from './recovery';
import { FileRunJournal } from '../../store/run-journal';

export const HUB_INFO_FILE = 'hub.json';

export interface HubOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /** The address participants use to reach this hub, written into invitations (default: the listening address). */
  publicUrl?: string;
  /** How long a starting run waits for its participants. */
  participantWaitMs?: number;
  /** How long a run waits for each participant to approve it. */
  approvalWaitMs?: number;
  heartbeatMs?: number;
  maxFrameBytes?: number;
  /** Serve this certificate instead of the hub's own self-signed one. */
  certificate?: ProvidedCertificate;
  /** Where security events go (default: the security log in the data directory). */
  security?: SecurityRecorder;
  handshakeGuard?: HandshakeGuardOptions;
  /** Connections still in their handshake, in total and per address (default HUB_CONNECTION_LIMITS). */
  connectionLimits?: ConnectionLimits;
  /** What each participant may send unasked (default NOTICE_LIMITS). */
  noticeLimits?: NoticeLimits;
  log?: Log;
}

export interface Hub {
  url: string;
  /** The address written into invitations. */
  publicUrl: string;
  /** The TLS certificate's SHA-256 fingerprint. */
  certificate: string;
  identity: { key: string; fingerprint: string };
  /** What an invitation needs: where to connect and what to trust. */
  contact(): HubContact;
  adminUrl: string;
  engine: TtpEngine;
  store: MetadataStore;
  runs: StoreRunRepository;
  /** Tells every connected participant the current definitions of its collaborations. */
  announceDefinitions(): Promise<void>;
  /** Told when a participant declares its data tags. */
  onTagsDeclared(listener: () => void): void;
  /** The TF.js backend the hub uses ('not loaded' until the first run needs it). */
  backend(): string;
  /** Cuts off a participant now (its revocation is in the store; this closes its connection). */
  cutOff(participant: string, reason: string): boolean;
  close(): Promise<void>;
}

const HUB_IDENTITY = { id: 'hub', name: 'Cohort hub' };

export async function startHub(options: HubOptions): Promise<Hub> {
  const log = options.log ?? silentLog;
  const store = await MetadataStore.open(options.dataDir);
  const journal = new FileRunJournal(options.dataDir);
  const recovered = await recoverInterruptedRuns(store, journal);
  if (recovered.interrupted.length > 0) log.warn('runs interrupted by the last shutdown can be resumed', { runs: recovered.interrupted.join(', ') });
  if (recovered.failed.length > 0) log.warn('runs interrupted before their first checkpoint were marked failed', { runs: recovered.failed.join(', ') });
  const runs = new StoreRunRepository(store, options.dataDir);
  const models = new HubModelPort(options.dataDir);
  const identity = await ensureSigningIdentity(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const tls = await ensureTlsMaterial(options.dataDir, {
    commonName: 'Cohort hub',
    hosts: [host, ...(options.publicUrl ? [hostOf(options.publicUrl)] : [])],
    ...(options.certificate ? { provided: options.certificate } : {}),
  });
  const ownLog = options.security ? undefined : await SecurityLog.open(options.dataDir);
  const connections: PartyConnectionOptions = {
    log,
    security: options.security ?? ownLog!,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}),
  };

  const declared = new DeclaredTags(store, log, options.noticeLimits);
  const admitted = (peer: Peer, party: string) => {
    ttp.attach(party, peer);
    declared.listen(peer, party);
  };

  // Authenticates a connected party and admits it into the engine (created below; no
  // connection arrives before it is). `certificate` is the TLS certificate of this connection:
  // the hub's own, or (when the hub dialled a listening participant, `expected`) the
  // participant's; a listening participant names itself only after the hub has proved its key.
  const authenticate = async (peer: Peer, certificate: string, expected?: string): Promise<Hello> => {
    const hello = await awaitAuthentication(peer, {
      identity,
      hub: HUB_IDENTITY,
      certificate,
      hubProvesFirst: expected !== undefined,
      screen: async (candidate) =>
        expected !== undefined && candidate.party.id !== expected ? `expected participant "${expected}", not "${candidate.party.id}"` : screenParty(store, candidate),
      admit: (candidate) => admitParty(store, candidate, HUB_IDENTITY),
    });
    peer.identify(hello.party.id);
    admitted(peer, hello.party.id);
    return hello;
  };

  const ttp = new TtpEngine(
    {
      runs,
      models,
      journal,
      log,
      dialer: {
        reach: async (participant) => {
          if (participant.connection.mode !== 'listen') return;
          const { host, port, certificate } = participant.connection;
          const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
          if (!certificate) {
            throw new Error(`${participant.id} listens at ${address}, but no certificate fingerprint is registered for it: register it with its fingerprint`);
          }
          const label = `${participant.id} at ${address}`;
          try {
            const socket = await dial(`wss://${address}`, { timeoutMs: 5_000, certificate });
            await authenticate(partyPeer(socket, label, connections), certificate, participant.id);
            recordHandshake(connections, { direction: 'outbound', peer: label, outcome: 'accepted' });
          } catch (error) {
            recordHandshake(connections, { direction: 'outbound', peer: label, outcome: 'refused', reason: (error as Error).message });
            throw error;
          }
        },
      },
    },
    {
      ...(options.participantWaitMs === undefined ? {} : { participantWaitMs: options.participantWaitMs }),
      ...(options.approvalWaitMs === undefined ? {} : { approvalWaitMs: options.approvalWaitMs }),
    },
  );

  const parties = await listenForParties({
    ...connections,
    host,
    port: options.port ?? 0,
    tls,
    ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}),
    ...(options.handshakeGuard ? { guard: options.handshakeGuard } : {}),
    ...(options.connectionLimits ? { limits: options.connectionLimits } : {}),
    authenticate: async (peer) => (await authenticate(peer, tls.fingerprint)).party.id,
  });
  const publicUrl = options.publicUrl ?? parties.url;

  const cutOff = (participant: string, reason: string): boolean => {
    const channel = ttp.channelOf(participant);
    if (!channel) return false;
    channel.close(`revoked: ${reason}`);
    connections.security.record({ direction: 'outbound', kind: 'connection', peer: participant, what: 'revocation', bytes: 0, outcome: 'sent', reason });
    return true;
  };

  const token = randomBytes(32).toString('base64url');
  const admin = await listenAdmin(token, connections.security, (peer) => serveAdmin(peer, ttp, runs, store, cutOff));
  const info: HubInfo = {
    pid: process.pid,
    url: parties.url,
    publicUrl,
    certificate: tls.fingerprint,
    key: identity.publicKeyText,
    adminUrl: admin.url,
    token,
    startedAt: new Date().toISOString(),
  };
  const infoPath = join(options.dataDir, HUB_INFO_FILE);
  await writeJsonFile(infoPath, info);
  log.info('hub listening', { url: parties.url, certificate: tls.fingerprint, key: keyFingerprint(identity.publicKeyText) });
  // Load TF.js in the background: the first run needs it, the hub's start does not wait for it.
  models.ready().then(
    (backend) => log.info('TF.js ready', { backend }),
    (error: Error) => log.error('TF.js could not be loaded', { error: error.message }),
  );

  return {
    url: parties.url,
    publicUrl,
    certificate: tls.fingerprint,
    identity: identityView(identity),
    contact: () => ({ url: publicUrl, certificate: tls.fingerprint, key: identity.publicKeyText }),
    adminUrl: admin.url,
    engine: ttp,
    store,
    runs,
    async announceDefinitions() {
      await Promise.all(
        ttp.connectedParties().map(async (party) => {
          const channel = ttp.channelOf(party);
          if (channel?.isOpen) await channel.notify(HUB_NOTICES.collaborations, { collaborations: await snapshotsFor(store, party) }).catch(() => undefined);
        }),
      );
    },
    onTagsDeclared(listener) {
      declared.onDeclared(listener);
    },
    backend: () => models.backend(),
    cutOff,
    async close() {
      await ttp.close();
      await Promise.all([parties.close(), admin.close()]);
      await rm(infoPath, { force: true });
      await ownLog?.close();
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** The admin endpoint: 127.0.0.1 only, and a connection must present the token. */
async function listenAdmin(token: string, security: SecurityRecorder, onPeer: (peer: Peer) => void): Promise<Listener> {
  const expected = Buffer.from(token);
  return listen({ host: '127.0.0.1', port: 0, maxFrameBytes: 1 << 20 }, (socket, request) => {
    const presented = Buffer.from(new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      security.record({ direction: 'inbound', kind: 'connection', peer: `admin client at ${request.socket.remoteAddress ?? '?'}`, what: 'admin', bytes: 0, outcome: 'refused', reason: 'no valid admin token' });
      socket.close(4401, 'a valid admin token is required');
      return;
    }
    onPeer(new Peer(socket, { label: 'admin', heartbeatMs: 0 }));
  });
}

function serveAdmin(peer: Peer, engine: TtpEngine, runs: StoreRunRepository, store: MetadataStore, cutOff: Hub['cutOff']): void {
  peer.handle(ADMIN.cutOff, CutOffRequest, async ({ participant, reason }) => {
    const record = await store.get('participants', participant);
    if (record.revokedAt === undefined) throw Object.assign(new Error(`participant "${participant}" is not revoked`), { code: 'BAD_INPUT' });
    return { body: { wasConnected: cutOff(participant, reason) } };
  });
  peer.handle(ADMIN.start, RunRef, async ({ run }) => {
    await engine.start(run);
    return { body: Ack.parse({ ok: true }) };
  });
  peer.handle(ADMIN.cancel, RunRef, async ({ run }) => ({ body: RunResult.parse(await engine.cancel(run)) }));
  peer.handle(ADMIN.stop, RunRef, async ({ run }) => ({ body: RunResult.parse(await engine.stop(run)) }));
  peer.handle(ADMIN.resume, RunRef, async ({ run }) => {
    await engine.resume(run);
    return { body: Ack.parse({ ok: true }) };
  });
  peer.handle(ADMIN.wait, RunRef, async ({ run }) => {
    const result = engine.isActive(run) ? await engine.wait(run) : await runs.result(run);
    if (!result) throw Object.assign(new Error(`run "${run}" has not run yet`), { code: 'NOT_FOUND' });
    return { body: result };
  });
  peer.handle(ADMIN.status, RunRef, async ({ run }) => {
    const record = await store.get('runs', run);
    const reply: RunStatusReply = {
      run: record,
      active: engine.isActive(run),
      result: (await runs.result(run)) ?? null,
      connected: engine.connectedParties(),
    };
    return { body: reply };
  });
  peer.handle(ADMIN.parties, RunRef.partial(), async () => ({ body: PartiesReply.parse({ connected: engine.connectedParties() }) }));
  peer.handle(ADMIN.subscribe, SubscribeRequest, async ({ run }) => {
    const stop = engine.onEvent((event) => {
      if (run === undefined || event.run === run) void peer.notify(ADMIN.event, event).catch(() => undefined);
    });
    void peer.closed.then(stop);
    return { body: { ok: true } };
  });
}
