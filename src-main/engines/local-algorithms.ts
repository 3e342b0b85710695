// What a participant's side of the run's algorithm adds to a local fit, beyond the weights.
// Most algorithms add nothing. SCAFFOLD keeps this party's control variate c_i (its own files,
// per round, so a restarted worker keeps it and a round the hub redoes starts from the same
// c_i), corrects every gradient step by (c - c_i), and returns the change of c_i beside the
// update (core/strategies/scaffold.ts has the maths and the server's half).
import type { Hyperparameters } from '../contract/records';
import { CohortError } from '../contract/errors';
import { floatTensor, TENSOR, type Tensors } from '../contract/tensors';
import type { RoundVectors } from './ports';

export interface LocalFitExtras {
  /** Added to every gradient at every step. */
  correction?: Float32Array;
}

export interface LocalAlgorithm {
  /** The tensors returned beside the update, in this order (secure aggregation packs them so). */
  readonly replyTensors: readonly string[];
  /** The fit's extra settings, from the tensors the hub sent with the global weights (refused when they do not fit the plan). */
  beforeFit(round: number, tensors: Tensors, length: number): Promise<LocalFitExtras>;
  /** The tensors returned beside the update, once the fit from `global` gave `trained`. */
  afterFit(round: number, global: Float32Array, trained: { weights: Float32Array; steps: number }, learningRate: number): Promise<Record<string, Float32Array>>;
}

const plainAlgorithm: LocalAlgorithm = {
  replyTensors: [],
  beforeFit: async (_round, tensors) => {
    const extra = Object.keys(tensors).find((name) => name !== TENSOR.weights);
    if (extra !== undefined) throw new CohortError('INSTRUCTION_REFUSED', `this run's algorithm takes no "${extra}" tensor`);
    return {};
  },
  afterFit: async () => ({}),
};

export function localAlgorithmFor(h: Pick<Hyperparameters, 'algorithm'>, state: RoundVectors): LocalAlgorithm {
  return h.algorithm === 'scaffold' ? new ScaffoldClient(state) : plainAlgorithm;
}

const CONTROL_FILE = 'control';

class ScaffoldClient implements LocalAlgorithm {
  readonly replyTensors = [TENSOR.controlDelta];
  /** Per round in progress: the server's control c and this party's c_i it trained with. */
  private readonly rounds = new Map<number, { server: Float32Array; own: Float32Array }>();

  constructor(private readonly state: RoundVectors) {}

  async beforeFit(round: number, tensors: Tensors, length: number): Promise<LocalFitExtras> {
    const extra = Object.keys(tensors).find((name) => name !== TENSOR.weights && name !== TENSOR.control);
    if (extra !== undefined) throw new CohortError('INSTRUCTION_REFUSED', `SCAFFOLD takes no "${extra}" tensor`);
    let server: Float32Array;
    try {
      server = floatTensor(tensors, TENSOR.control, length);
    } catch (error) {
      throw new CohortError('INSTRUCTION_REFUSED', `SCAFFOLD needs the server's control variate: ${(error as Error).message}`);
    }
    const bad = server.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new CohortError('INSTRUCTION_REFUSED', `the server's control variate holds ${server[bad]} at index ${bad}`);
    const own = (await this.state.latestBefore(CONTROL_FILE, round, length)) ?? new Float32Array(length);
    this.rounds.set(round, { server: Float32Array.from(server), own });
    const correction = new Float32Array(length);
    for (let index = 0; index < length; index += 1) correction[index] = server[index]! - own[index]!;
    return { correction };
  }

  async afterFit(round: number, global: Float32Array, trained: { weights: Float32Array; steps: number }, learningRate: number): Promise<Record<string, Float32Array>> {
    const started = this.rounds.get(round);
    if (!started) throw new CohortError('INTERNAL', `round ${round} was not started`);
    this.rounds.delete(round);
    const { server, own } = started;
    // Option II: c_i+ = c_i - c + (x - y) / (K * eta_l); the reply is c_i+ - c_i.
    const scale = 1 / (Math.max(1, trained.steps) * learningRate);
    const next = new Float32Array(own.length);
    const delta = new Float32Array(own.length);
    for (let index = 0; index < own.length; index += 1) {
      const value = own[index]! - server[index]! + (global[index]! - trained.weights[index]!) * scale;
      next[index] = value;
      delta[index] = value - own[index]!;
    }
    await this.state.save(CONTROL_FILE, round, next);
    return { [TENSOR.controlDelta]: delta };
  }
}
