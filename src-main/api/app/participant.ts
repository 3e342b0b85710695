// The participant's commands: joining collaborations, registering its data (previewed and
// checked locally), deciding on training requests, following what its worker does, and using
// the resulting models on its own files.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ApiTypes, CommandOutput } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import type { ConsentReply, ConsentRequest } from '../../contract/grid';
import { decodeInvitation } from '../../contract/invitation';
import { ColumnKind, type Consent, type DeclaredColumn, type TagKind } from '../../contract/records';
import type { ColumnOverrides } from '../../core/data/profile';
import { openDataSource } from '../../datasource/data-source';
import { previewCsv } from '../../datasource/preview-csv';
import type { ConsentPort, Log, WorkerActivity } from '../../engines/ports';
import { readJsonFile, writeJsonFile } from '../../store/json-files';
import type { MetadataStore } from '../../store/metadata-store';
import { z } from 'zod';
import { ActivityEntry } from '../../contract/api';
import { ensureIdentity, readIdentity, type PartyIdentity } from '../worker/identity';
import { startWorker, type WorkerNode } from '../worker/worker-service';
import type { Handlers } from './dispatch';
import { slugId } from './ids';
import { evaluateLocally, listLocalModels, predictLocally } from './local-models';

type ParticipantCommands =
  | 'memberships.list'
  | 'memberships.join'
  | 'data.preview'
  | 'tags.list'
  | 'tags.register'
  | 'tags.delete'
  | 'requests.list'
  | 'requests.decide'
  | 'activity.list'
  | 'local.models'
  | 'local.evaluate'
  | 'local.predict';

type Changed = (what: 'memberships' | 'tags' | 'requests' | 'activity' | 'models') => void;

const JOIN_TIMEOUT_MS = 20_000;
const ACTIVITY_FILE = 'activity.json';

/**
 * Training requests wait for their owner: each becomes a stored consent, pending until the
 * person decides in the app. A decision already taken (the TTP asking again after a
 * reconnection) is answered at once.
 */
class PersonConsent implements ConsentPort {
  private readonly waiting = new Map<string, (reply: ConsentReply) => void>();

  constructor(
    private readonly store: MetadataStore,
    private readonly changed: Changed,
  ) {}

  async decide(_channel: unknown, request: ConsentRequest): Promise<ConsentReply> {
    const project = await this.store.find('projects', request.projectId);
    const membership = project ? (await this.store.list('memberships', { collaborationId: project.collaborationId }))[0] : undefined;
    if (!project || !membership) return { approved: false, reason: 'this participant is not in that project' };
    const id = consentId(membership.id, request.run);
    const existing = await this.store.find('consents', id);
    if (existing && existing.state !== 'pending') return replyFor(existing);
    if (!existing) {
      await this.store.create('consents', { id, membershipId: membership.id, runId: request.run, projectId: project.id, summary: request.summary, state: 'pending' });
      this.changed('requests');
    }
    return new Promise((resolveReply) => this.waiting.set(id, resolveReply));
  }

  async settle(consent: Consent): Promise<void> {
    this.waiting.get(consent.id)?.(replyFor(consent));
    this.waiting.delete(consent.id);
  }
}

function replyFor(consent: Consent): ConsentReply {
  return consent.state === 'approved' ? { approved: true } : { approved: false, reason: 'declined by the data owner' };
}

/** A stable, valid id for the consent to one run of one membership. */
function consentId(membershipId: string, run: string): string {
  return `c-${createHash('sha256').update(`${membershipId}\u0000${run}`).digest('hex').slice(0, 24)}`;
}

type ActivityEntryShape = ApiTypes['ActivityEntry'];

