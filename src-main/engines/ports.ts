// The engines' view of the world. Adapters implement these: protocol (Channel), datasource and
// ml (the worker's data and training), store (the TTP's runs and models). The engines never see
// ws, lowdb, TF.js or the file system.
import type { z } from 'zod';
import type { Tensors } from '../contract/tensors';
import type { Alignment, PartyDeclaration } from '../contract/data';
import type { ConsentReply, ConsentRequest, FitConfig, PrepareReply } from '../contract/grid';
import type { Metrics } from '../contract/metrics';
import type { Collaboration, ConsentUsage, Experiment, Hyperparameters, ModelSpec, Project, Registration, Run, RunStatus, RunSummary, Task } from '../contract/records';
import type { AccountantState } from '../core/privacy/rdp-accountant';
import type { GlmSpec } from '../core/glm/spec';
import type { GlmSums } from '../core/glm/sums';
import type { EncodedDataset } from '../core/alignment/encode';
import type { RoundRecord, RunResult } from '../contract/results';

/** A connection to another party: requests, notifications, handlers. protocol/Peer implements it. */
export interface Channel {
  readonly label: string;
  readonly isOpen: boolean;
  readonly closed: Promise<{ reason: string }>;
  request<S extends z.ZodType>(
    type: string,
    body: unknown,
    options: { schema: S; tensors?: Tensors; timeoutMs?: number },
  ): Promise<{ body: z.infer<S>; tensors: Tensors }>;
  notify(type: string, body: unknown, tensors?: Tensors): Promise<void>;
  handle<S extends z.ZodType>(
    type: string,
    schema: S,
    handler: (body: z.infer<S>, tensors: Tensors) => Promise<{ body: unknown; tensors?: Tensors }>,
  ): void;
  on<S extends z.ZodType>(type: string, schema: S, listener: (body: z.infer<S>, tensors: Tensors) => void): void;
  close(reason?: string): void;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// ---------------------------------------------------------------------------------------------
// Worker side

/**
 * A project as this participant keeps it: its own id and names, the target its data was
 * registered for, and its owner's disclosure rules. Requests name the hub's id for it
 * (`remoteId`); everything is checked against this record, never against the request.
 */
export interface LocalProject {
  id: string;
  remoteId: string;
  name: string;
  collaborationName: string;
  targetColumn: string;
  task: Task;
  positiveClass: string | null;
  /** The minimum cell count k of the owner's disclosure rules. */
  minCellCount: number;
  /** The most epsilon the owner lets this project's runs spend in all (null: only each run's own target). */
  epsilonBudget: number | null;
}

/** A party's data for one run, encoded into the aligned feature space. */
export interface PreparedData {
  train: EncodedDataset;
  evaluate?: EncodedDataset;
  /** Rows the worker held out of its train rows for early stopping (never trained on). */
  validation?: EncodedDataset;
  predict?: EncodedDataset;
  /** Rows per column whose level the alignment did not know (the levels themselves stay here). */
  unseenLevels: PrepareReply['unseenLevels'];
  /** Frees what the data holds outside memory (spooled rows); the training session calls it when it closes. */
  release?: () => Promise<void>;
}

export interface WorkerDataPort {
  /** Inspects the party's train data for the project and declares aggregates only, under the owner's rules. */
  declare(project: LocalProject, party: string): Promise<{ declaration: PartyDeclaration; tags: { train: boolean; evaluate: boolean; predict: boolean } }>;
  /**
   * Loads and encodes the party's train / evaluate / predict data with the alignment (refusing
   * drift), encoding only the columns and levels this party declared.
   */
  prepare(project: LocalProject, party: string, alignment: Alignment, declaration: PartyDeclaration): Promise<PreparedData>;
}

/** The owner's records the worker checks a hub against. */
export interface OwnerPort {
  /** This participant's project that a hub's project id stands for, at that hub (never another hub's). */
  project(hubKey: string, remoteProjectId: string): Promise<LocalProject | undefined>;
  /** What the project's runs have spent so far with differential privacy, by this party's own count. */
  ledger(projectId: string): Promise<AccountantState | null>;
  /** Records the project's new total after `run` released noisy updates. */
  charge(projectId: string, run: string, state: AccountantState): Promise<void>;
}

/** Local training of one run's model, off the main thread. */
export interface TrainingSession {
  readonly backend: string;
  /** `correction` is added to every trainable weight's gradient at every step (SCAFFOLD); `steps` counts the optimizer steps. */
  fit(
    global: Float32Array,
    config: FitConfig & { loss: Hyperparameters['loss']; correction?: Float32Array },
  ): Promise<{ weights: Float32Array; loss: number; numExamples: number; seconds: number; steps: number }>;
  /** Exact regression: the sums of loss, gradient and curvature over the train rows at coefficients theta. */
  regressionSums(spec: GlmSpec, theta: Float64Array): Promise<GlmSums>;
  /** Row-major rows x outputs: probabilities (classification) or standardised values (regression). */
  predict(weights: Float32Array, which: 'evaluate' | 'predict'): Promise<Float32Array>;
  /** The mean loss (no penalties) of `weights` on the validation rows held out of the train data. */
  validationLoss(weights: Float32Array, loss: Hyperparameters['loss']): Promise<number>;
  saveModel(weights: Float32Array, dir: string, metadata: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface TrainingPort {
  open(options: { model: ModelSpec; alignment: Alignment; seed: number; data: PreparedData }): Promise<TrainingSession>;
}

/** What a participant is asked to approve, as it sees it: its own project, the plan and its hash. */
export interface ConsentContext {
  hubKey: string;
  request: ConsentRequest;
  project: LocalProject;
  /** The request's summary with this participant's own names for the collaboration and project. */
  summary: RunSummary;
  planHash: string;
}

/** Decides whether a run may use this party's data: a person in the app, or a policy. */
export interface ConsentPort {
  /** The decision; an approval carries what was already used of the run's budget (a run resumed). */
  decide(channel: Channel, context: ConsentContext): Promise<ConsentReply & { usage?: ConsentUsage }>;
  /** The run ended before this party decided: the question no longer stands. */
  withdraw?(hubKey: string, run: string, reason: string): Promise<void>;
  /** Keeps count of what the run used (training rounds, evaluations). */
  recordUsage?(hubKey: string, run: string, usage: ConsentUsage): Promise<void>;
  /** The approved run ended: asking to run it again is a new question. */
  complete?(hubKey: string, run: string): Promise<void>;
}

/** What a worker did for a run, as its owner follows it ("my local loss"). */
export type WorkerActivity = { run: string; project: string } & (
  | { kind: 'prepared'; trainRows: number; evaluateRows: number; predictRows: number }
  | { kind: 'fit'; round: number; loss: number; numExamples: number; seconds: number }
  | { kind: 'evaluated'; round: number; metrics: Metrics | null }
  | { kind: 'finished'; predictedRows: number | null }
  | { kind: 'ended'; reason: string }
);

/**
 * Where a worker keeps what a run leaves behind: models and predictions, in its own folders,
 * under its own project (so two hubs' runs of the same name never share a folder).
 */
export interface WorkerArtifactsPort {
  modelDir(projectId: string, run: string, which: 'global' | 'local'): string;
  /** This party's own per-round state of a run (kept across restarts). */
  roundVectors(projectId: string, run: string): RoundVectors;
  /** Writes the predictions of the predict data; returns the number of rows written. */
  writePredictions(projectId: string, run: string, alignment: Alignment, data: EncodedDataset, outputs: Float32Array): Promise<number>;
}

/** Float32 vectors a worker keeps per round of a run (the last few rounds). */
export interface RoundVectors {
  save(name: string, round: number, values: Float32Array): Promise<void>;
  /** The vector saved for the latest round before `round`, or null; refused unless it has `length` values, all finite. */
  latestBefore(name: string, round: number, length: number): Promise<Float32Array | null>;
}

// ---------------------------------------------------------------------------------------------
// TTP side

export interface RunParticipant {
  id: string;
  name: string;
  connection: Registration['connection'];
  /** The identity key it joined with (participants added by hand may have none yet). */
  key?: string;
}

export interface RunContext {
  collaboration: Collaboration;
  run: Run;
  experiment: Experiment;
  project: Project;
  participants: RunParticipant[];
}

export interface RunStatusPatch {
  status: RunStatus;
  round?: number;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface RunRepository {
  context(runId: string): Promise<RunContext>;
  setStatus(runId: string, patch: RunStatusPatch): Promise<void>;
  saveHistory(runId: string, rounds: readonly RoundRecord[]): Promise<void>;
  saveResult(runId: string, result: RunResult): Promise<void>;
}

export interface ModelShape {
  inputSize: number;
  outputSize: number;
  target: 'binary' | 'multiclass' | 'regression';
}

export interface ModelPort {
  /** Seeded initial global weights, and the backend that built them. */
  initialWeights(spec: ModelSpec, shape: ModelShape, seed: number): Promise<{ weights: Float32Array; parameterCount: number }>;
  /** Saves the global model with its alignment, hyperparameters and metrics; returns where. */
  saveGlobal(runId: string, spec: ModelSpec, shape: ModelShape, weights: Float32Array, metadata: Record<string, unknown>): Promise<string>;
  /**
   * A completed run's saved global weights (warm start), with the features they were trained on
   * (null when not recorded). Throws when the run has no saved global model.
   */
  loadGlobal(runId: string): Promise<{ weights: Float32Array; features: string[] | null }>;
  backend(): string;
}

/** Reaches participants that listen (the TTP dials them) instead of dialling out. */
export interface Dialer {
  reach(participant: RunParticipant): Promise<void>;
}

export type { Metrics };
