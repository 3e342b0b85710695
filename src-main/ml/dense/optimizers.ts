// TF.js's optimizers over one flat float32 parameter vector, with TF.js's update formulas,
// constants (epsilon 1e-7 on float32 backends) and float32 rounding after every operation.
import { CohortError } from '../../contract/errors';

export interface FlatOptimizer {
  /** Updates `params` in place from `grads` (same length, same layout). */
  step(params: Float32Array, grads: Float32Array): void;
}

export interface OptimizerSettings {
  optimizer: 'sgd' | 'adam' | 'rmsprop';
  learningRate: number;
  momentum: number;
}

const f = Math.fround;
const EPSILON = 1e-7;

export function flatOptimizer(settings: OptimizerSettings, size: number): FlatOptimizer {
  const { learningRate, momentum } = settings;
  switch (settings.optimizer) {
    case 'sgd': {
      const c = f(-learningRate);
      if (momentum > 0) {
        // MomentumOptimizer: a = m*a + g; w = w + c*a.
        const m = f(momentum);
        const accumulation = new Float32Array(size);
        return {
          step(params, grads) {
            for (let i = 0; i < size; i++) {
              const a = f(f(m * accumulation[i]!) + grads[i]!);
              accumulation[i] = a;
              params[i] = f(c * a) + params[i]!;
            }
          },
        };
      }
      // SGDOptimizer: w = c*g + w.
      return {
        step(params, grads) {
          for (let i = 0; i < size; i++) params[i] = f(c * grads[i]!) + params[i]!;
        },
      };
    }
    case 'adam': {
      const beta1 = 0.9;
      const beta2 = 0.999;
      const b1 = f(beta1);
      const b2 = f(beta2);
      const oneMinusB1 = f(1 - beta1);
      const oneMinusB2 = f(1 - beta2);
      const eps = f(EPSILON);
      const c = f(-learningRate);
      const first = new Float32Array(size);
      const second = new Float32Array(size);
      let accBeta1 = b1;
      let accBeta2 = b2;
      return {
        step(params, grads) {
          const correction1 = f(1 - accBeta1);
          const correction2 = f(1 - accBeta2);
          for (let i = 0; i < size; i++) {
            const g = grads[i]!;
            const m = f(f(first[i]! * b1) + f(g * oneMinusB1));
            const v = f(f(second[i]! * b2) + f(f(g * g) * oneMinusB2));
            first[i] = m;
            second[i] = v;
            const update = f(f(m / correction1) / f(f(Math.sqrt(f(v / correction2))) + eps));
            params[i] = f(update * c) + params[i]!;
          }
          accBeta1 = f(accBeta1 * b1);
          accBeta2 = f(accBeta2 * b2);
        },
      };
    }
    case 'rmsprop': {
      // RMSPropOptimizer (not centred), decay 0.9: ms = d*ms + (1-d)*g^2; mom = m*mom + lr*g/sqrt(ms + eps); w -= mom.
      const decay = f(0.9);
      const oneMinusDecay = f(1 - 0.9);
      const m = f(momentum);
      const lr = f(learningRate);
      const eps = f(EPSILON);
      const meanSquare = new Float32Array(size);
      const moments = new Float32Array(size);
      return {
        step(params, grads) {
          for (let i = 0; i < size; i++) {
            const g = grads[i]!;
            const ms = f(f(meanSquare[i]! * decay) + f(f(g * g) * oneMinusDecay));
            const mom = f(f(moments[i]! * m) + f(f(g * lr) / f(Math.sqrt(f(ms + eps)))));
            meanSquare[i] = ms;
            moments[i] = mom;
            params[i] = params[i]! - mom;
          }
        },
      };
    }
    default:
      throw new CohortError('BAD_INPUT', `unknown optimizer ${JSON.stringify((settings as { optimizer: unknown }).optimizer)}`);
  }
}
