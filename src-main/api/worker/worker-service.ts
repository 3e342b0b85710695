// A running worker: the participant's engine, reachable by its hubs. By default it dials out to
// each hub and reconnects with backoff whenever a connection drops; in listen mode it waits for
// the TTP to dial it. Either way, everything after the connection is the same.
//
// On every welcome the worker stores what the hub says about its collaborations (their
// definitions, never data), records its membership, and declares its data tags (schema
// summaries and row counts) for each project.
import { join } from 'node:path';
import { GRID, type ConsentReply, type TagsNotice } from '../../contract/grid';
import type { Channel, ConsentPort, Log, TrainingPort, WorkerActivity, WorkerArtifactsPort } from '../../engines/ports';
import { WorkerEngine } from '../../engines/worker';
import { writePredictionsCsv } from '../../datasource/write-predictions';
import { CollaborationsNotice, greet, HUB_NOTICES, type CollaborationSnapshot, type Hello, type Welcome } from '../../protocol/handshake';
import { PROTOCOL_VERSION } from '../../protocol/frames';
import { Peer, RemoteError } from '../../protocol/peer';
import { backoffDelay, dial, listen, type Listener } from '../../protocol/transport';
import { MetadataStore } from '../../store/metadata-store';
import { silentLog } from '../log';
import { version } from '../version';
import { StoreDataPort, runDir } from './data-port';
import { ThreadTrainingPort } from './training-port';

export interface WorkerOptions {
  dataDir: string;
  party: { id: string; name: string; organisation?: string };
  /** Dial out to these hubs (ws://host:port): one participant can serve several grids… */
  hubs?: readonly string[];
  /** …or listen here and let the TTP dial in. */
  listen?: { host: string; port: number };
  heartbeatMs?: number;
  maxFileBytes?: number;
  /** How local training runs (default: TF.js in a training thread per run). */
  training?: TrainingPort;
  /** Who decides whether a run may use this party's data (default: every run is approved). */
  consent?: ConsentPort;
  /** Told of everything the worker does for a run. */
  activity?: (event: WorkerActivity) => void;
  /** Told when the set of hubs or their connection state changes. */
  onConnectionChange?: () => void;
  log?: Log;
}

export interface HubConnection {
  url: string;
  connected: boolean;
}

export interface WorkerNode {
  engine: WorkerEngine;
  /** Listen mode: where the TTP can dial. */
  url?: string;
  /** Resolves when the worker is first welcomed by a hub. */
  connected: Promise<void>;
  /**
   * Starts serving another hub; with an invitation token, joins it first. Resolves with the
   * first welcome, or rejects with the hub's reason if it refuses.
   */
  addHub(url: string, invitation?: string): Promise<Welcome>;
  hubs(): HubConnection[];
  /** Declares this party's data tags for a project to the hubs that run it. */
  declareTags(projectId: string): Promise<void>;
  close(): Promise<void>;
}

/** Approves every run: for workers whose owner started them to serve (the command line). */
export const approveEveryRun: ConsentPort = {
  decide: async (): Promise<ConsentReply> => ({ approved: true }),
};

