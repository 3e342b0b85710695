// What one party computes for the exact regression solver: over its own encoded rows, at the
// coefficients the hub sent, the sum of the loss, of its gradient and of its curvature (the
// Hessian X'WX, packed). Each is a plain sum over rows, so the parties' sums add up to exactly
// what the pooled rows would give (DataSHIELD's ds.glm works the same way).
//
// Losses: binomial -(y log p + (1-y) log(1-p)); multinomial -log p_y (softmax); gaussian
// (y - eta)² / 2, so that 2 x loss is the residual sum of squares.
import { packedLength } from '../linalg/symmetric';
import { parameterCountOf, sumsLengthOf, type GlmSpec } from './spec';

/** Rows whose curvature terms are added together. */
const CHUNK = 64;

export interface GlmSums {
  gradient: Float64Array;
  /** Packed upper triangle. */
  hessian: Float64Array;
  loss: number;
  rows: number;
}

export class GlmAccumulator {
  private readonly gradient: Float64Array;
  private readonly hessian: Float64Array;
  private loss = 0;
  private rows = 0;
  private readonly z: Float64Array;
  private readonly eta: Float64Array;
  private readonly weight: Float64Array;
  /** A chunk of rows, by column: z (width x CHUNK) and the curvature weights (k x k x CHUNK). */
  private readonly chunkZ: Float64Array;
  private readonly chunkW: Float64Array;
  private readonly scratch = new Float64Array(CHUNK);
  private chunked = 0;

  constructor(
    private readonly spec: GlmSpec,
    private readonly theta: ArrayLike<number>,
  ) {
    const p = parameterCountOf(spec);
    if (theta.length !== p) throw new RangeError(`the model has ${p} coefficients, not ${theta.length}`);
    this.gradient = new Float64Array(p);
    this.hessian = new Float64Array(packedLength(p));
    this.z = new Float64Array(spec.features + 1);
    this.eta = new Float64Array(spec.predictors);
    this.weight = new Float64Array(spec.predictors * spec.predictors);
    this.chunkZ = new Float64Array((spec.features + 1) * CHUNK);
    this.chunkW = new Float64Array(spec.predictors * spec.predictors * CHUNK);
  }

