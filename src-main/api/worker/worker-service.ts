// A running worker: the participant's engine, reachable by its hubs. By default it dials out to
// each hub and reconnects with backoff whenever a connection drops; in listen mode it waits for
// the TTP to dial it. Either way, everything after the connection is the same.
//
// Trust: the worker has an Ed25519 identity (kept in its data directory). It connects to a hub
// only over TLS with the certificate its invitation pinned, and accepts it only if it proves
// the identity key the invitation named; in listen mode it serves TLS itself and accepts only
// the hub keys it trusts. Everything that leaves goes to its security log.
//
// On every welcome the worker stores what the hub says about its collaborations (their
// definitions, never data), records its membership, and declares its data tags (schema
// summaries and row counts) for each project.
import { join } from 'node:path';
import { GRID, type ConsentReply, type TagsNotice } from '../../contract/grid';
import { RoundVectorFiles } from '../../store/round-vectors';
import type { Channel, ConsentPort, Log, TrainingPort, WorkerActivity, WorkerArtifactsPort } from '../../engines/ports';
import { WorkerEngine } from '../../engines/worker';
import { writePredictionsCsv } from '../../datasource/write-predictions';
import { keyFingerprint, signBytes } from '../../protocol/crypto';
import { authenticateToHub, CollaborationsNotice, HandshakeError, HUB_NOTICES, type CollaborationSnapshot, type Welcome } from '../../protocol/handshake';
import type { HandshakeGuardOptions } from '../../protocol/handshake-guard';
import type { Peer } from '../../protocol/peer';
import { chooseProxy, ProxyError, showProxy } from '../../protocol/proxy';
import { backoffDelay, CertificateMismatchError, dial, type Listener } from '../../protocol/transport';
import { MetadataStore } from '../../store/metadata-store';
import { SecurityLog, type SecurityRecorder } from '../../store/security-log';
import { identityView, type HubContact } from '../trust/hub-contact';
import { silentLog } from '../log';
import { ensureSigningIdentity } from '../trust/identity-key';
import { LISTENING_WORKER_CONNECTION_LIMITS, type ConnectionLimits } from '../trust/doorkeeper';
import { listenForParties, partyPeer, recordHandshake, type PartyConnectionOptions } from '../trust/party-connections';
import { ensureTlsMaterial, type ProvidedCertificate } from '../trust/tls-files';
import { version } from '../version';
import { StoredConsent } from './consent';
import type { SecretBox } from '../data/secrets';
import { StoreDataPort, predictionsFile, runDir } from './data-port';
import { adoptHubRecords, remoteProjectId, StoreOwnerPort, type HubPins } from './owner-records';
import { ThreadTrainingPort } from './training-port';

export interface WorkerOptions {
  dataDir: string;
  party: { id: string; name: string; organisation?: string };
  /** Dial out to these hubs (pinned: address, certificate, identity key): one participant can serve several grids… */
  hubs?: readonly HubContact[];
  /** …or listen here (TLS) and let the TTPs holding these identity keys dial in. */
  listen?: { host: string; port: number; trustedHubKeys: readonly string[]; certificate?: ProvidedCertificate };
  heartbeatMs?: number;
  maxFileBytes?: number;
  /** Opens the sealed passwords of database connections (tags that are queries). */
  secrets?: SecretBox;
  /** How local training runs (default: TF.js in a training thread per run). */
  training?: TrainingPort;
  /** Who decides whether a run may use this party's data (default: the stored consents, asking the owner). */
  consent?: ConsentPort;
  /** Where security events go (default: the security log in the data directory). */
  security?: SecurityRecorder;
  handshakeGuard?: HandshakeGuardOptions;
  /** Listen mode: connections still in their handshake, in total and per address. */
  connectionLimits?: ConnectionLimits;
  /** Told of everything the worker does for a run. */
  activity?: (event: WorkerActivity) => void;
  /** Told when the set of hubs or their connection state changes. */
  onConnectionChange?: () => void;
  /** Tests and benchmarks only: changes this worker's local weights before they leave (a poisoned party). */
  tamper?: (global: Float32Array, local: Float32Array) => Float32Array;
  log?: Log;
}

