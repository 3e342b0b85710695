// The Synergos hierarchy (collaboration > project > experiment > run) and the parties
// (participants, their registrations and data tags), as schemas. Every record that crosses a
// boundary or is written to the store is parsed with these.
import { z } from 'zod';
import { ProxyUrl } from './proxy';

export const Id = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'an id is 1 to 64 letters, digits, ".", "_" or "-", and starts with a letter or digit',
  );

const Name = z.string().trim().min(1, 'a name cannot be empty').max(200);
const Description = z.string().max(10_000).default('');
const Timestamp = z.iso.datetime();

/** An Ed25519 public key as it travels: its 32 raw bytes, base64url. */
export const PublicKeyText = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an Ed25519 public key (43 base64url characters)');
/** A TLS certificate's SHA-256 fingerprint, as Node and browsers print it (AB:CD:…, 32 bytes). */
export const CertificateFingerprint = z
  .string()
  .transform((text) => text.trim().toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 certificate fingerprint (32 hex pairs joined by ":")'));

const timestamps = { createdAt: Timestamp, updatedAt: Timestamp };

/**
 * At a participant, where a collaboration or project came from: the hub (by its identity key)
 * and the id it has there. Local ids are the participant's own, so two hubs that use the same
 * ids never share or overwrite each other's records.
 */
export const Origin = z.strictObject({ hubKey: PublicKeyText, id: Id });

// ---------------------------------------------------------------------------------------------
// Hierarchy

export const Collaboration = z.strictObject({
  id: Id,
  name: Name,
  description: Description,
  /** Participant side only: the hub it came from. */
  origin: Origin.optional(),
  ...timestamps,
});

export const Task = z.enum(['classify', 'regress']);

/** How columns that only some parties hold are treated when the features are aligned. */
export const AlignmentOptions = z.strictObject({
  /** union: every party's columns (absent ones imputed); intersection: only columns all parties hold. */
  columns: z.enum(['union', 'intersection']).default('union'),
  /** Add a 0/1 "<column>__missing" feature beside each numeric column that has missing values. */
  missingIndicators: z.boolean().default(false),
});

export const Project = z
  .strictObject({
    id: Id,
    collaborationId: Id,
    name: Name,
    targetColumn: z.string().min(1, 'the target column cannot be empty'),
    task: Task,
    /** For binary classification: the label that counts as positive (e.g. "M" for malignant). */
    positiveClass: z.string().min(1).optional(),
    description: Description,
    alignment: AlignmentOptions.default({ columns: 'union', missingIndicators: false }),
    /** Participant side only: the hub it came from. */
    origin: Origin.optional(),
    ...timestamps,
  })
  .refine((project) => project.task === 'classify' || project.positiveClass === undefined, {
    message: 'a positive class only makes sense for a classification project',
    path: ['positiveClass'],
  });

export const Activation = z.enum(['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear']);

/** A model is declarative: a preset or Keras / TF.js layers JSON. Nothing executable travels. */
export const ModelSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('logreg') }),
  z.strictObject({
    kind: z.literal('mlp'),
    hidden: z.array(z.int().min(1).max(4096)).min(1).max(16).default([64, 32]),
    activation: Activation.default('relu'),
    dropout: z.number().min(0).max(0.9).default(0),
  }),
  z.strictObject({
    kind: z.literal('keras'),
    /** The layers topology as `model.toJSON()` writes it. Checked further when the model is built. */
    topology: z.record(z.string(), z.unknown()),
  }),
]);

export const Experiment = z.strictObject({
  id: Id,
  projectId: Id,
  name: Name,
  description: Description,
  model: ModelSpec,
  ...timestamps,
});

export const Algorithm = z.enum([
  'fedavg',
  'fedprox',
  'fedavgm',
  'fedadam',
  'fedyogi',
  'fedadagrad',
  'scaffold',
  'fedmedian',
  'trimmedmean',
  'krum',
  'multikrum',
]);

