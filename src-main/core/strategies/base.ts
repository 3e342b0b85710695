// What every strategy shares: sampling and configuring a round, and the checks a round's results
// must pass before anything is aggregated. Each algorithm supplies only `combine`: the new global
// weights from the current ones and the (already checked) results.
import type { Algorithm, Hyperparameters } from '../../contract/records';
import { firstNonFinite } from './aggregate';
import { fitConfigFor } from './fit-config';
import { sampleClients } from './sampling';
import type { AggregateOutcome, Failure, FitConfig, FitInstruction, FitResult, Strategy, StrategyState } from './types';

/**
 * A reason to refuse the round. It does not name the round: the caller knows it and adds it
 * (the engine reports `round N: <reason>`).
 */
export type Problem = string;

/** How many failures a refusal lists by name before summarising the rest. */
const LISTED_FAILURES = 10;

export abstract class BaseStrategy implements Strategy {
  abstract readonly algorithm: Algorithm;
  readonly needsIndividualUpdates: boolean = false;
  readonly replyTensors: readonly string[] = [];
  protected readonly h: Readonly<Hyperparameters>;
  /** Weights this strategy returned, all checked finite (the next round's `current`). */
  private readonly produced = new WeakSet<Float32Array>();

  constructor(h: Hyperparameters) {
    // A private copy: later edits to the caller's object cannot change what a round does.
    this.h = Object.freeze({ ...h });
  }

  fitConfig(round: number): FitConfig {
    return fitConfigFor(this.h, round);
  }

  fitTensors(_length: number): Record<string, Float32Array> {
    return {};
  }

  /** The strategy's buffers and numbers; FedAvg and FedProx keep none. */
  state(): StrategyState {
    return { algorithm: this.algorithm, buffers: this.saveBuffers(), values: this.saveValues() };
  }

  restore(state: StrategyState): void {
    if (state.algorithm !== this.algorithm) throw new Error(`a ${state.algorithm} state cannot be restored into ${this.algorithm}`);
    this.loadBuffers(state.buffers);
    this.loadValues(state.values);
  }

  protected saveBuffers(): Record<string, Float64Array> {
    return {};
  }

  protected loadBuffers(_buffers: Record<string, Float64Array>): void {}

  protected saveValues(): Record<string, number> {
    return {};
  }

  protected loadValues(_values: Record<string, number>): void {}

  configureFit(round: number, available: readonly string[]): FitInstruction[] {
    const { fractionFit, minClients, seed } = this.h;
    return sampleClients(round, available, { fractionFit, minClients, seed }).map((clientId) => ({
      clientId,
      config: this.fitConfig(round),
    }));
  }

  aggregateFit(
    _round: number,
    current: Float32Array,
    results: readonly FitResult[],
    failures: readonly Failure[],
  ): AggregateOutcome {
    const problem = checkRound(current, results, failures, this.h.minClients, this.produced.has(current));
    if (problem !== null) return { ok: false, reason: problem };
    const updates = results.map((result) => result.weights);
    const numExamples = results.map((result) => result.numExamples);
    const combined = this.combine(current, updates, numExamples);
    if (typeof combined === 'string') {
      // A non-finite aggregate means some input was non-finite: name which.
      const culprit = nonFiniteResults(results);
      return { ok: false, reason: culprit ?? combined };
    }
    this.produced.add(combined);
    return { ok: true, weights: combined };
  }

