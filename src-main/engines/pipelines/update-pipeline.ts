// How a training round's updates travel from the parties to the strategy: one interface, three
// implementations, chosen by the run's privacy settings:
//   plain               each party's local weights reach the TTP, and the strategy sees them all
//   central DP          each update is clipped and the TTP adds the noise to their sum; the
//                       strategy sees only the noisy mean
//   secure aggregation  the updates are masked and only their sum is unmasked (with DP, each
//                       party adds its share of the noise before masking)
// The round loop does not know which one it drives.
import type { PartyActivity, PartyRound } from '../../contract/results';
import type { Compression, Privacy } from '../../contract/records';
import type { AggregateOutcome, Failure, FitInstruction, Strategy } from '../../core/strategies/types';
import type { Cancellation } from '../run/cancellation';
import type { ParticipantPool } from '../run/participants';
import { CentralDpPipeline } from './central-dp';
import { PlainPipeline } from './plain';
import { SecureAggregationPipeline } from './secure-aggregation';

export interface TrainedParty {
  party: string;
  loss: number;
  numExamples: number;
  seconds: number;
  /** Early stopping: the received global model's loss on the party's validation rows. */
  validation?: { loss: number; rows: number };
}

/** What one round of training produced: the strategy's outcome and each party's part in it. */
export interface RoundTraining {
  outcome: AggregateOutcome;
  parties: Record<string, PartyRound>;
  trained: TrainedParty[];
}

export interface PipelineHost {
  run: string;
  pool: ParticipantPool;
  strategy: Strategy;
  privacy: Privacy;
  /** The bound on each update's L2 norm (null: none); under secure aggregation the parties apply it. */
  normBound: number | null;
  /** How the parties compress their updates (plain and central-DP rounds decode them back to weights). */
  compression: Compression;
  cancellation: Cancellation;
  timeoutMs(): number;
  activity(party: string, activity: PartyActivity, round: number, message?: string): void;
  /** A party that gave no update this round (a failure for the strategy, a dropout for the run). */
  failed(round: number, failure: Failure): void;
  /** A party lost after its masked update arrived: its update still counts. */
  leftAfterMasking(party: string, round: number, message: string): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface UpdatePipeline {
  readonly kind: 'plain' | 'central-dp' | 'secure-aggregation';
  train(round: number, instructions: readonly FitInstruction[], global: Float32Array): Promise<RoundTraining>;
  /** The fixed-point encoding of the last masked round (secure aggregation), for the report. */
  readonly encoding: { fractionalBits: number; range: number } | null;
}

export function pipelineFor(host: PipelineHost): UpdatePipeline {
  if (host.privacy.secureAggregation) return new SecureAggregationPipeline(host);
  if (host.privacy.dp !== 'off') return new CentralDpPipeline(host);
  return new PlainPipeline(host);
}