/** The strategies that need every party's own update: they cannot run on sums alone. */
export const ROBUST_ALGORITHMS: ReadonlySet<string> = new Set(['fedmedian', 'trimmedmean', 'krum', 'multikrum']);
export const Optimizer = z.enum(['sgd', 'adam', 'rmsprop']);
export const Loss = z.enum(['auto', 'binaryCrossentropy', 'categoricalCrossentropy', 'mse', 'mae']);

/**
 * How a run protects the updates it collects: secure aggregation (the TTP learns only the sum of
 * the updates) and client-level differential privacy (each update clipped to L2 norm `clip`,
 * Gaussian noise of standard deviation noiseMultiplier * clip added to the sum centrally, or to
 * each update locally). See docs/privacy.md.
 */
export const Privacy = z.strictObject({
  secureAggregation: z.boolean().default(false),
  dp: z.enum(['off', 'central', 'local']).default('off'),
  /** Clipping norm C of each update. */
  clip: z.number().positive().max(1e6).default(1),
  /** Noise multiplier sigma (the noise's standard deviation is sigma * C). */
  noiseMultiplier: z.number().min(0).max(1_000).default(1),
  /** Training stops before a round that would spend more than this epsilon (null: no target). */
  targetEpsilon: z.number().positive().max(1_000).nullable().default(null),
  delta: z.number().gt(0).lt(1).default(1e-5),
}).refine((privacy) => privacy.dp === 'off' || privacy.noiseMultiplier > 0, {
  message: 'differential privacy needs a noise multiplier above 0 (without noise, no epsilon is finite)',
  path: ['noiseMultiplier'],
});

/** How a party's update is compressed on its way to the hub (core/compression). */
export const Compression = z.enum(['none', 'float16', 'int8', 'topk']);
export type Compression = z.infer<typeof Compression>;

/** The fields of a run's hyperparameters, each with its default (for forms and partial updates). */
export const HyperparameterFields = z.strictObject({
  algorithm: Algorithm.default('fedavg'),
  rounds: z.int().min(1).max(100_000).default(10),
  epochs: z.int().min(1).max(10_000).default(1),
  batchSize: z.int().min(1).max(10_000_000).default(32),
  learningRate: z.number().positive().max(100).default(0.1),
  optimizer: Optimizer.default('sgd'),
  momentum: z.number().min(0).max(0.999).default(0),
  loss: Loss.default('auto'),
  l2: z.number().min(0).max(10).default(0),
  /** FedProx proximal weight: mu/2 * ||w - w_global||^2. */
  mu: z.number().min(0).max(100).default(0.01),
  /** Server-side learning rate (eta) for FedAvgM, FedAdam, FedYogi, FedAdagrad. */
  serverLearningRate: z.number().positive().max(100).default(1),
  /** Server momentum (FedAvgM) or beta1 (FedAdam, FedYogi). */
  serverMomentum: z.number().min(0).max(0.999).default(0.9),
  beta2: z.number().min(0).max(0.99999).default(0.99),
  /** Adaptivity (tau) of the server optimisers. */
  tau: z.number().positive().max(1).default(1e-3),
  /** Fraction of the available workers sampled each round, and the least number that must reply. */
  fractionFit: z.number().gt(0).max(1).default(1),
  minClients: z.int().min(1).max(10_000).default(1),
  roundTimeoutSeconds: z.number().positive().max(86_400).default(600),
  /** Evaluate the global model every this many rounds (0: only after the last round). */
  evaluateEvery: z.int().min(0).max(100_000).default(1),
  seed: z.int().min(0).max(2 ** 31 - 1).default(42),
  /**
   * Stop when the global model's loss on the parties' validation rows (a share each holds out
   * of its own train rows, never its evaluate rows) has not improved for `patience` rounds;
   * the model kept is the best round's. `rounds` is then the most rounds.
   */
  earlyStopping: z
    .strictObject({ patience: z.int().min(1).max(10_000), minDelta: z.number().min(0).default(0) })
    .nullable()
    .default(null),
  privacy: Privacy.prefault({}),
  /** Trimmed mean: the share of updates dropped from each end, per coordinate. */
  trimBeta: z.number().min(0).lt(0.5).default(0.2),
  /** Krum and Multi-Krum: how many faulty participants to tolerate. */
  byzantine: z.int().min(0).max(1_000).default(1),
  /** Each update's L2 norm is bounded by this (by the TTP, or by each party under secure aggregation); null: no bound. */
  normBound: z.number().positive().max(1e6).nullable().default(null),
  /**
   * How each party's update (trained minus global) is compressed before it is sent: float16,
   * 8-bit with stochastic rounding, or top-k sparsification with error feedback. With
   * differential privacy it is applied after clipping and noise: post-processing of a private
   * value spends no privacy, so the accountant is unchanged.
   */
  compression: Compression.default('none'),
  /** Top-k: the share of the update's values sent each round (the largest in magnitude). */
  topkFraction: z.number().gt(0).max(1).default(0.01),
  /**
   * How the logreg preset is fitted. exact: Newton's method on the parties' summed gradients
   * and curvature, which reaches the model the pooled rows would give in a handful of rounds
   * (rounds caps them); sgd: local gradient steps averaged by the strategy (for very large
   * data, differential privacy or the other strategies). auto: exact for logreg whenever the
   * run's other settings allow it.
   */
  solver: z.enum(['auto', 'exact', 'sgd']).default('auto'),
  /** The exact solver's L2 penalty: it minimises loss + penalty/2 x ||coefficients||² (scikit-learn's C = 1/penalty; 0: plain maximum likelihood). */
  penalty: z.number().min(0).max(1e6).default(1),
});

