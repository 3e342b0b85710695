// The one API between the UI and the app's engines. Every command is a request with a schema
// and a response with a schema, answered with a Result envelope: a value, or an error code and
// a message meant for a person. Nothing thrown ever crosses the boundary. Events flow the other
// way. Two transports carry it: Electron IPC and a localhost WebSocket (browser mode).
import { z } from 'zod';
import { DataProfile } from './data';
import { ERROR_CODES } from './errors';
import { ProxyUrl, ProxyView } from './proxy';
import { AggregatedMetrics, Metrics } from './metrics';
import {
  AlignmentOptions,
  Collaboration,
  ColumnKind,
  Consent,
  DataTag,
  DbConnection,
  Experiment,
  HyperparameterFields,
  Id,
  Invitation,
  Membership,
  ModelSpec,
  Participant,
  Project,
  Registration,
  Run,
  TagKind,
  TagSource,
  Task,
} from './records';
import { OmopConcept, OmopDefinition } from './omop';
import { RoundRecord, RunEvent, RunResult } from './results';
import { SecurityLogPage, SecurityLogQuery, SharedSummary } from './security';

// ---------------------------------------------------------------------------------------------
// Envelope

export const ApiError = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ResultEnvelope = z.union([z.strictObject({ ok: z.literal(true), value: z.unknown() }), z.strictObject({ ok: z.literal(false), error: ApiError })]);

// ---------------------------------------------------------------------------------------------
// Shared shapes

const Empty = z.strictObject({});
const ById = z.strictObject({ id: Id });
const Removed = z.strictObject({ removed: z.array(z.strictObject({ collection: z.string(), id: z.string() })) });
const OptionalId = Id.optional();

export const Role = z.enum(['orchestrator', 'participant']);

export const AppInfo = z.strictObject({
  version: z.string(),
  role: Role,
  dataDir: z.string(),
  transport: z.enum(['electron', 'browser']),
  /** The TF.js backend, once loaded. */
  backend: z.string().nullable(),
  /** This installation's identity key, and the fingerprint people compare. */
  identity: z.strictObject({ key: z.string(), fingerprint: z.string() }),
  /** Orchestrator: where participants connect, and its TLS certificate's fingerprint. */
  hub: z.strictObject({ url: z.string(), publicUrl: z.string(), certificate: z.string() }).nullable(),
  /** Participant: who this party is. */
  party: z.strictObject({ id: Id, name: z.string(), organisation: z.string() }).nullable(),
});

export const LayerRow = z.strictObject({ name: z.string(), className: z.string(), outputShape: z.string(), params: z.int() });
export const ModelDescription = z.strictObject({
  parameterCount: z.int(),
  layers: z.array(LayerRow),
  inputSize: z.int(),
  outputSize: z.int(),
  /** How the sizes were chosen (before alignment they are estimates). */
  note: z.string(),
});

export const ParticipantView = z.strictObject({
  participant: Participant,
  /** The fingerprint of the identity key it joined with (null: it has not joined yet). */
  keyFingerprint: z.string().nullable(),
  online: z.boolean(),
  registrations: z.array(Registration),
});

export const InvitationView = Invitation.omit({ tokenHash: true }).extend({ state: z.enum(['open', 'used', 'expired', 'revoked']) });

export const RunDetail = z.strictObject({
  run: Run,
  experiment: Experiment,
  project: Project,
  history: z.array(RoundRecord),
  result: RunResult.nullable(),
  active: z.boolean(),
});

export const MembershipView = z.strictObject({
  membership: Membership,
  collaboration: Collaboration,
  projects: z.array(Project),
  connected: z.boolean(),
  /** The fingerprint of the hub's identity key this membership trusts. */
  hubKeyFingerprint: z.string().nullable(),
  /** Why the last connection attempt failed, while not connected. */
  problem: z.string().nullable(),
  /** The proxy the hub is reached through (its password masked), or null for a direct connection. */
  proxy: ProxyView.nullable(),
});

export const DataPreview = z.strictObject({
  profile: DataProfile,
  header: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});

/** A database connection as the UI sees it: never its password, only whether one is stored. */
export const ConnectionView = DbConnection.omit({ password: true }).extend({ hasPassword: z.boolean() });

export const ConnectionInput = z.strictObject({
  id: Id.optional(),
  name: z.string().trim().min(1).max(200),
  host: z.string().trim().min(1).max(255),
  port: z.int().min(1).max(65535).default(5432),
  database: z.string().trim().min(1).max(63),
  user: z.string().trim().min(1).max(63),
  /** A new password (sealed at once); omitted keeps the stored one, '' removes it. */
  password: z.string().max(1000).optional(),
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  statementTimeoutSeconds: z.int().min(1).max(86_400).optional(),
});

