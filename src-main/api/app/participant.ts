// The participant's commands: joining collaborations, registering its data (previewed and
// checked locally), deciding on training requests, following what its worker does, and using
// the resulting models on its own files.
import { join, resolve } from 'node:path';
import type { ApiTypes, CommandOutput } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import { decodeInvitation } from '../../contract/invitation';
import type { TagKind } from '../../contract/records';
import { registerDataTag } from '../records/data-tags';
import type { Log, WorkerActivity } from '../../engines/ports';
import type { ProxyView } from '../../contract/proxy';
import { keyFingerprint } from '../../protocol/crypto';
import { chooseProxy, ProxyError, showProxy } from '../../protocol/proxy';
import type { SecurityLog } from '../../store/security-log';
import { decideConsent, setConsentPolicy, StoredConsent } from '../worker/consent';
import { readJsonFile, writeJsonFile } from '../../store/json-files';
import type { MetadataStore } from '../../store/metadata-store';
import { z } from 'zod';
import { ActivityEntry } from '../../contract/api';
import { ensureIdentity, readIdentity, type PartyIdentity } from '../worker/identity';
import { predictionsFile } from '../worker/data-port';
import { startWorker, type WorkerNode } from '../worker/worker-service';
import { hubContactsOf } from '../trust/hub-contact';
import type { Handlers } from './dispatch';
import { slugId } from './ids';
import { evaluateLocally, listLocalModels, predictLocally } from './local-models';
import { dataHandlers, DataRequests, sourceOf, type DataCommands } from './participant-data';
import { rulesHandlers } from './participant-rules';
import type { SecretBox } from '../data/secrets';
import type { AppEvent } from '../../contract/api';

type ParticipantCommands =
  | DataCommands
  | 'memberships.list'
  | 'memberships.join'
  | 'memberships.proxy'
  | 'tags.list'
  | 'tags.register'
  | 'tags.delete'
  | 'requests.list'
  | 'settings.get'
  | 'settings.update'
  | 'shared.summary'
  | 'requests.decide'
  | 'requests.policy'
  | 'activity.list'
  | 'local.models'
  | 'local.evaluate'
  | 'local.predict';

type Changed = (what: 'memberships' | 'tags' | 'requests' | 'activity' | 'models' | 'connections' | 'settings') => void;

const JOIN_TIMEOUT_MS = 20_000;
const ACTIVITY_FILE = 'activity.json';

type ActivityEntryShape = ApiTypes['ActivityEntry'];

/** What the worker did for each run, kept for the activity screen (in memory, saved to disk). */
export class ActivityLog {
  private entries = new Map<string, ActivityEntryShape>();
  private saving: Promise<void> = Promise.resolve();

  /** `predictionsFile`: where the worker writes a run's predictions. */
  constructor(
    private readonly file: string,
    private readonly changed: Changed,
    private readonly predictionsFile: (project: string | undefined, run: string) => string,
  ) {}

  async load(): Promise<void> {
    const saved = await readJsonFile(this.file, z.array(ActivityEntry)).catch(() => undefined);
    for (const entry of saved ?? []) {
      // Entries saved before the path was kept: the worker has always written it there.
      if (entry.predictedRows !== null && entry.predictionsPath === null) entry.predictionsPath = this.predictionsFile(entry.projectId, entry.run);
      this.entries.set(activityKey(entry.projectId, entry.run), entry);
    }
  }

  /** Waits until what was recorded so far is on disk. */
  flush(): Promise<void> {
    return this.saving;
  }