export interface HubConnection {
  url: string;
  connected: boolean;
  /** Why the last attempt failed, while not connected. */
  problem?: string;
  /** The proxy the connection goes through (password masked), and whose setting it is. */
  proxy?: { url: string; from: 'setting' | 'environment' };
}

export interface WorkerNode {
  engine: WorkerEngine;
  /** This installation's identity key and its fingerprint. */
  identity: { key: string; fingerprint: string };
  /** Listen mode: where the TTP can dial, and the certificate it must pin. */
  url?: string;
  certificate?: string;
  /** Resolves when the worker is first welcomed by a hub. */
  connected: Promise<void>;
  /**
   * Starts serving another hub; with an invitation token, joins it first. Resolves with the
   * first welcome, or rejects with the reason the hub (or the pin) refused.
   */
  addHub(hub: HubContact, invitation?: string): Promise<Welcome>;
  /** Reaches a hub already served through another proxy (undefined: HTTPS_PROXY or directly), reconnecting now. */
  setProxy(hubUrl: string, proxy: string | undefined): void;
  hubs(): HubConnection[];
  /** Declares this party's data tags for a project to the hubs that run it. */
  declareTags(projectId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Approves every run without asking: only for parties whose owner runs the whole federation
 * (simulations, benchmarks, tests) or chose it explicitly (`cohort worker --approve-all`).
 */
export const approveEveryRun: ConsentPort = {
  decide: async (): Promise<ConsentReply> => ({ approved: true }),
};

export async function startWorker(options: WorkerOptions): Promise<WorkerNode> {
  const log = options.log ?? silentLog;
  const store = await MetadataStore.open(options.dataDir);
  const identity = await ensureSigningIdentity(options.dataDir);
  const ownLog = options.security ? undefined : await SecurityLog.open(options.dataDir);
  const connections: PartyConnectionOptions = { log, security: options.security ?? ownLog!, heartbeatMs: options.heartbeatMs ?? 2_000 };
  const artifacts: WorkerArtifactsPort = {
    modelDir: (project, run, which) => join(runDir(options.dataDir, project, run), `${which}-model`),
    roundVectors: (project, run) => new RoundVectorFiles(join(runDir(options.dataDir, project, run), 'state')),
    writePredictions: (project, run, alignment, data, outputs) =>
      writePredictionsCsv(predictionsFile(options.dataDir, project, run), alignment.target, { sourceRows: data.sourceRows, outputs }),
  };
  const engine = new WorkerEngine(options.party, {
    data: new StoreDataPort(store, {
      ...(options.maxFileBytes === undefined ? {} : { maxBytes: options.maxFileBytes }),
      ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    }),
    training: options.training ?? new ThreadTrainingPort(),
    artifacts,
    consent: options.consent ?? new StoredConsent(store),
    owner: new StoreOwnerPort(store),
    ...(options.tamper ? { tamper: options.tamper } : {}),
    sign: (data) => signBytes(identity, data),
    disclosed: ({ project, run, disclosed }) =>
      connections.security.record({ kind: 'disclosure', direction: 'outbound', peer: 'hub', what: disclosed.what, bytes: 0, outcome: 'sent', run, project, disclosed }),
    log,
    ...(options.activity ? { activity: options.activity } : {}),
  });
  const party = { id: options.party.id, name: options.party.name, ...(options.party.organisation ? { organisation: options.party.organisation } : {}) };
  const software = { name: 'cohort', version: version() };

  /** The hubs' current connections, by url (absent while disconnected). */
  const channels = new Map<string, Peer>();
  /** Each hub's identity key, by url (the hub's records are kept under it). */
  const hubKeys = new Map<string, string>();
  let markConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));

  /** Tells a hub this party's data tags for one of its projects, by the hub's own project id. */
  const sendTags = async (channel: Channel, hubKey: string, projectId: string): Promise<void> => {
    const db = await store.snapshot();
    const remote = remoteProjectId(db, projectId);
    if (remote?.hubKey !== hubKey) return; // another hub's project: not this one's business
    const tags = db.dataTags.filter((tag) => tag.projectId === projectId && tag.participantId === options.party.id);
    const notice: TagsNotice = {
      projectId: remote.id,
      tags: tags.slice(-3).map((tag) => ({
        kind: tag.kind,
        rows: tag.rows,
        columns: tag.columns.map((column) => ({ name: column.name, kind: column.kind })),
        declaredAt: tag.updatedAt,
      })),
    };
    await channel.notify(GRID.tags, notice);
    connections.security.record({
      kind: 'disclosure',
      direction: 'outbound',
      peer: 'hub',
      what: 'data tags',
      bytes: 0,
      outcome: 'sent',
      project: projectId,
      disclosed: { what: 'data tags', tags: notice.tags.map((tag) => ({ kind: tag.kind, rows: tag.rows, columns: tag.columns.length })) },
    });
  };

