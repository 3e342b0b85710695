// The orchestrator's commands: the collaboration hierarchy, runs on its hub, participants and
// invitations.
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandOutput } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import type { Invitation, ModelSpec, Participant, Project, Registration } from '../../contract/records';
import type { Hub } from '../hub/hub-service';
import { createInvitation, revokeParticipant } from '../hub/invitations';
import { keyFingerprint } from '../../protocol/crypto';
import { runFolder } from '../../store/run-repository';
import { createProject } from '../records/projects';
import { createRun, updateRun } from '../records/runs';
import type { Handlers } from './dispatch';
import { slugId } from './ids';

type OrchestratorCommands =
  | 'collaborations.list'
  | 'collaborations.create'
  | 'collaborations.update'
  | 'collaborations.delete'
  | 'projects.list'
  | 'projects.create'
  | 'projects.update'
  | 'projects.delete'
  | 'experiments.list'
  | 'experiments.create'
  | 'experiments.update'
  | 'experiments.delete'
  | 'models.describe'
  | 'runs.list'
  | 'runs.create'
  | 'runs.update'
  | 'runs.delete'
  | 'runs.get'
  | 'runs.start'
  | 'runs.cancel'
  | 'runs.stop'
  | 'runs.resume'
  | 'runs.exportModel'
  | 'participants.list'
  | 'invitations.list'
  | 'invitations.create'
  | 'invitations.revoke'
  | 'participants.revoke';

export function invitationView(invitation: Invitation, now = Date.now()): CommandOutput<'invitations.revoke'> {
  const { tokenHash: _hash, ...view } = invitation;
  const state = invitation.revoked ? 'revoked' : invitation.usedBy !== undefined ? 'used' : Date.parse(invitation.expiresAt) <= now ? 'expired' : 'open';
  return { ...view, state };
}

export function orchestratorHandlers(hub: Hub, dataDir: string, changed: (what: 'participants' | 'invitations' | 'runs') => void): Pick<Handlers, OrchestratorCommands> {
  const { store } = hub;

  return {
    'collaborations.list': async () => store.list('collaborations'),
    'collaborations.create': async ({ id, name, description }) =>
      store.create('collaborations', { id: id ?? slugId(name), name, ...(description === undefined ? {} : { description }) }),
    'collaborations.update': async ({ id, ...patch }) => {
      const updated = await store.update('collaborations', id, definedOnly(patch));
      await hub.announceDefinitions();
      return updated;
    },
    'collaborations.delete': async ({ id, cascade }) => ({ removed: await store.remove('collaborations', id, { cascade: cascade ?? false }) }),

    'projects.list': async ({ collaborationId }) => store.list('projects', collaborationId === undefined ? {} : { collaborationId }),
    'projects.create': async ({ id, alignment, ...rest }) => {
      const project = await createProject(store, {
        ...definedOnly(rest),
        id: id ?? slugId(rest.name),
        ...(alignment ? { alignment: { columns: alignment.columns ?? 'union', missingIndicators: alignment.missingIndicators ?? false } } : {}),
      } as Parameters<typeof createProject>[1]);
      await hub.announceDefinitions();
      return project;
    },
    'projects.update': async ({ id, positiveClass, ...patch }) => {
      const current = await store.get('projects', id);
      const next = { ...current, ...definedOnly(patch) };
      if (positiveClass === null) delete next.positiveClass;
      else if (positiveClass !== undefined) next.positiveClass = positiveClass;
      const { createdAt: _created, updatedAt: _updated, id: _id, ...fields } = next;
      // Replace the whole record so a positive class can also be removed.
      const updated = await store.mutate((db) => {
        const index = db.projects.findIndex((project) => project.id === id);
        db.projects[index] = { ...fields, id, createdAt: current.createdAt, updatedAt: new Date().toISOString() } as Project;
        return db.projects[index]!;
      });
      await hub.announceDefinitions();
      return updated;
    },
    'projects.delete': async ({ id, cascade }) => ({ removed: await store.remove('projects', id, { cascade: cascade ?? false }) }),

    'experiments.list': async ({ projectId }) => store.list('experiments', projectId === undefined ? {} : { projectId }),
    'experiments.create': async ({ id, ...rest }) => store.create('experiments', { ...definedOnly(rest), id: id ?? slugId(rest.name) } as Parameters<typeof store.create<'experiments'>>[1]),
    'experiments.update': async ({ id, ...patch }) => store.update('experiments', id, definedOnly(patch)),
    'experiments.delete': async ({ id, cascade }) => ({ removed: await store.remove('experiments', id, { cascade: cascade ?? false }) }),
    'models.describe': async ({ model, projectId }) => describeModel(hub, model, projectId),

    'runs.list': async ({ experimentId }) => store.list('runs', experimentId === undefined ? {} : { experimentId }),
    'runs.create': async ({ id, experimentId, name, hyperparameters, initialRunId }) => {
      const run = await createRun(store, { id: id ?? slugId(name), experimentId, name, hyperparameters, initialRunId });
      changed('runs');
      return run;
    },
    'runs.update': async ({ id, name, hyperparameters, initialRunId }) => {
      await store.get('runs', id);
      const run = await updateRun(store, id, { name, hyperparameters, initialRunId }, hub.engine.isActive(id));
      changed('runs');
      return run;
    },
    'runs.delete': async ({ id }) => {
      if (hub.engine.isActive(id)) throw new CohortError('BAD_INPUT', `run "${id}" is running; cancel it before deleting it`);
      const removed = await store.remove('runs', id);
      changed('runs');
      return { removed };
    },
    'runs.get': async ({ id }) => {
      const context = await hub.runs.context(id);
      return {
        run: context.run,
        experiment: context.experiment,
        project: context.project,
        history: await hub.runs.history(id),
        result: (await hub.runs.result(id)) ?? null,
        active: hub.engine.isActive(id),
      };
    },
    'runs.start': async ({ id }) => {
      await hub.engine.start(id);
      changed('runs');
      return store.get('runs', id);
    },
    'runs.cancel': async ({ id }) => {
      const result = await hub.engine.cancel(id);
      changed('runs');
      return result;
    },
    'runs.stop': async ({ id }) => {
      const result = await hub.engine.stop(id);
      changed('runs');
      return result;
    },
    'runs.resume': async ({ id }) => {
      await hub.engine.resume(id);
      changed('runs');
      return store.get('runs', id);
    },
    'runs.exportModel': async ({ id, directory }) => {
      const source = join(runFolder(dataDir, id), 'global-model');
      const files = await readdir(source).catch(() => {
        throw new CohortError('NOT_FOUND', `run "${id}" has no global model yet (it is saved when a run completes)`);
      });
      await mkdir(directory, { recursive: true });
      await cp(source, directory, { recursive: true });
      return { directory, files: files.sort() };
    },

    'participants.list': async () => {
      const db = await store.snapshot();
      const online = new Set(hub.engine.connectedParties());
      return db.participants.map((participant) => participantView(participant, online.has(participant.id), db.registrations));
    },
    'participants.revoke': async ({ id, reason }) => {
      const participant = await revokeParticipant(store, id, reason?.trim() || 'revoked by the orchestrator');
      hub.cutOff(id, participant.revokedReason ?? 'revoked');
      changed('participants');
      return participantView(participant, false, await store.list('registrations', { participantId: id }));
    },
    'invitations.list': async ({ collaborationId }) => (await store.list('invitations', collaborationId === undefined ? {} : { collaborationId })).map((invitation) => invitationView(invitation)),
    'invitations.create': async (input) => {
      const { invitation, code } = await createInvitation(store, hub.contact(), {
        collaborationId: input.collaborationId,
        ...(input.expiresInHours === undefined ? {} : { expiresInHours: input.expiresInHours }),
        ...(input.note === undefined ? {} : { note: input.note }),
      });
      changed('invitations');
      return { invitation: invitationView(invitation), code };
    },
    'invitations.revoke': async ({ id }) => {
      const invitation = await store.update('invitations', id, { revoked: true });
      changed('invitations');
      return invitationView(invitation);
    },
  };
}