/** A data source as a request names it: a file path, or a query on a connection. */
const SourceInput = z.strictObject({ path: z.string().min(1).optional(), source: TagSource.optional() });

/** Lets a long query report progress (events of type 'progress') and be cancelled (data.cancel). */
const RequestId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional();

export const ActivityRound = z.strictObject({ round: z.int(), loss: z.number(), numExamples: z.int(), seconds: z.number() });
export const ActivityEntry = z.strictObject({
  run: Id,
  /** This participant's own project (runs of two hubs may share an id). */
  projectId: Id.optional(),
  state: z.enum(['running', 'finished', 'ended']),
  trainRows: z.int(),
  evaluateRows: z.int(),
  rounds: z.array(ActivityRound),
  lastMetrics: Metrics.nullable(),
  predictedRows: z.int().nullable(),
  /** Where this party's predictions file was written (on this computer), when predictions were made. */
  predictionsPath: z.string().nullable().default(null),
  endReason: z.string().nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
});

export const LocalModel = z.strictObject({
  run: Id,
  kind: z.enum(['global', 'local']),
  dir: z.string(),
  savedAt: z.string(),
  features: z.int(),
  target: z.string(),
  projectId: z.string().nullable(),
});

export const LocalEvaluation = z.strictObject({
  metrics: Metrics,
  /**
   * The target's classes as the model was trained on them, in the confusion matrix's order:
   * binary, the negative class then the positive one; multiclass, as in the metrics. Null for a
   * regression.
   */
  labels: z.array(z.string()).min(2).nullable(),
  rows: z.int(),
  unseenLevels: z.record(z.string(), z.record(z.string(), z.int())),
  skippedRows: z.int(),
});

export const LocalPrediction = z.strictObject({
  rows: z.int(),
  outputPath: z.string(),
  header: z.array(z.string()),
  preview: z.array(z.array(z.string())),
});

/** The data owner's minimum cell count k: at least 2 (a count of 1 is a patient), at most 1000. */
export const MinCellCount = z.int('k must be a whole number').min(2, 'k must be at least 2').max(1_000, 'k must be at most 1000');
/** A project's privacy budget: the most epsilon all its runs may spend together at this participant. */
export const EpsilonBudget = z.number().positive('the privacy budget must be above 0').max(1_000, 'the privacy budget must be at most 1000');

/** The owner's rules as they apply (to the installation, or one project), and where each comes from. */
export const OwnerRules = z.strictObject({
  projectId: Id.nullable(),
  /** The k in force, and where it comes from. */
  minCellCount: z.int().min(2),
  minCellCountFrom: z.enum(['default', 'installation', 'project']),
  defaultMinCellCount: z.int().min(2),
  /** What the owner set for the whole installation and for this project (null: not set). */
  installationMinCellCount: z.int().nullable(),
  projectMinCellCount: z.int().nullable(),
  /** The project's privacy budget (null: none) and the epsilon its runs have spent here so far (at delta 1e-5). */
  epsilonBudget: z.number().nullable(),
  epsilonSpent: z.number().min(0).nullable(),
});

export const OwnerRulesUpdate = z
  .strictObject({
    /** Absent: the whole installation. */
    projectId: OptionalId,
    /** null: clear (the project falls back to the installation's k, the installation to the default). */
    minCellCount: MinCellCount.nullable().optional(),
    epsilonBudget: EpsilonBudget.nullable().optional(),
  })
  .refine((update) => update.epsilonBudget === undefined || update.projectId !== undefined, {
    message: 'a privacy budget is set per project: name the project',
    path: ['epsilonBudget'],
  });

/** A consent with what the participant itself knows about it: its own names, and the limits of the approved plan. */
export const ConsentView = Consent.extend({
  /** The collaboration and project as this participant's records name them (not as the hub's request does). */
  local: z.strictObject({ collaboration: z.string(), project: z.string() }).optional(),
  /** What the plan allows: training rounds, and evaluations of the global model on the approved schedule. */
  allowed: z.strictObject({ rounds: z.int().min(0), evaluations: z.int().min(0) }).optional(),
});

const ColumnKindOverride = z.strictObject({ column: z.string().min(1), kind: ColumnKind });

// ---------------------------------------------------------------------------------------------
// Commands