/** `--rounds auto`: the most rounds, and the patience, when rounds follow the validation loss. */
export const AUTO_ROUNDS = { cap: 200, patience: 5 } as const;

/**
 * The most rounds an exact fit of the logreg preset is given by default: most fits converge in
 * 2 to 7 rounds, nearly separable data (the breast-cancer demo) in about 9.
 */
export const EXACT_ROUNDS = 25;

/**
 * A model's own defaults where the user set nothing. The logreg preset, fitted exactly, gets
 * room to converge (EXACT_ROUNDS) and one evaluation, at the end. A neural network (the mlp preset) gets SGD with
 * momentum at a learning rate that converges on standardised tabular features without tuning
 * (Adam was measured too: its per-weight step sizes let label-skewed parties drift further
 * from the global model), one local epoch of small batches, rounds until the validation loss
 * stops improving (the best round's model kept), and evaluation of the final model only.
 * Chosen on the project's clinical federations as a whole, not for any one of them. Other
 * models keep the plain defaults.
 */
export function modelDefaults(model: z.infer<typeof ModelSpec>, given: Partial<z.infer<typeof HyperparameterFields>> = {}): Partial<z.infer<typeof HyperparameterFields>> {
  if (model.kind === 'logreg') {
    // Invalid settings are left for the schema to refuse, with its own message.
    const settings = HyperparameterFields.safeParse({ ...given, rounds: EXACT_ROUNDS });
    if (!settings.success || !usesExactSolver(model, settings.data)) return {};
    // Its rounds are Newton steps: the fitted model is evaluated once, at the end, so the
    // plan each hospital approves allows no more evaluations of its data than that.
    return { ...(given.rounds === undefined ? { rounds: EXACT_ROUNDS } : {}), ...(given.evaluateEvery === undefined ? { evaluateEvery: 0 } : {}) };
  }
  if (model.kind !== 'mlp') return {};
  const defaults: Partial<z.infer<typeof HyperparameterFields>> = { epochs: 1, batchSize: 32, evaluateEvery: 0 };
  const sgd = given.optimizer === undefined || given.optimizer === 'sgd';
  // Adam and RMSprop scale their own steps: their usual rate (as in Keras) when none is given.
  if (given.learningRate === undefined) defaults.learningRate = sgd ? 0.05 : 0.001;
  // SCAFFOLD corrects plain SGD steps: no momentum there.
  if (sgd && given.momentum === undefined && given.algorithm !== 'scaffold') defaults.momentum = 0.9;
  // With differential privacy no validation loss leaves a party (it is not noised), so nothing could stop the rounds.
  const private_ = given.privacy !== undefined && given.privacy.dp !== undefined && given.privacy.dp !== 'off';
  // Rounds given without early stopping are the rounds run; otherwise they follow the validation loss.
  if (given.rounds === undefined && given.earlyStopping === undefined && !private_) {
    defaults.rounds = AUTO_ROUNDS.cap;
    defaults.earlyStopping = { patience: AUTO_ROUNDS.patience, minDelta: 0 };
  }
  return defaults;
}

