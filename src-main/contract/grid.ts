// Messages between the TTP and the workers of a run. Every body is validated on arrival.
// Tensors (model weights) travel beside the body in binary frames, never inside it.
import { z } from 'zod';
import { Alignment, PartyDeclaration } from './data';
import { Metrics } from './metrics';
import { DeclaredTagSummary, Hyperparameters, Id, ModelSpec, Optimizer, RunSummary, Task } from './records';

export const GRID = {
  consent: 'run.consent',
  declare: 'run.declare',
  prepare: 'run.prepare',
  fit: 'run.fit',
  evaluate: 'run.evaluate',
  finish: 'run.finish',
  teardown: 'run.teardown',
  /** Worker -> hub notification: the data tags this party declares for a project. */
  tags: 'party.tags',
} as const;

const Count = z.int().min(0);

/** Before a run touches anyone's data, each participant is asked, and may decline. */
export const ConsentRequest = z.strictObject({ run: Id, projectId: Id, summary: RunSummary });
export const ConsentReply = z.strictObject({ approved: z.boolean(), reason: z.string().max(1000).optional() });

export const TagsNotice = z.strictObject({ projectId: Id, tags: z.array(DeclaredTagSummary).max(10) });

export const DeclareRequest = z.strictObject({
  run: Id,
  project: z.strictObject({
    id: Id,
    targetColumn: z.string().min(1),
    task: Task,
    positiveClass: z.string().optional(),
  }),
});

export const TagPresence = z.strictObject({ train: z.boolean(), evaluate: z.boolean(), predict: z.boolean() });

export const DeclareReply = z.strictObject({ declaration: PartyDeclaration, tags: TagPresence });

export const PrepareRequest = z.strictObject({
  run: Id,
  projectId: Id,
  alignment: Alignment,
  model: ModelSpec,
  hyperparameters: Hyperparameters,
});

export const UnseenLevels = z.record(z.string(), z.record(z.string(), Count));

export const PrepareReply = z.strictObject({
  trainRows: Count,
  evaluateRows: Count,
  predictRows: Count,
  backend: z.string().max(64),
  unseenLevels: UnseenLevels,
  /** Rows left out because their target was missing or a label unknown to the alignment. */
  skippedRows: Count,
});

export const FitConfig = z.strictObject({
  round: z.int().min(1),
  epochs: z.int().min(1),
  batchSize: z.int().min(1),
  learningRate: z.number().positive(),
  optimizer: Optimizer,
  momentum: z.number().min(0).max(1),
  l2: z.number().min(0),
  mu: z.number().min(0),
  seed: z.int().min(0),
});

export const FitRequest = z.strictObject({ run: Id, config: FitConfig });
export const FitReply = z.strictObject({
  numExamples: z.int().min(1),
  loss: z.number().refine(Number.isFinite, 'must be finite'),
  seconds: z.number().min(0),
});

export const EvaluateRequest = z.strictObject({ run: Id, round: z.int().min(0) });
/** metrics is null when the party has no evaluate data. */
export const EvaluateReply = z.strictObject({ metrics: Metrics.nullable() });

export const FinishRequest = z.strictObject({ run: Id, metadata: z.record(z.string(), z.unknown()) });
export const FinishReply = z.strictObject({
  /** Rows predicted into the party's own output folder (the predictions stay there). */
  predictedRows: Count.nullable(),
});

export const TeardownNotice = z.strictObject({ run: Id, reason: z.string().max(1000) });

export type ConsentRequest = z.infer<typeof ConsentRequest>;
export type ConsentReply = z.infer<typeof ConsentReply>;
export type TagsNotice = z.infer<typeof TagsNotice>;
export type DeclareRequest = z.infer<typeof DeclareRequest>;
export type DeclareReply = z.infer<typeof DeclareReply>;
export type PrepareRequest = z.infer<typeof PrepareRequest>;
export type PrepareReply = z.infer<typeof PrepareReply>;
export type FitConfig = z.infer<typeof FitConfig>;
export type FitRequest = z.infer<typeof FitRequest>;
export type FitReply = z.infer<typeof FitReply>;
export type EvaluateReply = z.infer<typeof EvaluateReply>;
export type FinishRequest = z.infer<typeof FinishRequest>;
export type FinishReply = z.infer<typeof FinishReply>;