  /** Adds rows: x row-major rows x d, y row-major rows x outputs (one-hot for K classes). */
  add(x: ArrayLike<number>, y: ArrayLike<number>, rows: number): void {
    const { features: d, predictors: k, family } = this.spec;
    const outputs = family === 'multinomial' ? k : 1;
    const { z, eta, weight, theta, gradient } = this;
    for (let r = 0; r < rows; r += 1) {
      z[0] = 1;
      for (let j = 0; j < d; j += 1) z[j + 1] = x[r * d + j]!;
      for (let c = 0; c < k; c += 1) {
        let value = 0;
        const base = c * (d + 1);
        for (let j = 0; j <= d; j += 1) value += theta[base + j]! * z[j]!;
        eta[c] = value;
      }
      if (family === 'binomial') {
        const target = y[r]!;
        const e = eta[0]!;
        const p = 1 / (1 + Math.exp(-e));
        // log(1 + e^eta) - y eta, without overflow.
        this.loss += (e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e))) - target * e;
        eta[0] = p - target; // residual
        weight[0] = p * (1 - p);
      } else if (family === 'gaussian') {
        const residual = eta[0]! - y[r]!;
        this.loss += (residual * residual) / 2;
        eta[0] = residual;
        weight[0] = 1;
      } else {
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < k; c += 1) max = Math.max(max, eta[c]!);
        let total = 0;
        for (let c = 0; c < k; c += 1) total += Math.exp(eta[c]! - max);
        const logTotal = Math.log(total) + max;
        for (let c = 0; c < k; c += 1) {
          const target = y[r * outputs + c]!;
          const p = Math.exp(eta[c]! - logTotal);
          this.loss -= target * (eta[c]! - logTotal);
          eta[c] = p; // probabilities for now
        }
        for (let c = 0; c < k; c += 1) {
          for (let c2 = c; c2 < k; c2 += 1) weight[c * k + c2] = (c === c2 ? eta[c]! : 0) - eta[c]! * eta[c2]!;
        }
        for (let c = 0; c < k; c += 1) eta[c] = eta[c]! - y[r * outputs + c]!;
      }
      // Gradient: residual_c z; curvature: W_cc' z zᵀ in each block (c <= c').
      for (let c = 0; c < k; c += 1) {
        const residual = eta[c]!;
        const base = c * (d + 1);
        for (let j = 0; j <= d; j += 1) gradient[base + j] = gradient[base + j]! + residual * z[j]!;
      }
      this.keepForCurvature();
    }
    this.rows += rows;
  }

  /** The row's z and weights into the chunk; a full chunk is added to the curvature. */
  private keepForCurvature(): void {
    const { features: d, predictors: k } = this.spec;
    const i = this.chunked;
    for (let u = 0; u <= d; u += 1) this.chunkZ[u * CHUNK + i] = this.z[u]!;
    for (let c = 0; c < k; c += 1) for (let c2 = c; c2 < k; c2 += 1) this.chunkW[(c * k + c2) * CHUNK + i] = this.weight[c * k + c2]!;
    this.chunked += 1;
    if (this.chunked === CHUNK) this.addCurvature();
  }

  /**
   * Adds the chunk's W_cc' z zᵀ to each block of the packed curvature: as dot products over the
   * chunk's rows, so the (large) curvature is read and written once per chunk, not once per row.
   */
  private addCurvature(): void {
    const n = this.chunked;
    if (n === 0) return;
    const { features: d, predictors: k } = this.spec;
    const { chunkZ, chunkW, scratch, hessian } = this;
    const width = d + 1;
    let index = 0;
    for (let c = 0; c < k; c += 1) {
      for (let u = 0; u < width; u += 1) {
        const zu = u * CHUNK;
        for (let c2 = c; c2 < k; c2 += 1) {
          const w = (c * k + c2) * CHUNK;
          for (let i = 0; i < n; i += 1) scratch[i] = chunkW[w + i]! * chunkZ[zu + i]!;
          for (let v = c2 === c ? u : 0; v < width; v += 1, index += 1) {
            const zv = v * CHUNK;
            let total = 0;
            for (let i = 0; i < n; i += 1) total += scratch[i]! * chunkZ[zv + i]!;
            hessian[index] = hessian[index]! + total;
          }
        }
      }
    }
    this.chunked = 0;
  }

  result(): GlmSums {
    this.addCurvature();
    return { gradient: this.gradient, hessian: this.hessian, loss: this.loss, rows: this.rows };
  }
}

/** The sums as one vector divided by `scale` (the hub's total rows: every value stays near 1, as secure aggregation's fixed point needs). */
export function sumsToVector(sums: GlmSums, scale: number): Float64Array {
  const vector = new Float64Array(sums.gradient.length + sums.hessian.length + 2);
  vector.set(sums.gradient, 0);
  vector.set(sums.hessian, sums.gradient.length);
  vector[vector.length - 2] = sums.loss;
  vector[vector.length - 1] = sums.rows;
  for (let index = 0; index < vector.length; index += 1) vector[index] = vector[index]! / scale;
  return vector;
}

export function sumsFromVector(spec: GlmSpec, vector: ArrayLike<number>, scale: number): GlmSums {
  const length = sumsLengthOf(spec);
  if (vector.length !== length) throw new RangeError(`the sums of this model have ${length} values, not ${vector.length}`);
  const p = parameterCountOf(spec);
  const scaled = Float64Array.from(vector, (value) => value * scale);
  return {
    gradient: scaled.slice(0, p),
    hessian: scaled.slice(p, p + packedLength(p)),
    loss: scaled[length - 2]!,
    rows: Math.round(scaled[length - 1]!),
  };
}

export function addSums(into: GlmSums, other: GlmSums): void {
  for (let index = 0; index < into.gradient.length; index += 1) into.gradient[index] = into.gradient[index]! + other.gradient[index]!;
  for (let index = 0; index < into.hessian.length; index += 1) into.hessian[index] = into.hessian[index]! + other.hessian[index]!;
  into.loss += other.loss;
  into.rows += other.rows;
}