/** The settings that rule out the exact solver (it needs none of them, or they need gradient steps). */
export function exactSolverConflicts(h: z.infer<typeof HyperparameterFields>): string[] {
  const conflicts: string[] = [];
  if (h.algorithm !== 'fedavg') conflicts.push(`the ${h.algorithm} strategy`);
  if (h.privacy.dp !== 'off') conflicts.push('differential privacy (its noise is calibrated for model updates)');
  if (h.compression !== 'none') conflicts.push('compressed updates');
  return conflicts;
}

/** True when the run is fitted by the exact solver: the logreg preset, and settings that allow it. */
export function usesExactSolver(model: z.infer<typeof ModelSpec>, hyperparameters: z.infer<typeof HyperparameterFields>): boolean {
  if (hyperparameters.solver === 'sgd' || model.kind !== 'logreg') return false;
  return hyperparameters.solver === 'exact' || exactSolverConflicts(hyperparameters).length === 0;
}

/** A run's hyperparameters: the fields, and the combinations that are refused. */
export const Hyperparameters = HyperparameterFields.superRefine((h, ctx) => {
  if (ROBUST_ALGORITHMS.has(h.algorithm)) {
    if (h.privacy.secureAggregation) {
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: `${h.algorithm} compares each participant's own update, which secure aggregation hides: turn secure aggregation off, or use FedAvg with a norm bound` });
    } else if (h.privacy.dp === 'central') {
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: `${h.algorithm} with central differential privacy is refused: the noise is calibrated for the mean of the updates; use local differential privacy, or FedAvg` });
    }
  }
  if (h.compression !== 'none' && h.privacy.secureAggregation) {
    ctx.addIssue({ code: 'custom', path: ['compression'], message: 'compressed updates are refused with secure aggregation: its masked sums are already fixed-point integers, which cannot be compressed; turn compression or secure aggregation off' });
  }
  if (h.solver === 'exact') {
    const conflicts = exactSolverConflicts(h);
    if (conflicts.length > 0) ctx.addIssue({ code: 'custom', path: ['solver'], message: `the exact solver fits the pooled model from sums, so it cannot be used with ${conflicts.join(', ')}: choose the sgd solver, or drop those settings` });
  }
  if (h.algorithm === 'scaffold') {
    if (h.optimizer !== 'sgd' || h.momentum > 0) {
      ctx.addIssue({ code: 'custom', path: ['optimizer'], message: 'SCAFFOLD corrects plain SGD steps: set the optimizer to sgd, without momentum' });
    }
    if (h.privacy.dp !== 'off') {
      ctx.addIssue({ code: 'custom', path: ['privacy', 'dp'], message: "SCAFFOLD's control variates are not covered by differential privacy's accounting: turn differential privacy off, or use FedAvg" });
    }
  }
});

