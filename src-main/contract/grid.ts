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
  /** Exact regression: a party's sums of loss, gradient and curvature at the given coefficients. */
  sums: 'run.sums',
  evaluate: 'run.evaluate',
  finish: 'run.finish',
  /** Secure aggregation, each round: keys, then encrypted shares, then (after fit) unmasking. */
  secaggAdvertise: 'run.secagg.advertise',
  secaggShare: 'run.secagg.share',
  secaggUnmask: 'run.secagg.unmask',
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

/** Rows per column whose category level the alignment does not know: counts only, never the levels. */
export const UnseenLevels = z.record(z.string(), Count);

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

/** A raw 32-byte X25519 public key, base64url. */
const RawKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a 32-byte key, base64url');
/** Party ids of one round: at most 255 (Shamir shares over GF(2^8)). */
const RoundParties = z.array(Id).min(2).max(255);
/** Encrypted shares or revealed shares, by party. */
const ShareTexts = z.record(Id, z.string().min(1).max(1_000));

/** What a secure sum is for: a round's updates, or an evaluation's tables (both may happen in one round). */
export const SecAggPurpose = z.enum(['fit', 'evaluate']);

export const SecAggSetup = z.strictObject({
  run: Id,
  round: z.int().min(0),
  purpose: SecAggPurpose.default('fit'),
  parties: RoundParties,
  threshold: z.int().min(2).max(255),
  encoding: z.strictObject({ fractionalBits: z.int().min(1).max(30), range: z.number().positive() }),
  length: z.int().min(2),
});
export const SecAggAdvertisement = z.strictObject({
  encryptionKey: RawKey,
  maskKey: RawKey,
  selfMaskCommitment: z.string().regex(/^[0-9a-f]{64}$/),
  /** Ed25519, by the party's identity key, over the keys and where they belong (core/privacy/secagg/signed-keys). */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an Ed25519 signature, base64url'),
});
export const SecAggShareRequest = z.strictObject({ run: Id, round: z.int().min(0), purpose: SecAggPurpose.default('fit'), keys: z.record(Id, SecAggAdvertisement) });
export const SecAggShareReply = z.strictObject({ ciphertexts: ShareTexts });
export const SecAggUnmaskRequest = z.strictObject({ run: Id, round: z.int().min(0), purpose: SecAggPurpose.default('fit'), survivors: RoundParties, dropped: z.array(Id).max(255) });
export const SecAggUnmaskReply = z.strictObject({ shares: ShareTexts });

export const FitRequest = z.strictObject({
  run: Id,
  config: FitConfig,
  /** With secure aggregation: the shares addressed to this party, and the round's total training rows (for weights). */
  secagg: z.strictObject({ ciphertexts: ShareTexts, totalExamples: z.int().min(1) }).optional(),
});
export const FitReply = z.strictObject({
  numExamples: z.int().min(1),
  loss: z.number().refine(Number.isFinite, 'must be finite'),
  seconds: z.number().min(0),
  /** Secure aggregation: values clamped to the fixed-point range (they lose precision). */
  clamped: z.int().min(0).optional(),
  /**
   * Early stopping: the mean loss of the global weights received (before training) on this
   * party's validation rows, held out of its train data; sent only when they are at least its
   * minimum cell count, and never with differential privacy.
   */
  validation: z.strictObject({ loss: z.number().refine(Number.isFinite, 'must be finite'), rows: z.int().min(1) }).optional(),
});

/**
 * Exact regression, one round: the coefficients travel as a float64 tensor; the party answers
 * with its sums divided by `totalRows` (a float64 tensor, or inside a secure sum: masked).
 */
export const SumsRequest = z.strictObject({
  run: Id,
  round: z.int().min(1),
  /** The rows of all the parties in the round: each party's sums are divided by it, so that every value stays near 1. */
  totalRows: z.int().min(1),
  secagg: z.strictObject({ ciphertexts: ShareTexts }).optional(),
});
export const SumsReply = z.strictObject({
  numExamples: z.int().min(1),
  /** The party's mean loss at the coefficients (as a fit's reply carries its training loss). */
  loss: z.number().refine(Number.isFinite, 'must be finite'),
  seconds: z.number().min(0),
  clamped: z.int().min(0).optional(),
});

/**
 * With `secagg` (two or more parties evaluate), the party's tables (confusion matrix, score
 * histograms) travel only inside a secure sum: the reply's metrics carry no table, and its
 * masked table vector comes beside it (see core/metrics/tables).
 */
export const EvaluateRequest = z.strictObject({
  run: Id,
  round: z.int().min(0),
  secagg: z.strictObject({ ciphertexts: ShareTexts }).optional(),
});
/** metrics is null when the party has no evaluate data. */
export const EvaluateReply = z.strictObject({ metrics: Metrics.nullable() });

export const FinishRequest = z.strictObject({ run: Id, metadata: z.record(z.string(), z.unknown()) });
export const FinishReply = z.strictObject({
  /** Rows predicted into the party's own output folder (the predictions stay there). */
  predictedRows: Count.nullable(),
});

/** The run ended (or, `resumable`, stopped until it is resumed: its workers keep its consent). */
export const TeardownNotice = z.strictObject({ run: Id, reason: z.string().max(1000), resumable: z.boolean().default(false) });

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
export type SumsRequest = z.infer<typeof SumsRequest>;
export type SumsReply = z.infer<typeof SumsReply>;
export type SecAggSetup = z.infer<typeof SecAggSetup>;
export type SecAggPurpose = z.infer<typeof SecAggPurpose>;
export type SecAggAdvertisement = z.infer<typeof SecAggAdvertisement>;
export type EvaluateReply = z.infer<typeof EvaluateReply>;
export type FinishRequest = z.infer<typeof FinishRequest>;
export type FinishReply = z.infer<typeof FinishReply>;