  /** Stores what the hub said about the collaborations (under its origin), and declares the tags of their projects. */
  const sync = async (hub: HubPins, hubName: string | undefined, snapshots: readonly CollaborationSnapshot[], channel: Channel): Promise<void> => {
    const projects = await store.mutate((db) => adoptHubRecords(db, hub, hubName, party, snapshots, new Date().toISOString()));
    hubKeys.set(hub.url, hub.key);
    for (const localId of projects.values()) await sendTags(channel, hub.key, localId).catch(() => undefined);
  };

  /**
   * Authenticates to the hub at the other end of `peer` and serves it. `certificate` is the TLS
   * certificate of this connection; `trustHub` says whether the key the hub proves is the one.
   */
  const serveConnection = async (
    peer: Peer,
    hub: { url: string; certificate: string; trustHub: (key: string) => string | undefined; pinnedCertificate?: string; hubProvesFirst?: boolean; proxy?: string },
    invitation?: string,
  ): Promise<Welcome> => {
    // The TTP is the one to talk first after the welcome, so serve before authenticating (the
    // peer holds every grid message back until the session is sealed, and the hub's key is
    // known before that: it is set the moment the key is trusted).
    let markReady: () => void = () => undefined;
    const hubIdentity = { key: '', ready: new Promise<void>((resolve) => (markReady = resolve)) };
    engine.serve(peer, hubIdentity);
    const known: { pins?: HubPins } = {};
    peer.on(HUB_NOTICES.collaborations, CollaborationsNotice, (notice) => {
      if (known.pins) void sync(known.pins, undefined, notice.collaborations, peer).catch((error: Error) => log.warn('could not store the collaborations', { error: error.message }));
    });
    const { welcome, hubKey } = await authenticateToHub(peer, {
      identity,
      party,
      software,
      certificate: hub.certificate,
      trustHub: (key) => {
        const distrust = hub.trustHub(key);
        if (distrust === undefined) hubIdentity.key = key;
        return distrust;
      },
      ...(hub.hubProvesFirst ? { hubProvesFirst: true } : {}),
      ...(invitation === undefined ? {} : { invitation }),
    });
    known.pins = { url: hub.url, key: hubKey, ...(hub.pinnedCertificate ? { certificate: hub.pinnedCertificate } : {}), ...(hub.proxy ? { proxy: hub.proxy } : {}) };
    try {
      await sync(known.pins, welcome.hub.name, welcome.collaborations, peer);
    } finally {
      markReady();
    }
    log.info('connected to hub', { hub: hub.url, session: welcome.session });
    markConnected();
    return welcome;
  };

  if (options.listen) {
    const trusted = new Set(options.listen.trustedHubKeys);
    for (const membership of await store.list('memberships')) if (membership.hubKey) trusted.add(membership.hubKey);
    // Nothing in the certificate says who this is (not the party, not the machine's name).
    const tls = await ensureTlsMaterial(options.dataDir, {
      commonName: 'Cohort participant',
      hosts: [options.listen.host],
      anonymous: true,
      ...(options.listen.certificate ? { provided: options.listen.certificate } : {}),
    });
    const listener: Listener = await listenForParties({
      ...connections,
      host: options.listen.host,
      port: options.listen.port,
      tls,
      ...(options.handshakeGuard ? { guard: options.handshakeGuard } : {}),
      limits: options.connectionLimits ?? LISTENING_WORKER_CONNECTION_LIMITS,
      authenticate: async (peer, address) => {
        peer.identify(`TTP at ${address}`);
        await serveConnection(peer, {
          url: `listen:${address}`,
          certificate: tls.fingerprint,
          hubProvesFirst: true,
          trustHub: (key) => (trusted.has(key) ? undefined : `the TTP at ${address} proved identity key ${keyFingerprint(key)}, which this participant does not trust`),
        });
        return peer.label;
      },
    });
    log.info('listening for the TTP', { url: listener.url, certificate: tls.fingerprint, key: identity.fingerprint });
    return {
      engine,
      identity: identityView(identity),
      url: listener.url,
      certificate: tls.fingerprint,
      connected,
      addHub: () => Promise.reject(new Error('a listening worker is dialled by its hubs')),
      setProxy: () => {
        throw new Error('a listening worker is dialled by its hubs: it uses no proxy');
      },
      hubs: () => [],
      declareTags: async () => undefined,
      async close() {
        await listener.close();
        await engine.close();
        await ownLog?.close();
      },
    };
  }