/** Where a run is in its life; stored, so its status is always visible. */
export const RunStatus = z.enum([
  'defined',
  'waiting',
  'awaiting-approval',
  'aligning',
  'training',
  'evaluating',
  'exporting',
  'completed',
  'failed',
  'cancelled',
  /** Stopped, or the hub stopped or crashed, after a checkpoint: `cohort run resume` continues it. */
  'interrupted',
]);

export const Run = z.strictObject({
  id: Id,
  experimentId: Id,
  name: Name,
  hyperparameters: Hyperparameters,
  status: RunStatus.default('defined'),
  /** Rounds completed so far. */
  round: z.int().min(0).default(0),
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  /** Why the run failed or was cancelled. */
  error: z.string().max(10_000).optional(),
  /** Warm start: the completed run (same project, same model) whose final global weights this run starts from. */
  initialRunId: Id.optional(),
  ...timestamps,
});

// ---------------------------------------------------------------------------------------------
// Parties

export const Participant = z.strictObject({
  id: Id,
  displayName: Name,
  organisation: z.string().trim().max(200).default(''),
  contact: z.string().trim().max(320).default(''),
  /** The identity key it proved when it joined; only that key may speak for it. */
  publicKey: PublicKeyText.optional(),
  /** Set when the orchestrator cut it off: it is refused from then on. */
  revokedAt: Timestamp.optional(),
  revokedReason: z.string().max(500).optional(),
  ...timestamps,
});

/** How the TTP reaches a participant: the participant dials out (default) or listens. */
export const Connection = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('dial-out') }),
  z.strictObject({
    mode: z.literal('listen'),
    host: z.string().min(1).max(253),
    port: z.int().min(1).max(65_535),
    /** The participant's TLS certificate, which the TTP pins when it dials. */
    certificate: CertificateFingerprint.optional(),
  }),
]);

/** What a participant tells the orchestrator about a data tag: its schema and row count, no values. */
export const DeclaredTagSummary = z.strictObject({
  kind: z.enum(['train', 'evaluate', 'predict']),
  rows: z.int().min(0),
  columns: z.array(z.strictObject({ name: z.string().min(1).max(500), kind: z.enum(['numeric', 'categorical', 'boolean', 'identifier', 'empty']) })).max(10_000),
  declaredAt: Timestamp,
});

export const Registration = z.strictObject({
  id: Id,
  participantId: Id,
  collaborationId: Id,
  projectId: Id,
  role: z.enum(['participant', 'orchestrator']).default('participant'),
  connection: Connection.default({ mode: 'dial-out' }),
  /** The data tags the participant declared for this project (summaries only). */
  declaredTags: z.array(DeclaredTagSummary).default([]),
  ...timestamps,
});

export const ColumnKind = z.enum(['numeric', 'categorical', 'boolean', 'identifier', 'empty']);

/** One column as its owner declares it: its kind, and whether it is left out of the features. */
export const DeclaredColumn = z.strictObject({
  name: z.string().min(1),
  kind: ColumnKind,
  excluded: z.boolean().default(false),
  /** The owner included it by name although it looks like a quasi-identifier. */
  included: z.boolean().default(false),
});

export const TagKind = z.enum(['train', 'evaluate', 'predict']);

/** The most a stored query may hold. */
export const MAX_QUERY_LENGTH = 100_000;

/** Where a tag's rows come from: a file (CSV, Parquet) or a read-only query on a database connection. */
export const TagSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    /** Absolute path of a file on the participant's machine. */
    path: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('query'),
    connectionId: Id,
    query: z.string().trim().min(1, 'the query is empty').max(MAX_QUERY_LENGTH),
  }),
]);

export const DataTag = z.strictObject({
  id: Id,
  projectId: Id,
  participantId: Id,
  kind: TagKind,
  /** The file or the query. Never leaves the participant's machine. */
  source: TagSource,
  columns: z.array(DeclaredColumn).min(1),
  rows: z.int().min(0),
  /** The project's target when the data was registered: a project whose target changed since is refused. */
  targetColumn: z.string().min(1).optional(),
  ...timestamps,
});

