// SCAFFOLD (Karimireddy et al. 2020, "SCAFFOLD: Stochastic Controlled Averaging for Federated
// Learning", Algorithm 1 with option II). The server keeps a control variate c, each client its
// own c_i (both start at zero). A client trains K local SGD steps from the global weights x,
// each step corrected by (c - c_i), then sets
//
//   c_i+ = c_i - c + (x - y_i) / (K * eta_l)          and returns y_i and dc_i = c_i+ - c_i
//
// The server, with S the clients that replied and N all the clients available this round:
//
//   x <- x + eta_g * (mean of y_i - x)                 c <- c + |S|/N * (mean of dc_i)
//
// Both means are weighted by examples (the paper's are plain: with clients of very different
// sizes, a model averaged by examples but a control averaged plainly pull towards different
// optima, and the run diverges). A client that drops out adds nothing to c, as in the paper.
// eta_g = serverLearningRate (default 1). The client's half is engines/local-algorithms.ts.
import { TENSOR } from '../../contract/tensors';
import { checkedWeightedAverage, firstNonFinite } from './aggregate';
import { BaseStrategy, type Problem } from './base';
import type { AggregateOutcome, Failure, FitInstruction, FitResult } from './types';

export class Scaffold extends BaseStrategy {
  readonly algorithm = 'scaffold' as const;
  override readonly replyTensors: readonly string[] = [TENSOR.controlDelta];
  /** The server control variate c (null: still zero). */
  private control: Float64Array | null = null;
  /** N: the clients available when the round was configured. */
  private available = 0;

  override configureFit(round: number, available: readonly string[]): FitInstruction[] {
    this.available = available.length;
    return super.configureFit(round, available);
  }

  override fitTensors(length: number): Record<string, Float32Array> {
    return { [TENSOR.control]: this.control?.length === length ? Float32Array.from(this.control) : new Float32Array(length) };
  }

  override aggregateFit(round: number, current: Float32Array, results: readonly FitResult[], failures: readonly Failure[]): AggregateOutcome {
    const deltas: Float32Array[] = [];
    for (const result of results) {
      const delta = result.tensors?.[TENSOR.controlDelta];
      const problem = checkDelta(delta, current.length, `client ${result.clientId}`);
      if (problem) return { ok: false, reason: problem };
      deltas.push(delta!);
    }
    // The weighted mean (the counts are checked by the model's round: a bad one refuses it first).
    const total = results.reduce((sum, result) => sum + result.numExamples, 0);
    const mean = new Float64Array(current.length);
    deltas.forEach((delta, k) => {
      const share = results[k]!.numExamples / total;
      for (let index = 0; index < mean.length; index += 1) mean[index]! += share * delta[index]!;
    });
    return this.step(super.aggregateFit(round, current, results, failures), mean, results.length);
  }

  override aggregateMean(
    round: number,
    current: Float32Array,
    mean: Float32Array,
    contributors: readonly string[],
    failures: readonly Failure[],
    meanTensors?: Readonly<Record<string, Float64Array>>,
  ): AggregateOutcome {
    const meanDelta = meanTensors?.[TENSOR.controlDelta];
    const problem = checkDelta(meanDelta, current.length, 'the mean of the control changes');
    if (problem) return { ok: false, reason: problem };
    return this.step(super.aggregateMean(round, current, mean, contributors, failures), meanDelta!, contributors.length);
  }

  /** The server control's step, taken only when the weights' round succeeded. */
  private step(outcome: AggregateOutcome, meanDelta: ArrayLike<number>, contributed: number): AggregateOutcome {
    if (!outcome.ok) return outcome;
    const share = contributed / Math.max(contributed, this.available);
    const control = this.control?.length === meanDelta.length ? this.control : new Float64Array(meanDelta.length);
    for (let index = 0; index < control.length; index += 1) control[index]! += share * meanDelta[index]!;
    this.control = control;
    return outcome;
  }

  protected combine(current: Float32Array, updates: readonly Float32Array[], numExamples: readonly number[]): Float32Array | Problem {
    const { average, finite } = checkedWeightedAverage(updates, numExamples);
    if (!finite) {
      const bad = firstNonFinite(average);
      return `the average holds ${average[bad]} at index ${bad}`;
    }
    const eta = this.h.serverLearningRate;
    if (eta === 1) return average;
    const out = new Float32Array(current.length);
    for (let index = 0; index < out.length; index += 1) out[index] = current[index]! + eta * (average[index]! - current[index]!);
    return out;
  }

  protected override saveBuffers(): Record<string, Float64Array> {
    return this.control ? { control: Float64Array.from(this.control) } : {};
  }

  protected override loadBuffers(buffers: Record<string, Float64Array>): void {
    this.control = buffers['control'] ? Float64Array.from(buffers['control']) : null;
  }

  protected override saveValues(): Record<string, number> {
    return { available: this.available };
  }

  protected override loadValues(values: Record<string, number>): void {
    this.available = values['available'] ?? 0;
  }
}

function checkDelta(delta: ArrayLike<number> | undefined, length: number, who: string): Problem | null {
  if (!delta) return `${who} sent no control change (SCAFFOLD needs one beside every update)`;
  if (delta.length !== length) return `${who} sent a control change of ${delta.length} values, but the model has ${length}`;
  for (let index = 0; index < delta.length; index += 1) {
    if (!Number.isFinite(delta[index])) return `${who} sent a control change holding ${delta[index]} at index ${index}`;
  }
  return null;
}