  list(): ActivityEntryShape[] {
    return [...this.entries.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  record(event: WorkerActivity): void {
    const now = new Date().toISOString();
    const key = activityKey(event.project, event.run);
    let entry = this.entries.get(key);
    if (event.kind === 'prepared' || !entry) {
      entry = {
        run: event.run,
        projectId: event.project,
        state: 'running',
        trainRows: event.kind === 'prepared' ? event.trainRows : 0,
        evaluateRows: event.kind === 'prepared' ? event.evaluateRows : 0,
        rounds: [],
        lastMetrics: null,
        predictedRows: null,
        predictionsPath: null,
        endReason: null,
        startedAt: now,
        updatedAt: now,
      };
      this.entries.set(key, entry);
    }
    entry.updatedAt = now;
    if (event.kind === 'fit') entry.rounds.push({ round: event.round, loss: event.loss, numExamples: event.numExamples, seconds: event.seconds });
    if (event.kind === 'evaluated') entry.lastMetrics = event.metrics;
    if (event.kind === 'finished') {
      entry.state = 'finished';
      entry.predictedRows = event.predictedRows;
      entry.predictionsPath = event.predictedRows === null ? null : this.predictionsFile(event.project, event.run);
      this.changed('models');
    }
    if (event.kind === 'ended') {
      if (entry.state === 'running') entry.state = 'ended';
      entry.endReason = event.reason;
    }
    this.changed('activity');
    // Saved after each event, one write at a time (rounds are seconds apart in practice).
    const snapshot = this.list();
    this.saving = this.saving.then(() => writeJsonFile(this.file, snapshot)).catch(() => undefined);
  }
}

/** Runs are told apart by this participant's own project: two hubs may name runs alike. */
function activityKey(project: string | undefined, run: string): string {
  return `${project ?? ''}/${run}`;
}

/** How a hub not being served right now would be reached: its proxy (masked), or null for directly. */
function routeOf(hubUrl: string, setting: string | undefined): ProxyView | null {
  try {
    const choice = chooseProxy(hubUrl, setting);
    return choice ? { url: showProxy(choice), from: choice.from } : null;
  } catch (error) {
    return error instanceof ProxyError ? { url: error.proxy, from: 'environment' } : null;
  }
}

export interface ParticipantSide {
  handlers: Pick<Handlers, ParticipantCommands>;
  identity(): PartyIdentity | undefined;
  close(): Promise<void>;
}

export async function participantSide(
  store: MetadataStore,
  dataDir: string,
  changed: Changed,
  log: Log,
  security: SecurityLog,
  data: { secrets: SecretBox; emit: (event: AppEvent) => void },
): Promise<ParticipantSide> {
  const requests = new DataRequests(store, data.secrets, data.emit);
  const consent = new StoredConsent(store, { changed: () => changed('requests') });
  // Runs of older versions wrote to runs/<run>; runs now write under their project.
  const activity = new ActivityLog(join(dataDir, ACTIVITY_FILE), changed, (project, run) =>
    project === undefined ? join(dataDir, 'runs', run, 'predictions.csv') : predictionsFile(dataDir, project, run),
  );
  await activity.load();
  let identity = await readIdentity(dataDir);
  let worker: WorkerNode | undefined;

  const startServing = async (party: PartyIdentity): Promise<WorkerNode> => {
    worker ??= await startWorker({
      dataDir,
      secrets: data.secrets,
      party,
      consent,
      security,
      activity: (event) => activity.record(event),
      onConnectionChange: () => changed('memberships'),
      log,
    });
    return worker;
  };
  // A participant that already joined serves its hubs from the start, pinned as when it joined.
  if (identity) {
    const contacts = hubContactsOf(await store.list('memberships'), log);
    if (contacts.length > 0) {
      const node = await startServing(identity);
      for (const contact of contacts) node.addHub(contact).catch(() => undefined);
    }
  }

  const membershipView = async (collaborationId: string): Promise<CommandOutput<'memberships.join'>> => {
    const db = await store.snapshot();
    const membership = db.memberships.find((candidate) => candidate.collaborationId === collaborationId);
    const collaboration = db.collaborations.find((candidate) => candidate.id === collaborationId);
    if (!membership || !collaboration) throw new CohortError('NOT_FOUND', `not a member of collaboration "${collaborationId}"`);
    const hub = worker?.hubs().find((candidate) => candidate.url === membership.hubUrl);
    // The proxy's password stays on the main side: the view names the proxy with it masked.
    const { proxy: _secret, ...shown } = membership;
    return {
      membership: shown,
      collaboration,
      projects: db.projects.filter((project) => project.collaborationId === collaborationId),
      connected: hub?.connected ?? false,
      hubKeyFingerprint: membership.hubKey ? keyFingerprint(membership.hubKey) : null,
      problem: hub?.problem ?? (membership.hubKey ? null : 'joined before hubs had identity keys: join again with a new invitation'),
      proxy: hub ? (hub.proxy ?? null) : routeOf(membership.hubUrl, membership.proxy),
    };
  };

  const requireIdentity = (): PartyIdentity => {
    if (!identity) throw new CohortError('BAD_INPUT', 'join a collaboration first: this participant has no name yet');
    return identity;
  };

  return {
    identity: () => identity,
    async close() {
      await worker?.close();
    },
    handlers: {
      ...dataHandlers(store, data.secrets, requests, changed),
      ...rulesHandlers(store, () => security.all(), changed),

      'memberships.list': async () => Promise.all((await store.list('memberships')).map((membership) => membershipView(membership.collaborationId))),

      'memberships.join': async ({ code, name, organisation, proxy }) => {
        const decoded = decodeInvitation(code);
        if (!decoded.ok) throw new CohortError('INVITATION_INVALID', decoded.reason);
        const { payload } = decoded;
        if (Date.parse(payload.expiresAt) <= Date.now()) throw new CohortError('INVITATION_INVALID', `this invitation expired at ${payload.expiresAt}`);
        if ((await store.list('memberships', { collaborationId: payload.collaboration })).some((membership) => membership.hubKey !== undefined)) {
          throw new CohortError('ALREADY_EXISTS', `this participant is already a member of "${payload.name}"; the invitation was not used`);
        }
        identity = await ensureIdentity(dataDir, { id: identity?.id ?? slugId(name), name, organisation });
        const node = await startServing(identity);
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            node.addHub({ url: payload.hub, certificate: payload.certificate, key: payload.hubKey, ...(proxy ? { proxy } : {}) }, payload.token),
            new Promise((_, reject) => {
              timer = setTimeout(() => {
                const problem = node.hubs().find((hub) => hub.url === payload.hub)?.problem;
                reject(
                  problem && /proxy/.test(problem)
                    ? new CohortError('PROXY_REFUSED', `could not reach the orchestrator's hub at ${payload.hub}: ${problem}`)
                    : new CohortError('NOT_FOUND', `could not reach the orchestrator's hub at ${payload.hub} (is it running and reachable from here?${problem ? ` Last attempt: ${problem}` : ''})`),
                );
              }, JOIN_TIMEOUT_MS);
            }),
          ]);
        } catch (error) {
          if (error instanceof CohortError) throw error;
          if (error instanceof ProxyError) throw new CohortError('PROXY_REFUSED', (error as Error).message);
          throw new CohortError('INVITATION_INVALID', `the orchestrator refused: ${(error as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
        changed('memberships');
        return membershipView(payload.collaboration);
      },

      'memberships.proxy': async ({ collaborationId, proxy }) => {
        const { hubUrl } = await store.get('memberships', collaborationId);
        // One connection per hub: every membership at that hub takes the setting.
        await store.mutate((db) => {
          const stamp = new Date().toISOString();
          for (const membership of db.memberships.filter((candidate) => candidate.hubUrl === hubUrl)) {
            if (proxy) membership.proxy = proxy;
            else delete membership.proxy;
            membership.updatedAt = stamp;
          }
        });
        if (worker?.hubs().some((hub) => hub.url === hubUrl)) worker.setProxy(hubUrl, proxy ?? undefined);
        changed('memberships');
        return membershipView(collaborationId);
      },

      'tags.list': async ({ projectId }) => {
        const party = identity?.id;
        if (!party) return [];
        return store.list('dataTags', { participantId: party, ...(projectId === undefined ? {} : { projectId }) });
      },

      'tags.register': async ({ projectId, kind, path, source, columnKinds, exclude, include }) => {
        const party = requireIdentity().id;
        const { tag } = await registerDataTag(store, {
          participantId: party,
          projectId,
          kind: kind as TagKind,
          source: sourceOf({ path, source }),
          ...(path === undefined ? {} : { displayName: path }),
          columnKinds: Object.fromEntries((columnKinds ?? []).map(({ column, kind: columnKind }) => [column, columnKind])),
          exclude: exclude ?? [],
          include: include ?? [],
          open: (tagSource, work) => requests.use(tagSource, undefined, work, path),
        });
        await worker?.declareTags(projectId).catch((error: Error) => log.warn('could not declare the tags to the hub', { error: error.message }));
        changed('tags');
        return tag;
      },

      'tags.delete': async ({ id }) => {
        const tag = await store.get('dataTags', id);
        const removed = await store.remove('dataTags', id);
        await worker?.declareTags(tag.projectId).catch(() => undefined);
        changed('tags');
        return { removed };
      },

      'requests.decide': async ({ id, approve }) => {
        const decided = await decideConsent(store, id, approve);
        consent.settle(decided);
        changed('requests');
        return decided;
      },

      'requests.policy': async ({ projectId, policy }) => {
        await setConsentPolicy(store, projectId, policy);
        changed('memberships');
        return membershipView((await store.get('projects', projectId)).collaborationId);
      },

      'activity.list': async () => activity.list(),
      'local.models': async () => listLocalModels(dataDir),
      'local.evaluate': async ({ modelDir, path }) => evaluateLocally(resolve(modelDir), resolve(path), identity?.id ?? ''),
      'local.predict': async ({ modelDir, path, outputPath }) => predictLocally(resolve(modelDir), resolve(path), resolve(outputPath), identity?.id ?? ''),
    },
  };
}