/** What the worker did for each run, kept for the activity screen (in memory, saved to disk). */
class ActivityLog {
  private entries = new Map<string, ActivityEntryShape>();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly changed: Changed,
  ) {}

  async load(): Promise<void> {
    const saved = await readJsonFile(this.file, z.array(ActivityEntry)).catch(() => undefined);
    for (const entry of saved ?? []) this.entries.set(entry.run, entry);
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

export async function participantSide(store: MetadataStore, dataDir: string, changed: Changed, log: Log): Promise<ParticipantSide> {
  const consent = new PersonConsent(store, changed);
  const activity = new ActivityLog(join(dataDir, ACTIVITY_FILE), changed);
  await activity.load();
  let identity = await readIdentity(dataDir);
  let worker: WorkerNode | undefined;

  const startServing = async (party: PartyIdentity): Promise<WorkerNode> => {
    worker ??= await startWorker({
      dataDir,
      party,
      consent,
      activity: (event) => activity.record(event),
      onConnectionChange: () => changed('memberships'),
      log,
    });
    return worker;
  };
  // A participant that already joined serves its hubs from the start.
  if (identity) {
    const memberships = await store.list('memberships');
    if (memberships.length > 0) {
      const node = await startServing(identity);
      for (const url of new Set(memberships.map((membership) => membership.hubUrl))) node.addHub(url).catch(() => undefined);
    }
  }

  const membershipView = async (collaborationId: string): Promise<CommandOutput<'memberships.join'>> => {
    const db = await store.snapshot();
    const membership = db.memberships.find((candidate) => candidate.collaborationId === collaborationId);
    const collaboration = db.collaborations.find((candidate) => candidate.id === collaborationId);
    if (!membership || !collaboration) throw new CohortError('NOT_FOUND', `not a member of collaboration "${collaborationId}"`);
    const connected = worker?.hubs().some((hub) => hub.url === membership.hubUrl && hub.connected) ?? false;
    return { membership, collaboration, projects: db.projects.filter((project) => project.collaborationId === collaborationId), connected };
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
      'memberships.list': async () => Promise.all((await store.list('memberships')).map((membership) => membershipView(membership.collaborationId))),

      'memberships.join': async ({ code, name, organisation }) => {
        const decoded = decodeInvitation(code);
        if (!decoded.ok) throw new CohortError('INVITATION_INVALID', decoded.reason);
        const { payload } = decoded;
        if (Date.parse(payload.expiresAt) <= Date.now()) throw new CohortError('INVITATION_INVALID', `this invitation expired at ${payload.expiresAt}`);
        identity = await ensureIdentity(dataDir, { id: identity?.id ?? slugId(name), name, organisation });
        const node = await startServing(identity);
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            node.addHub(payload.hub, payload.token),
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

      'data.preview': async ({ path, projectId, kind }) => {
        const absolute = resolve(path);
        const project = projectId ? await store.get('projects', projectId) : undefined;
        const profile = await (await openDataSource(absolute)).inspect({
          displayName: path,
          ...(project && kind !== 'predict' ? { target: project.targetColumn } : {}),
        });
        const { header, rows } = await previewCsv(absolute, 10);
        return { profile, header, rows };
      },

      'tags.list': async ({ projectId }) => {
        const party = identity?.id;
        if (!party) return [];
        return store.list('dataTags', { participantId: party, ...(projectId === undefined ? {} : { projectId }) });
      },

      'tags.register': async ({ projectId, kind, path, columnKinds, exclude }) => {
        const party = requireIdentity().id;
        const project = await store.get('projects', projectId);
        const absolute = resolve(path);
        const overrides: ColumnOverrides = {
          kinds: Object.fromEntries((columnKinds ?? []).map(({ column, kind: columnKind }) => [column, columnKind])),
          exclude: exclude ?? [],
        };
        const profile = await (await openDataSource(absolute)).inspect({
          displayName: path,
          overrides,
          ...(kind === 'predict' ? {} : { target: project.targetColumn }),
        });
        const columns: DeclaredColumn[] = profile.columns.map((column) => ({ name: column.name, kind: ColumnKind.parse(column.kind), excluded: column.excluded }));
        const id = `${party}.${projectId}.${kind}`.slice(0, 64);
        const fields = { projectId, participantId: party, kind: kind as TagKind, path: absolute, columns, rows: profile.rows };
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
        const current = await store.get('consents', id);
        if (current.state !== 'pending') throw new CohortError('BAD_INPUT', `this request was already ${current.state}`);
        const decided = await store.update('consents', id, { state: approve ? 'approved' : 'declined', decidedAt: new Date().toISOString() });
        await consent.settle(decided);
        changed('requests');
        return decided;
      },

      'activity.list': async () => activity.list(),
      'local.models': async () => listLocalModels(dataDir),
      'local.evaluate': async ({ modelDir, path }) => evaluateLocally(resolve(modelDir), resolve(path), identity?.id ?? ''),
      'local.predict': async ({ modelDir, path, outputPath }) => predictLocally(resolve(modelDir), resolve(path), resolve(outputPath), identity?.id ?? ''),
    },
  };
}