function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const COMMANDS = {
  'app.info': command(Empty, AppInfo),

  // Orchestrator: the hierarchy
  'collaborations.list': command(Empty, z.array(Collaboration)),
  'collaborations.create': command(z.strictObject({ name: z.string(), description: z.string().optional(), id: OptionalId }), Collaboration),
  'collaborations.update': command(z.strictObject({ id: Id, name: z.string().optional(), description: z.string().optional() }), Collaboration),
  'collaborations.delete': command(z.strictObject({ id: Id, cascade: z.boolean().optional() }), Removed),
  'projects.list': command(z.strictObject({ collaborationId: OptionalId }), z.array(Project)),
  'projects.create': command(
    z.strictObject({
      collaborationId: Id,
      name: z.string(),
      targetColumn: z.string(),
      task: Task,
      positiveClass: z.string().optional(),
      description: z.string().optional(),
      alignment: AlignmentOptions.partial().optional(),
      id: OptionalId,
    }),
    Project,
  ),
  'projects.update': command(
    z.strictObject({
      id: Id,
      name: z.string().optional(),
      targetColumn: z.string().optional(),
      task: Task.optional(),
      positiveClass: z.string().nullable().optional(),
      description: z.string().optional(),
    }),
    Project,
  ),
  'projects.delete': command(z.strictObject({ id: Id, cascade: z.boolean().optional() }), Removed),
  'experiments.list': command(z.strictObject({ projectId: OptionalId }), z.array(Experiment)),
  'experiments.create': command(z.strictObject({ projectId: Id, name: z.string(), model: ModelSpec, description: z.string().optional(), id: OptionalId }), Experiment),
  'experiments.update': command(z.strictObject({ id: Id, name: z.string().optional(), model: ModelSpec.optional(), description: z.string().optional() }), Experiment),
  'experiments.delete': command(z.strictObject({ id: Id, cascade: z.boolean().optional() }), Removed),
  /** The layer table and parameter count of a model, sized for a project's declared data. */
  'models.describe': command(z.strictObject({ model: ModelSpec, projectId: OptionalId }), ModelDescription),
  'runs.list': command(z.strictObject({ experimentId: OptionalId }), z.array(Run)),
  /** initialRunId: start from that completed run's final global weights (warm start). */
  'runs.create': command(z.strictObject({ experimentId: Id, name: z.string(), hyperparameters: HyperparameterFields.partial().optional(), id: OptionalId, initialRunId: OptionalId }), Run),
  /** initialRunId null: start from fresh weights again. */
  'runs.update': command(z.strictObject({ id: Id, name: z.string().optional(), hyperparameters: HyperparameterFields.partial().optional(), initialRunId: Id.nullable().optional() }), Run),
  'runs.delete': command(ById, Removed),
  'runs.get': command(ById, RunDetail),
  'runs.start': command(ById, Run),
  'runs.cancel': command(ById, RunResult),
  /** Stops a run so that it can be resumed later from its last completed round. */
  'runs.stop': command(ById, RunResult),
  'runs.resume': command(ById, Run),
  /** Copies the run's global model (TF.js format) into a folder. */
  'runs.exportModel': command(z.strictObject({ id: Id, directory: z.string().min(1) }), z.strictObject({ directory: z.string(), files: z.array(z.string()) })),

  // Orchestrator: parties
  'participants.list': command(Empty, z.array(ParticipantView)),
  'invitations.list': command(z.strictObject({ collaborationId: OptionalId }), z.array(InvitationView)),
  'invitations.create': command(
    z.strictObject({ collaborationId: Id, expiresInHours: z.number().positive().max(24 * 90).optional(), note: z.string().max(500).optional() }),
    z.strictObject({ invitation: InvitationView, code: z.string() }),
  ),
  'invitations.revoke': command(ById, InvitationView),
  /** Cuts a participant off: its connection closes now and it is refused from then on. */
  'participants.revoke': command(z.strictObject({ id: Id, reason: z.string().max(500).optional() }), ParticipantView),

  // Participant
  'memberships.list': command(Empty, z.array(MembershipView)),
  'memberships.join': command(
    z.strictObject({ code: z.string().min(1), name: z.string().min(1).max(200), organisation: z.string().max(200).optional(), proxy: ProxyUrl.optional() }),
    MembershipView,
  ),
  /** Reach a collaboration's hub through this HTTP proxy (null: HTTPS_PROXY, or directly); reconnects now. */
  'memberships.proxy': command(z.strictObject({ collaborationId: Id, proxy: ProxyUrl.nullable() }), MembershipView),
  'data.preview': command(
    SourceInput.extend({ projectId: OptionalId, kind: TagKind.optional(), requestId: RequestId, include: z.array(z.string()).max(10_000).optional() }),
    DataPreview,
  ),
  'data.cancel': command(z.strictObject({ requestId: z.string().min(1).max(64) }), z.strictObject({ cancelled: z.boolean() })),
  'connections.list': command(Empty, z.array(ConnectionView)),
  'connections.save': command(ConnectionInput, ConnectionView),
  'connections.delete': command(ById, Removed),
  'connections.test': command(ById, z.strictObject({ server: z.string() })),
  /** The schemas of a connection's database that hold OMOP CDM tables. */
  'omop.schemas': command(z.strictObject({ connectionId: Id }), z.array(z.string())),
  'omop.concepts': command(
    z.strictObject({ connectionId: Id, schema: z.string().min(1).max(63), search: z.string().trim().min(2).max(200), domain: z.string().max(40).optional() }),
    z.array(OmopConcept),
  ),
  /** Builds the person-level query of a definition and previews its table (columns, rows, summary). */
  'omop.build': command(
    z.strictObject({ connectionId: Id, definition: OmopDefinition, projectId: OptionalId, requestId: RequestId }),
    z.strictObject({ query: z.string(), preview: DataPreview }),
  ),
  'tags.list': command(z.strictObject({ projectId: OptionalId }), z.array(DataTag)),
  'tags.register': command(
    z.strictObject({
      projectId: Id,
      kind: TagKind,
      path: z.string().min(1).optional(),
      source: TagSource.optional(),
      columnKinds: z.array(ColumnKindOverride).optional(),
      exclude: z.array(z.string()).optional(),
      /** Columns to use although they look like quasi-identifiers: the owner's explicit choice. */
      include: z.array(z.string()).max(10_000).optional(),
    }),
    DataTag,
  ),
  'tags.delete': command(ById, Removed),
  'requests.list': command(Empty, z.array(ConsentView)),
  'requests.decide': command(z.strictObject({ id: Id, approve: z.boolean() }), Consent),
  /** Ask every time, or auto-approve runs of the project whose model and privacy settings match an approved one. */
  'requests.policy': command(z.strictObject({ projectId: Id, policy: z.enum(['ask', 'auto-matching']) }), MembershipView),
  'activity.list': command(Empty, z.array(ActivityEntry)),
  /** The data owner's rules: the minimum cell count k (installation or project) and a project's privacy budget. */
  'settings.get': command(z.strictObject({ projectId: OptionalId }), OwnerRules),
  'settings.update': command(OwnerRulesUpdate, OwnerRules),
  /** What this participant shared with a project's hub, from its security log. */
  'shared.summary': command(z.strictObject({ projectId: Id }), SharedSummary),
  'local.models': command(Empty, z.array(LocalModel)),
  'local.evaluate': command(z.strictObject({ modelDir: z.string().min(1), path: z.string().min(1) }), LocalEvaluation),
  'local.predict': command(z.strictObject({ modelDir: z.string().min(1), path: z.string().min(1), outputPath: z.string().min(1) }), LocalPrediction),

  // Both roles: the security log
  'security.list': command(SecurityLogQuery, SecurityLogPage),
  'security.export': command(z.strictObject({ path: z.string().min(1), format: z.enum(['jsonl', 'csv']) }), z.strictObject({ path: z.string(), events: z.int() })),
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandInput<K extends CommandName> = z.input<(typeof COMMANDS)[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<(typeof COMMANDS)[K]['output']>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

// ---------------------------------------------------------------------------------------------
// Events

export const AppEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('run'), event: RunEvent }),
  /** Something a screen shows changed: it should fetch again. */
  z.strictObject({ type: z.literal('changed'), what: z.enum(['participants', 'invitations', 'runs', 'memberships', 'tags', 'requests', 'activity', 'models', 'security', 'connections', 'settings']) }),
  z.strictObject({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  /** A long data request's progress: rows read so far. */
  z.strictObject({ type: z.literal('progress'), requestId: z.string(), rows: z.int().min(0) }),
]);
export type AppEvent = z.infer<typeof AppEvent>;

export type ApiTypes = {
  AppInfo: z.infer<typeof AppInfo>;
  ModelDescription: z.infer<typeof ModelDescription>;
  ParticipantView: z.infer<typeof ParticipantView>;
  InvitationView: z.infer<typeof InvitationView>;
  RunDetail: z.infer<typeof RunDetail>;
  MembershipView: z.infer<typeof MembershipView>;
  DataPreview: z.infer<typeof DataPreview>;
  ConnectionView: z.infer<typeof ConnectionView>;
  ActivityEntry: z.infer<typeof ActivityEntry>;
  LocalModel: z.infer<typeof LocalModel>;
  LocalEvaluation: z.infer<typeof LocalEvaluation>;
  LocalPrediction: z.infer<typeof LocalPrediction>;
  SecurityLogPage: z.infer<typeof SecurityLogPage>;
  OwnerRules: z.infer<typeof OwnerRules>;
  ConsentView: z.infer<typeof ConsentView>;
  SharedSummary: z.infer<typeof SharedSummary>;
};

export { AggregatedMetrics };