  const stop = new AbortController();
  const loops: Array<Promise<void>> = [];

  const problems = new Map<string, string>();

  /** One hub this worker serves, and the joins waiting on its next welcome. */
  interface Served {
    contact: HubContact;
    /** An invitation to present at the next handshake (joining a collaboration). */
    token: string | undefined;
    joiners: Array<{ resolve(welcome: Welcome): void; reject(error: Error): void }>;
    welcomed: boolean;
  }
  const served = new Map<string, Served>();
  /** Ends a hub's wait before its next attempt. */
  const wake = new Map<string, () => void>();

  /** Stays connected to one hub: dial, authenticate, serve until the connection drops, back off, again. */
  const stayConnected = (hub: Served) =>
    (async () => {
      const { url: hubUrl, key, certificate } = hub.contact;
      const trustHub = (presented: string) =>
        presented === key
          ? undefined
          : `the hub at ${hubUrl} proved identity key ${keyFingerprint(presented)}, but this participant trusts only ${keyFingerprint(key)} (from its invitation); refusing it`;
      for (let attempt = 0; !stop.signal.aborted; ) {
        let peer: Peer | undefined;
        let refused = false;
        const token = hub.token;
        // Stopping closes this connection whatever its state: mid-handshake too, when it is not
        // yet among `channels` (else a stop during a handshake would wait on it forever).
        const closeOnStop = () => peer?.close('worker stopping');
        stop.signal.addEventListener('abort', closeOnStop, { once: true });
        try {
          // Read at every attempt: the proxy setting may have changed since the last one.
          const { proxy: setting } = hub.contact;
          const proxy = chooseProxy(hubUrl, setting);
          const socket = await dial(hubUrl, { timeoutMs: 5_000, certificate, ...(proxy ? { proxy } : {}) });
          peer = partyPeer(socket, `hub ${hubUrl}`, connections);
          if (stop.signal.aborted) closeOnStop();
          const welcome = await serveConnection(peer, { url: hubUrl, certificate, pinnedCertificate: certificate, trustHub, ...(setting ? { proxy: setting } : {}) }, token);
          recordHandshake(connections, { direction: 'outbound', peer: `hub ${hubUrl}`, outcome: 'accepted', ...(token ? { reason: 'joined with an invitation' } : {}) });
          if (hub.token === token) hub.token = undefined; // used up: from now on this party is known to the hub
          problems.delete(hubUrl);
          channels.set(hubUrl, peer);
          options.onConnectionChange?.();
          hub.welcomed = true;
          for (const joiner of hub.joiners.splice(0)) joiner.resolve(welcome);
          attempt = 0;
          const { reason } = await peer.closed;
          if (!stop.signal.aborted) log.warn('disconnected from hub; reconnecting', { hub: hubUrl, reason });
        } catch (error) {
          peer?.close('handshake failed');
          const message = (error as Error).message;
          // A proxy that refuses the credentials or the destination will refuse again.
          refused = error instanceof HandshakeError || error instanceof CertificateMismatchError || (error instanceof ProxyError && error.permanent);
          if (refused) recordHandshake(connections, { direction: 'outbound', peer: `hub ${hubUrl}`, outcome: 'refused', reason: message });
          problems.set(hubUrl, message);
          options.onConnectionChange?.();
          // Joining: a refusal (by the hub, or of a hub that is not the invited one) will not
          // change by retrying. The join fails with the reason; a hub already served goes on
          // being served as before, one never welcomed is given up.
          if (token !== undefined && refused) {
            if (hub.token === token) hub.token = undefined;
            for (const joiner of hub.joiners.splice(0)) joiner.reject(error as Error);
            if (!hub.welcomed) {
              served.delete(hubUrl);
              problems.delete(hubUrl);
              options.onConnectionChange?.();
              return;
            }
            continue;
          }
          if (!stop.signal.aborted) log.warn('could not connect to the hub; retrying', { hub: hubUrl, reason: message });
        } finally {
          stop.signal.removeEventListener('abort', closeOnStop);
          if (peer && channels.get(hubUrl) === peer) {
            channels.delete(hubUrl);
            options.onConnectionChange?.();
          }
        }
        if (stop.signal.aborted) break;
        // Reconnect at once to present a new invitation; after a refusal, knock rarely.
        if (hub.token !== undefined && hub.token !== token) continue;
        // A changed proxy setting ends the wait: the next attempt goes through it.
        await new Promise<void>((resolve) => {
          wake.set(hubUrl, resolve);
          void sleep(refused ? backoffDelay(10) : backoffDelay(attempt++), stop.signal).then(resolve);
        });
        wake.delete(hubUrl);
      }
      for (const joiner of hub.joiners.splice(0)) joiner.reject(new Error('the worker stopped before the hub welcomed it'));
    })();