function participantView(participant: Participant, online: boolean, registrations: readonly Registration[]): CommandOutput<'participants.revoke'> {
  return {
    participant,
    keyFingerprint: participant.publicKey ? keyFingerprint(participant.publicKey) : null,
    online,
    registrations: registrations.filter((registration) => registration.participantId === participant.id),
  };
}

/** Drops undefined fields, so a patch changes only what was given. */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/**
 * The layer table and parameter count of a model. Before alignment the feature count is an
 * estimate from the columns participants declared (a categorical column counts once, though it
 * becomes one feature per level).
 */
async function describeModel(hub: Hub, model: ModelSpec, projectId: string | undefined): Promise<CommandOutput<'models.describe'>> {
  let inputSize = 10;
  const outputSize = 1;
  let target: 'binary' | 'multiclass' | 'regression' = 'binary';
  let note = 'no data declared yet: sized for 10 input features';
  if (projectId) {
    const db = await hub.store.snapshot();
    const project = db.projects.find((candidate) => candidate.id === projectId);
    if (!project) throw new CohortError('NOT_FOUND', `no project with id "${projectId}"`);
    target = project.task === 'regress' ? 'regression' : 'binary';
    const columns = new Map<string, string>();
    for (const registration of db.registrations.filter((candidate) => candidate.projectId === projectId)) {
      for (const tag of registration.declaredTags.filter((candidate) => candidate.kind === 'train')) {
        for (const column of tag.columns) if (column.name !== project.targetColumn && column.kind !== 'identifier' && column.kind !== 'empty') columns.set(column.name, column.kind);
      }
    }
    if (columns.size > 0) {
      inputSize = columns.size;
      const categorical = [...columns.values()].filter((kind) => kind === 'categorical').length;
      note = `about ${inputSize} input features from the declared columns` + (categorical > 0 ? ` (${categorical} categorical, counted once each; they widen to one feature per level when aligned)` : '');
    }
    if (project.task === 'classify' && project.positiveClass === undefined) note += '; assuming a binary target';
  }
  const [{ selectBackend }, { buildModel, layerSummary, parameterCount }] = await Promise.all([import('../../ml/backend'), import('../../ml/model')]);
  await selectBackend();
  const built = buildModel(model, { inputSize, outputSize, target }, 1);
  try {
    return {
      parameterCount: parameterCount(built),
      layers: layerSummary(built).map((layer) => ({ ...layer, outputShape: layer.outputShape.join(' × ') })),
      inputSize,
      outputSize,
      note,
    };
  } finally {
    built.dispose();
  }
}