  /**
   * The round's outcome when only the mean of the updates is known (secure aggregation, or
   * differential privacy, compute it before the strategy sees it): the server step applied to
   * `mean`, the average of the `contributors` clients' local weights.
   */
  aggregateMean(
    round: number,
    current: Float32Array,
    mean: Float32Array,
    contributors: readonly string[],
    failures: readonly Failure[],
    _meanTensors?: Readonly<Record<string, Float64Array>>,
  ): AggregateOutcome {
    if (this.needsIndividualUpdates) return { ok: false, reason: `${this.algorithm} needs each participant's own update, and only their mean is known` };
    // The mean stands in for each contributor's result in the checks (counts, lengths, finiteness).
    const stand = contributors.map((clientId) => ({ clientId, weights: mean, numExamples: 1, loss: 0 }));
    const problem = checkRound(current, stand, failures, this.h.minClients, this.produced.has(current));
    if (problem !== null) return { ok: false, reason: problem };
    const combined = this.combine(current, [mean], [1]);
    if (typeof combined === 'string') return { ok: false, reason: nonFiniteResults([{ clientId: 'the aggregate', weights: mean, numExamples: 1, loss: 0 }]) ?? combined };
    this.produced.add(combined);
    return { ok: true, weights: combined };
  }

  /**
   * The new global weights, or a Problem to refuse the round. The inputs have been checked
   * (at least one update, lengths equal to `current.length`, counts finite and > 0, `current`
   * finite); the updates themselves may still hold non-finite values, which the implementation
   * detects on its output. Must not change `current` or the updates, and must leave its server
   * state as it was when it returns a Problem.
   */
  protected abstract combine(
    current: Float32Array,
    updates: readonly Float32Array[],
    numExamples: readonly number[],
  ): Float32Array | Problem;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function describeFailures(failures: readonly Failure[]): string {
  if (failures.length === 0) return 'no failures were reported';
  const listed = failures
    .slice(0, LISTED_FAILURES)
    .map((failure) => `${failure.clientId} (${failure.reason}${failure.message ? `: ${failure.message}` : ''})`);
  const more = failures.length > LISTED_FAILURES ? `, and ${failures.length - LISTED_FAILURES} more` : '';
  return `${plural(failures.length, 'client', 'clients')} failed: ${listed.join(', ')}${more}`;
}

/** The structural checks on a round's inputs; null when the round can be aggregated. */
export function checkRound(
  current: Float32Array,
  results: readonly FitResult[],
  failures: readonly Failure[],
  minClients: number,
  /** The current weights are this strategy's own, checked, output: no need to scan them again. */
  currentKnownFinite = false,
): Problem | null {
  const seen = new Set<string>();
  for (const result of results) {
    if (seen.has(result.clientId)) return `client ${result.clientId} returned more than one result`;
    seen.add(result.clientId);
  }
  for (const failure of failures) {
    if (seen.has(failure.clientId)) {
      return `client ${failure.clientId} is reported both as a result and as a failure (${failure.reason})`;
    }
  }

  if (results.length < minClients) {
    const sampled = results.length + failures.length;
    return (
      `${plural(results.length, 'result', 'results')} arrived from ${plural(sampled, 'sampled client', 'sampled clients')}, ` +
      `fewer than the ${minClients} required (minClients); ${describeFailures(failures)}`
    );
  }

  for (const result of results) {
    if (result.weights.length !== current.length) {
      return (
        `client ${result.clientId} returned ${plural(result.weights.length, 'weight', 'weights')}, ` +
        `but the model has ${current.length}`
      );
    }
    if (!(result.numExamples > 0) || !Number.isFinite(result.numExamples)) {
      return `client ${result.clientId} reported ${result.numExamples} training examples; it must be a finite number > 0`;
    }
  }
  const total = results.reduce((sum, result) => sum + result.numExamples, 0);
  if (!Number.isFinite(total)) return 'the total number of training examples is not finite';

  if (currentKnownFinite) return null;
  const bad = firstNonFinite(current);
  if (bad >= 0) return `the current global weights hold ${current[bad]} at index ${bad}`;
  return null;
}

/** Names the results that hold a NaN or infinite weight, or null when none does. */
export function nonFiniteResults(results: readonly FitResult[]): Problem | null {
  const found: string[] = [];
  for (const result of results) {
    const index = firstNonFinite(result.weights);
    if (index >= 0) found.push(`client ${result.clientId} (${result.weights[index]} at index ${index})`);
  }
  if (found.length === 0) return null;
  return `non-finite weights from ${found.join(', ')}`;
}