  const addHub = (contact: HubContact, invitation?: string): Promise<Welcome> => {
    const existing = served.get(contact.url);
    if (existing) {
      if (invitation === undefined) return Promise.reject(new Error(`already serving ${contact.url}`));
      if (existing.contact.key !== contact.key || existing.contact.certificate !== contact.certificate) {
        return Promise.reject(new Error(`a different hub than the one this participant already serves answers at ${contact.url} (its invitation names another key or certificate)`));
      }
      if (contact.proxy !== undefined) existing.contact = { ...existing.contact, proxy: contact.proxy };
      // Joining another collaboration at a hub already served: reconnect presenting the invitation.
      return new Promise<Welcome>((resolve, reject) => {
        existing.joiners.push({ resolve, reject });
        existing.token = invitation;
        channels.get(contact.url)?.close('presenting a new invitation');
      });
    }
    const hub: Served = { contact, token: invitation, joiners: [], welcomed: false };
    served.set(contact.url, hub);
    const welcome = new Promise<Welcome>((resolve, reject) => hub.joiners.push({ resolve, reject }));
    loops.push(stayConnected(hub));
    options.onConnectionChange?.();
    return welcome;
  };
  for (const hub of options.hubs ?? []) addHub(hub).catch(() => undefined);

  const setProxy = (hubUrl: string, proxy: string | undefined): void => {
    const hub = served.get(hubUrl);
    if (!hub) throw new Error(`this worker does not serve ${hubUrl}`);
    const { proxy: _previous, ...contact } = hub.contact;
    hub.contact = proxy ? { ...contact, proxy } : contact;
    // The next attempt dials through the new route (a connection that stays up keeps the old one otherwise).
    channels.get(hubUrl)?.close('the proxy setting changed');
    wake.get(hubUrl)?.();
  };

  /** The proxy a hub's connection goes through, as shown to people. */
  const proxyOf = (contact: HubContact): HubConnection['proxy'] => {
    try {
      const choice = chooseProxy(contact.url, contact.proxy);
      return choice ? { url: showProxy(choice), from: choice.from } : undefined;
    } catch (error) {
      return { url: (error as ProxyError).proxy ?? '?', from: 'environment' };
    }
  };

  return {
    engine,
    identity: identityView(identity),
    connected,
    addHub,
    setProxy,
    hubs: () =>
      [...served.entries()].map(([url, hub]) => {
        const connectedNow = channels.get(url)?.isOpen ?? false;
        const problem = problems.get(url);
        const proxy = proxyOf(hub.contact);
        return { url, connected: connectedNow, ...(!connectedNow && problem ? { problem } : {}), ...(proxy ? { proxy } : {}) };
      }),
    async declareTags(projectId) {
      for (const [url, channel] of channels) {
        const hubKey = hubKeys.get(url);
        if (hubKey && channel.isOpen) await sendTags(channel, hubKey, projectId);
      }
    },
    async close() {
      stop.abort();
      for (const peer of channels.values()) peer.close('worker stopping');
      await Promise.all(loops);
      await engine.close();
      await ownLog?.close();
    },
  };
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
