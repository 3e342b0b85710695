// The engines' view of the world. Adapters implement these: protocol (Channel), datasource and
// ml (the worker's data and training), store (the TTP's runs and models). The engines never see
// ws, lowdb, TF.js or the file system.
import type { z } from 'zod';
import type { Alignment, PartyDeclaration } from '../contract/data';
import type { ConsentReply, ConsentRequest, FitConfig, PrepareReply } from '../contract/grid';
import type { Metrics } from '../contract/metrics';
import type { Collaboration, Experiment, Hyperparameters, ModelSpec, Project, Registration, Run, RunStatus, Task } from '../contract/records';
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
    options: { schema: S; tensors?: readonly Float32Array[]; timeoutMs?: number },
  ): Promise<{ body: z.infer<S>; tensors: Float32Array[] }>;
  notify(type: string, body: unknown, tensors?: readonly Float32Array[]): Promise<void>;
  handle<S extends z.ZodType>(
    type: string,
    schema: S,
    handler: (body: z.infer<S>, tensors: Float32Array[]) => Promise<{ body: unknown; tensors?: readonly Float32Array[] }>,
  ): void;
  on<S extends z.ZodType>(type: string, schema: S, listener: (body: z.infer<S>, tensors: Float32Array[]) => void): void;
  close(reason?: string): void;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// ---------------------------------------------------------------------------------------------
// Worker side

export interface ProjectInfo {
  id: string;
  targetColumn: string;
  task: Task;
  positiveClass?: string | undefined;
}

/** A party's data for one run, encoded into the aligned feature space. */
export interface PreparedData {
  train: EncodedDataset;
  evaluate?: EncodedDataset;
  predict?: EncodedDataset;
  unseenLevels: PrepareReply['unseenLevels'];
  /** Frees what the data holds outside memory (spooled rows); the training session calls it when it closes. */
  release?: () => Promise<void>;
}

export interface WorkerDataPort {
  /** Inspects the party's train data for the project and declares aggregates only. */
  declare(project: ProjectInfo, party: string): Promise<{ declaration: PartyDeclaration; tags: { train: boolean; evaluate: boolean; predict: boolean } }>;
  /** Loads and encodes the party's train / evaluate / predict data with the alignment (refusing drift). */
  prepare(projectId: string, party: string, alignment: Alignment): Promise<PreparedData>;
}

/** Local training of one run's model, off the main thread. */
export interface TrainingSession {
  readonly backend: string;
  fit(global: Float32Array, config: FitConfig & { loss: Hyperparameters['loss'] }): Promise<{ weights: Float32Array; loss: number; numExamples: number; seconds: number }>;
  /** Row-major rows x outputs: probabilities (classification) or standardised values (regression). */
  predict(weights: Float32Array, which: 'evaluate' | 'predict'): Promise<Float32Array>;
  saveModel(weights: Float32Array, dir: string, metadata: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface TrainingPort {
  open(options: { model: ModelSpec; alignment: Alignment; seed: number; data: PreparedData }): Promise<TrainingSession>;
}

/** Decides whether a run may use this party's data: a person in the app, or a policy. */
export interface ConsentPort {
  decide(channel: Channel, request: ConsentRequest): Promise<ConsentReply>;
  /** The run ended before this party decided: the question no longer stands. */
  withdraw?(run: string, reason: string): Promise<void>;
}

/** What a worker did for a run, as its owner follows it ("my local loss"). */
export type WorkerActivity =
  | { kind: 'prepared'; run: string; trainRows: number; evaluateRows: number; predictRows: number }
  | { kind: 'fit'; run: string; round: number; loss: number; numExamples: number; seconds: number }
  | { kind: 'evaluated'; run: string; round: number; metrics: Metrics | null }
  | { kind: 'finished'; run: string; predictedRows: number | null }
  | { kind: 'ended'; run: string; reason: string };

/** Where a worker keeps what a run leaves behind: models and predictions, in its own folders. */
export interface WorkerArtifactsPort {
  modelDir(run: string, which: 'global' | 'local'): string;
  /** Writes the predictions of the predict data; returns the number of rows written. */
  writePredictions(run: string, alignment: Alignment, data: EncodedDataset, outputs: Float32Array): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// TTP side

export interface RunParticipant {
  id: string;
  name: string;
  connection: Registration['connection'];
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
  backend(): string;
}

/** Reaches participants that listen (the TTP dials them) instead of dialling out. */
export interface Dialer {
  reach(participant: RunParticipant): Promise<void>;
}

export type { Metrics };
