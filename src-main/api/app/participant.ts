// The participant's commands: joining collaborations, registering its data (previewed and
// checked locally), deciding on training requests, following what its worker does, and using
// the resulting models on its own files.
import { join, resolve } from 'node:path';
import type { ApiTypes, CommandOutput } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import { decodeInvitation } from '../../contract/invitation';
import type { TagKind } from '../../contract/records';
import type { Log, WorkerActivity } from '../../engines/ports';
import { keyFingerprint } from '../../protocol/crypto';
import type { SecurityRecorder } from '../../store/security-log';
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
import { dataHandlers, DataRequests, declaredColumns, overridesFrom, sourceOf } from './participant-data';
import type { SecretBox } from '../data/secrets';
import type { AppEvent } from '../../contract/api';

type ParticipantCommands =
  | 'memberships.list'
  | 'memberships.join'
  | 'data.preview'
  | 'data.cancel'
  | 'connections.list'
  | 'connections.save'
  | 'connections.delete'
  | 'connections.test'
  | 'omop.schemas'
  | 'omop.concepts'
  | 'omop.build'
  | 'tags.list'
  | 'tags.register'
  | 'tags.delete'
  | 'requests.list'
  | 'requests.decide'
  | 'requests.policy'
  | 'activity.list'
  | 'local.models'
  | 'local.evaluate'
  | 'local.predict';

type Changed = (what: 'memberships' | 'tags' | 'requests' | 'activity' | 'models' | 'connections') => void;

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
    private readonly predictionsFile: (run: string) => string,
  ) {}

  async load(): Promise<void> {
    const saved = await readJsonFile(this.file, z.array(ActivityEntry)).catch(() => undefined);
    for (const entry of saved ?? []) {
      // Entries saved before the path was kept: the worker has always written it there.
      if (entry.predictedRows !== null && entry.predictionsPath === null) entry.predictionsPath = this.predictionsFile(entry.run);
      this.entries.set(entry.run, entry);
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
    let entry = this.entries.get(event.run);
    if (event.kind === 'prepared' || !entry) {
      entry = {
        run: event.run,
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
      this.entries.set(event.run, entry);
    }
    entry.updatedAt = now;
    if (event.kind === 'fit') entry.rounds.push({ round: event.round, loss: event.loss, numExamples: event.numExamples, seconds: event.seconds });
    if (event.kind === 'evaluated') entry.lastMetrics = event.metrics;
    if (event.kind === 'finished') {
      entry.state = 'finished';
      entry.predictedRows = event.predictedRows;
      entry.predictionsPath = event.predictedRows === null ? null : this.predictionsFile(event.run);
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
  security: SecurityRecorder,
  data: { secrets: SecretBox; emit: (event: AppEvent) => void },
): Promise<ParticipantSide> {
  const requests = new DataRequests(store, data.secrets, data.emit);
  const consent = new StoredConsent(store, { changed: () => changed('requests') });
  const activity = new ActivityLog(join(dataDir, ACTIVITY_FILE), changed, (run) => predictionsFile(dataDir, run));
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
    return {
      membership,
      collaboration,
      projects: db.projects.filter((project) => project.collaborationId === collaborationId),
      connected: hub?.connected ?? false,
      hubKeyFingerprint: membership.hubKey ? keyFingerprint(membership.hubKey) : null,
      problem: hub?.problem ?? (membership.hubKey ? null : 'joined before hubs had identity keys: join again with a new invitation'),
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

      'memberships.list': async () => Promise.all((await store.list('memberships')).map((membership) => membershipView(membership.collaborationId))),

      'memberships.join': async ({ code, name, organisation }) => {
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
            node.addHub({ url: payload.hub, certificate: payload.certificate, key: payload.hubKey }, payload.token),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new CohortError('NOT_FOUND', `could not reach the orchestrator's hub at ${payload.hub} (is it running and reachable from here?)`)), JOIN_TIMEOUT_MS);
            }),
          ]);
        } catch (error) {
          if (error instanceof CohortError) throw error;
          throw new CohortError('INVITATION_INVALID', `the orchestrator refused: ${(error as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
        changed('memberships');
        return membershipView(payload.collaboration);
      },

      'tags.list': async ({ projectId }) => {
        const party = identity?.id;
        if (!party) return [];
        return store.list('dataTags', { participantId: party, ...(projectId === undefined ? {} : { projectId }) });
      },

      'tags.register': async ({ projectId, kind, path, source, columnKinds, exclude }) => {
        const party = requireIdentity().id;
        const project = await store.get('projects', projectId);
        const tagSource = sourceOf({ path, source });
        const profile = await requests.use(tagSource, undefined, (opened) =>
          opened.inspect({ overrides: overridesFrom(columnKinds, exclude), ...(kind === 'predict' ? {} : { target: project.targetColumn }) }), path);
        const id = `${party}.${projectId}.${kind}`.slice(0, 64);
        const fields = { projectId, participantId: party, kind: kind as TagKind, source: tagSource, columns: declaredColumns(profile), rows: profile.rows };
        const tag = (await store.find('dataTags', id)) ? await store.update('dataTags', id, fields) : await store.create('dataTags', { id, ...fields });
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

      'requests.list': async () => (await store.list('consents')).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)),

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

