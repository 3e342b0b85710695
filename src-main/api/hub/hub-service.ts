// A running hub: the party endpoint (workers dial in, or are dialled if they listen), the TTP
// engine, and a 127.0.0.1-only admin endpoint guarded by a random token, through which the
// command line starts, watches and cancels runs.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN, Ack, PartiesReply, RunRef, SubscribeRequest, type HubInfo, type RunStatusReply } from '../../contract/admin';
import { RunResult } from '../../contract/results';
import type { Log } from '../../engines/ports';
import { TtpEngine } from '../../engines/ttp';
import { GRID, TagsNotice } from '../../contract/grid';
import { awaitHello, HUB_NOTICES, type Admission } from '../../protocol/handshake';
import { Peer } from '../../protocol/peer';
import { dial, listen, type Listener } from '../../protocol/transport';
import { writeJsonFile } from '../../store/json-files';
import { MetadataStore } from '../../store/metadata-store';
import { StoreRunRepository } from '../../store/run-repository';
import { silentLog } from '../log';
import { admitParty, snapshotsFor } from './invitations';
import { HubModelPort } from './model-port';

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
  log?: Log;
}

export interface Hub {
  url: string;
  /** The address written into invitations. */
  publicUrl: string;
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
  close(): Promise<void>;
}

const HUB_IDENTITY = { id: 'hub', name: 'Cohort hub' };

export async function startHub(options: HubOptions): Promise<Hub> {
  const log = options.log ?? silentLog;
  const store = await MetadataStore.open(options.dataDir);
  const runs = new StoreRunRepository(store, options.dataDir);
  const models = new HubModelPort(options.dataDir);
  const peerOptions = (label: string) => ({
    label,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    onRefused: (problem: string) => log.warn('refused input', { from: label, problem }),
  });

  const tagListeners: Array<() => void> = [];
  const admitted = (peer: Peer, party: string) => {
    ttp.attach(party, peer);
    peer.on(GRID.tags, TagsNotice, (notice) => {
      void recordDeclaredTags(store, party, notice).then(
        () => tagListeners.forEach((listener) => listener()),
        (error: Error) => log.warn('could not record declared tags', { party, error: error.message }),
      );
    });
  };

  // Admits a connected party into the engine (created below; no connection arrives before it is).
  const accept = (peer: Peer, expected?: string) =>
    awaitHello(peer, async (hello): Promise<Admission> => {
      if (expected !== undefined && hello.party.id !== expected) {
        return { ok: false, reason: `expected participant "${expected}", not "${hello.party.id}"` };
      }
      return admitParty(store, hello, HUB_IDENTITY);
    }).then(
      (hello) => admitted(peer, hello.party.id),
      (error: Error) => log.warn('connection refused', { from: peer.label, reason: error.message }),
    );

  const ttp = new TtpEngine(
    {
      runs,
      models,
      log,
      dialer: {
        reach: async (participant) => {
          if (participant.connection.mode !== 'listen') return;
          const { host, port } = participant.connection;
          const socket = await dial(`ws://${host.includes(':') ? `[${host}]` : host}:${port}`, { timeoutMs: 5_000 });
          await accept(new Peer(socket, peerOptions(`${participant.id} at ${host}:${port}`)), participant.id);
        },
      },
    },
    {
      ...(options.participantWaitMs === undefined ? {} : { participantWaitMs: options.participantWaitMs }),
      ...(options.approvalWaitMs === undefined ? {} : { approvalWaitMs: options.approvalWaitMs }),
    },
  );

  const parties = await listen(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0, ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}) },
    (socket, request) => void accept(new Peer(socket, peerOptions(request.socket.remoteAddress ?? 'a party'))),
  );

  const token = randomBytes(32).toString('base64url');
  const admin = await listenAdmin(token, (peer) => serveAdmin(peer, ttp, runs, store));
  const info: HubInfo = {
    pid: process.pid,
    url: parties.url,
    adminUrl: admin.url,
    token,
    startedAt: new Date().toISOString(),
  };
  const infoPath = join(options.dataDir, HUB_INFO_FILE);
  await writeJsonFile(infoPath, info);
  log.info('hub listening', { url: parties.url });
  // Load TF.js in the background: the first run needs it, the hub's start does not wait for it.
  models.ready().then(
    (backend) => log.info('TF.js ready', { backend }),
    (error: Error) => log.error('TF.js could not be loaded', { error: error.message }),
  );

  return {
    url: parties.url,
    publicUrl: options.publicUrl ?? parties.url,
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
      tagListeners.push(listener);
    },
    backend: () => models.backend(),
    async close() {
      await ttp.close();
      await Promise.all([parties.close(), admin.close()]);
      await rm(infoPath, { force: true });
    },
  };
}

/** Stores the tag summaries a participant declared for one of its projects. */
async function recordDeclaredTags(store: MetadataStore, party: string, notice: TagsNotice): Promise<void> {
  await store.mutate((db) => {
    const registration = db.registrations.find((candidate) => candidate.participantId === party && candidate.projectId === notice.projectId);
    if (!registration) throw new Error(`${party} is not registered in project ${notice.projectId}`);
    registration.declaredTags = notice.tags;
    registration.updatedAt = new Date().toISOString();
  });
}

/** The admin endpoint: 127.0.0.1 only, and a connection must present the token. */
async function listenAdmin(token: string, onPeer: (peer: Peer) => void): Promise<Listener> {
  const expected = Buffer.from(token);
  return listen({ host: '127.0.0.1', port: 0, maxFrameBytes: 1 << 20 }, (socket, request) => {
    const presented = Buffer.from(new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      socket.close(4401, 'a valid admin token is required');
      return;
    }
    onPeer(new Peer(socket, { label: 'admin', heartbeatMs: 0 }));
  });
}

function serveAdmin(peer: Peer, engine: TtpEngine, runs: StoreRunRepository, store: MetadataStore): void {
  peer.handle(ADMIN.start, RunRef, async ({ run }) => {
    await engine.start(run);
    return { body: Ack.parse({ ok: true }) };
  });
  peer.handle(ADMIN.cancel, RunRef, async ({ run }) => ({ body: RunResult.parse(await engine.cancel(run)) }));
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