/** A secret sealed at rest: by the OS keychain (Electron's safeStorage) or with a passphrase (scrypt, AES-256-GCM). */
export const SealedSecret = z.strictObject({
  scheme: z.enum(['safe-storage', 'passphrase']),
  /** base64 of the sealed bytes (for 'passphrase': salt, nonce, ciphertext and tag). */
  data: z.string().min(1).max(10_000),
});

/** A participant's database connection (PostgreSQL). Never leaves its machine; the password is sealed. */
export const DbConnection = z.strictObject({
  id: Id,
  name: Name,
  engine: z.literal('postgres').default('postgres'),
  host: z.string().trim().min(1).max(255),
  port: z.int().min(1).max(65535).default(5432),
  database: z.string().trim().min(1).max(63),
  user: z.string().trim().min(1).max(63),
  /** TLS to the server: off, required, or required with the server's certificate verified. */
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  password: SealedSecret.optional(),
  /** A query running longer than this is stopped by the server. */
  statementTimeoutSeconds: z.int().min(1).max(86_400).default(3600),
  ...timestamps,
});

// ---------------------------------------------------------------------------------------------
// Joining and consent

/** An invitation to join a collaboration, at the orchestrator. The token itself is never stored. */
export const Invitation = z.strictObject({
  id: Id,
  collaborationId: Id,
  /** sha256 of the single-use token carried by the invitation code. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: Timestamp,
  note: z.string().max(500).default(''),
  /** Only this participant may join with it (needed to claim one the orchestrator added without a key). */
  forParticipant: Id.optional(),
  /** Set when a participant joined with it. */
  usedBy: Id.optional(),
  usedAt: Timestamp.optional(),
  revoked: z.boolean().default(false),
  ...timestamps,
});

/** A collaboration this party joined, at the participant. */
export const Membership = z.strictObject({
  id: Id,
  collaborationId: Id,
  /** Where the orchestrator's hub listens. */
  hubUrl: z.string().min(1).max(2000),
  /** This party's id at that hub. */
  partyId: Id,
  orchestrator: z.string().max(200).default(''),
  /** The hub's identity key and TLS certificate, from the invitation: nothing else is trusted. */
  hubKey: PublicKeyText.optional(),
  hubCertificate: CertificateFingerprint.optional(),
  /** Projects whose runs are approved without asking when their model and privacy settings match a run approved before. */
  autoApproveProjects: z.array(Id).default([]),
  /** The HTTP proxy to reach the hub through (CONNECT; TLS to the hub inside it); absent: HTTPS_PROXY or direct. */
  proxy: ProxyUrl.optional(),
  ...timestamps,
});

/** What a run will do with a participant's data, as shown before the participant decides. */
export const RunSummary = z.strictObject({
  collaboration: z.string().max(200),
  project: z.string().max(200),
  targetColumn: z.string().max(500),
  experiment: z.string().max(200),
  run: z.string().max(200),
  model: ModelSpec,
  hyperparameters: Hyperparameters,
  /** The kinds of this party's data the run uses. */
  tags: z.array(TagKind),
  privacy: Privacy.prefault({}),
  /**
   * Who else takes part, with the identity keys the hub knows them by: secure aggregation
   * accepts keys signed by these parties only, and the owner can compare them over the phone.
   */
  roster: z.array(z.strictObject({ id: Id, name: z.string().max(200), key: PublicKeyText.optional() })).max(10_000).default([]),
});

/** What a participant counts per approved run, to hold the hub to the plan. */
export const ConsentUsage = z.strictObject({
  /** Fit requests answered (a round redone after a hub restart counts again). */
  fits: z.int().min(0).default(0),
  /** The highest round trained. */
  lastRound: z.int().min(0).default(0),
  /** Evaluations of the global model answered. */
  evaluations: z.int().min(0).default(0),
});