export async function startWorker(options: WorkerOptions): Promise<WorkerNode> {
  const log = options.log ?? silentLog;
  const store = await MetadataStore.open(options.dataDir);
  const artifacts: WorkerArtifactsPort = {
    modelDir: (run, which) => join(runDir(options.dataDir, run), `${which}-model`),
    writePredictions: (run, alignment, data, outputs) =>
      writePredictionsCsv(join(runDir(options.dataDir, run), 'predictions.csv'), alignment.target, { sourceRows: data.sourceRows, outputs }),
  };
  const engine = new WorkerEngine(options.party, {
    data: new StoreDataPort(store, options.maxFileBytes === undefined ? {} : { maxBytes: options.maxFileBytes }),
    training: options.training ?? new ThreadTrainingPort(),
    artifacts,
    consent: options.consent ?? approveEveryRun,
    log,
    ...(options.activity ? { activity: options.activity } : {}),
  });
  const peerOptions = (label: string) => ({
    label,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    onRefused: (problem: string) => log.warn('refused input', { from: label, problem }),
  });
  const helloWith = (invitation?: string): Hello => ({
    protocol: PROTOCOL_VERSION,
    party: { id: options.party.id, name: options.party.name, ...(options.party.organisation ? { organisation: options.party.organisation } : {}) },
    software: { name: 'cohort', version: version() },
    ...(invitation ? { invitation } : {}),
  });

  /** The hubs' current connections, by url (absent while disconnected). */
  const channels = new Map<string, Peer>();
  /** The projects each hub runs with this party. */
  const projectsByHub = new Map<string, Set<string>>();
  let markConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));

  const sendTags = async (channel: Channel, projectId: string): Promise<void> => {
    const tags = await store.list('dataTags', { projectId, participantId: options.party.id });
    const notice: TagsNotice = {
      projectId,
      tags: tags.slice(-3).map((tag) => ({
        kind: tag.kind,
        rows: tag.rows,
        columns: tag.columns.map((column) => ({ name: column.name, kind: column.kind })),
        declaredAt: tag.updatedAt,
      })),
    };
    await channel.notify(GRID.tags, notice);
  };

  /** Stores what the hub said about the collaborations, and declares the tags of their projects. */
  const sync = async (hubUrl: string, hubName: string, snapshots: readonly CollaborationSnapshot[], channel: Channel): Promise<void> => {
    await store.mutate((db) => {
      const stamp = new Date().toISOString();
      if (!db.participants.some((participant) => participant.id === options.party.id)) {
        db.participants.push({ id: options.party.id, displayName: options.party.name, organisation: options.party.organisation ?? '', contact: '', createdAt: stamp, updatedAt: stamp });
      }
      for (const { collaboration, projects } of snapshots) {
        upsert(db.collaborations, collaboration);
        for (const project of projects) upsert(db.projects, project);
        const membership = db.memberships.find((candidate) => candidate.id === collaboration.id);
        if (membership) Object.assign(membership, { hubUrl, partyId: options.party.id, orchestrator: hubName, updatedAt: stamp });
        else db.memberships.push({ id: collaboration.id, collaborationId: collaboration.id, hubUrl, partyId: options.party.id, orchestrator: hubName, createdAt: stamp, updatedAt: stamp });
      }
    });
    const projects = new Set(snapshots.flatMap(({ projects }) => projects.map((project) => project.id)));
    projectsByHub.set(hubUrl, projects);
    for (const projectId of projects) await sendTags(channel, projectId).catch(() => undefined);
  };

  const serveConnection = async (peer: Peer, hubUrl: string, invitation?: string): Promise<Welcome> => {
    // The TTP is the one to talk first after the welcome, so serve before greeting.
    engine.serve(peer);
    peer.on(HUB_NOTICES.collaborations, CollaborationsNotice, (notice) => {
      void sync(hubUrl, hubUrl, notice.collaborations, peer).catch((error: Error) => log.warn('could not store the collaborations', { error: error.message }));
    });
    const welcome = await greet(peer, helloWith(invitation));
    await sync(hubUrl, welcome.hub.name, welcome.collaborations, peer);
    log.info('connected to hub', { hub: hubUrl, session: welcome.session });
    markConnected();
    return welcome;
  };

  if (options.listen) {
    const listener: Listener = await listen({ host: options.listen.host, port: options.listen.port }, (socket, request) => {
      const peer = new Peer(socket, peerOptions(`TTP at ${request.socket.remoteAddress ?? '?'}`));
      serveConnection(peer, `listen:${request.socket.remoteAddress ?? '?'}`).catch((error: Error) => {
        log.warn('handshake with the TTP failed', { reason: error.message });
        peer.close('handshake failed');
      });
    });
    log.info('listening for the TTP', { url: listener.url });
    return {
      engine,
      url: listener.url,
      connected,
      addHub: () => Promise.reject(new Error('a listening worker is dialled by its hubs')),
      hubs: () => [],
      declareTags: async () => undefined,
      async close() {
        await listener.close();
        await engine.close();
      },
    };
  }

  const stop = new AbortController();
  const loops: Array<Promise<void>> = [];

  /** Stays connected to one hub: dial, greet, serve until the connection drops, back off, again. */
  const stayConnected = (hubUrl: string, invitation: string | undefined, first: { resolve(welcome: Welcome): void; reject(error: Error): void }) =>
    (async () => {
      let token = invitation;
      let welcomed = false;
      for (let attempt = 0; !stop.signal.aborted; ) {
        let peer: Peer | undefined;
        try {
          const socket = await dial(hubUrl, { timeoutMs: 5_000 });
          peer = new Peer(socket, peerOptions(`hub ${hubUrl}`));
          const welcome = await serveConnection(peer, hubUrl, token);
          token = undefined; // used up: from now on this party is known to the hub
          channels.set(hubUrl, peer);
          options.onConnectionChange?.();
          if (!welcomed) first.resolve(welcome);
          welcomed = true;
          attempt = 0;
          const { reason } = await peer.closed;
          if (!stop.signal.aborted) log.warn('disconnected from hub; reconnecting', { hub: hubUrl, reason });
        } catch (error) {
          peer?.close('handshake failed');
          // A hub that refuses an invitation will refuse it again: give up and say why.
          if (!welcomed && token !== undefined && error instanceof RemoteError && error.code === 'REFUSED') {
            first.reject(error);
            return;
          }
          if (!stop.signal.aborted) log.warn('could not reach the hub; retrying', { hub: hubUrl, reason: (error as Error).message });
        } finally {
          if (peer && channels.get(hubUrl) === peer) {
            channels.delete(hubUrl);
            options.onConnectionChange?.();
          }
        }
        if (stop.signal.aborted) break;
        await sleep(backoffDelay(attempt++), stop.signal);
      }
      if (!welcomed) first.reject(new Error('the worker stopped before the hub welcomed it'));
    })();

  const known = new Set<string>();
  const addHub = (url: string, invitation?: string): Promise<Welcome> => {
    if (known.has(url) && invitation === undefined) return Promise.reject(new Error(`already serving ${url}`));
    known.add(url);
    const welcome = new Promise<Welcome>((resolve, reject) => loops.push(stayConnected(url, invitation, { resolve, reject })));
    welcome.catch(() => known.delete(url));
    options.onConnectionChange?.();
    return welcome;
  };
  for (const url of options.hubs ?? []) addHub(url).catch(() => undefined);

  return {
    engine,
    connected,
    addHub,
    hubs: () => [...known].map((url) => ({ url, connected: channels.get(url)?.isOpen ?? false })),
    async declareTags(projectId) {
      for (const [url, projects] of projectsByHub) {
        const channel = channels.get(url);
        if (projects.has(projectId) && channel?.isOpen) await sendTags(channel, projectId);
      }
    },
    async close() {
      stop.abort();
      for (const peer of channels.values()) peer.close('worker stopping');
      await Promise.all(loops);
      await engine.close();
    },
  };
}

function upsert<T extends { id: string }>(records: T[], record: T): void {
  const index = records.findIndex((candidate) => candidate.id === record.id);
  if (index === -1) records.push(record);
  else records[index] = record;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