/** A participant's decision on a run (pending until it decides). */
export const Consent = z.strictObject({
  id: Id,
  membershipId: Id,
  /** The hub that asked: a decision is keyed by (hub, run), never by the run id alone. */
  hubKey: PublicKeyText.optional(),
  /** The run's id at that hub. */
  runId: Id,
  /** This participant's own project. */
  projectId: Id,
  summary: RunSummary,
  /** sha256 of everything that decides what leaves (see core/authority/plan): what was approved. */
  planHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /**
   * withdrawn: the run ended before a decision was taken; completed: the approved run ended,
   * so running it again asks again.
   */
  state: z.enum(['pending', 'approved', 'declined', 'withdrawn', 'completed']),
  decidedAt: Timestamp.optional(),
  /** Who decided: the data owner, or their auto-approve policy. */
  decidedBy: z.enum(['person', 'policy']).optional(),
  usage: ConsentUsage.prefault({}),
  ...timestamps,
});

/**
 * The data owner's own rules at a participant: for the whole installation (no project) or
 * one of its projects. Nothing here is set by a hub.
 */
export const OwnerSettings = z.strictObject({
  id: Id,
  projectId: Id.optional(),
  /** The minimum cell count k: no figure that leaves describes fewer than k rows. */
  minCellCount: z.int().min(2).max(1_000).optional(),
  /** The most epsilon (at the runs' delta) this party lets all runs of the project spend together. */
  epsilonBudget: z.number().positive().max(1_000).optional(),
  ...timestamps,
});

/**
 * What differential privacy a project's runs have spent at this participant, kept by the
 * participant itself (its own accountant, whatever the hub reports): the Renyi divergence at
 * each order, summed over every noisy update it released.
 */
export const PrivacyLedger = z.strictObject({
  id: Id,
  projectId: Id,
  orders: z.array(z.number().gt(1)).min(1).max(200),
  rdp: z.array(z.number().min(0)).min(1).max(200),
  /** Noisy updates released, per run. */
  releases: z.record(z.string(), z.int().min(0)),
  ...timestamps,
});

export type Collaboration = z.infer<typeof Collaboration>;
export type Project = z.infer<typeof Project>;
export type AlignmentOptions = z.infer<typeof AlignmentOptions>;
export type ModelSpec = z.infer<typeof ModelSpec>;
export type Experiment = z.infer<typeof Experiment>;
export type Algorithm = z.infer<typeof Algorithm>;
export type Hyperparameters = z.infer<typeof Hyperparameters>;
export type Run = z.infer<typeof Run>;
export type RunStatus = z.infer<typeof RunStatus>;
export type Participant = z.infer<typeof Participant>;
export type Connection = z.infer<typeof Connection>;
export type Registration = z.infer<typeof Registration>;
export type ColumnKind = z.infer<typeof ColumnKind>;
export type DeclaredColumn = z.infer<typeof DeclaredColumn>;
export type TagKind = z.infer<typeof TagKind>;
export type DataTag = z.infer<typeof DataTag>;
export type TagSource = z.infer<typeof TagSource>;
export type SealedSecret = z.infer<typeof SealedSecret>;
export type DbConnection = z.infer<typeof DbConnection>;
export type Task = z.infer<typeof Task>;
export type DeclaredTagSummary = z.infer<typeof DeclaredTagSummary>;
export type Invitation = z.infer<typeof Invitation>;
export type Membership = z.infer<typeof Membership>;
export type RunSummary = z.infer<typeof RunSummary>;
export type Consent = z.infer<typeof Consent>;
export type Privacy = z.infer<typeof Privacy>;
export type Origin = z.infer<typeof Origin>;
export type ConsentUsage = z.infer<typeof ConsentUsage>;
export type OwnerSettings = z.infer<typeof OwnerSettings>;
export type PrivacyLedger = z.infer<typeof PrivacyLedger>;
