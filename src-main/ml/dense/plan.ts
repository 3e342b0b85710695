// Which models the dense fast path trains, read off the built TF.js model: a stack of Dense
// layers (linear, relu, sigmoid, tanh or softmax; with or without bias) and Dropout layers,
// without regularisers, whose weights are all trainable and laid out kernel then bias, layer
// by layer (the flat vector's documented order). Anything else trains through TF.js.
import type { LayersModel } from '../tf';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export interface DenseStep {
  kind: 'dense';
  inputs: number;
  units: number;
  activation: ActivationName;
  /** Offsets of the kernel (inputs x units, row-major) and bias in the flat weight vector. */
  kernel: number;
  bias: number | null;
}

export interface DropoutStep {
  kind: 'dropout';
  rate: number;
  width: number;
  /** Its position among the model's Dropout layers (which the seeds of its masks follow). */
  index: number;
}

export type Step = DenseStep | DropoutStep;

export interface DensePlan {
  steps: Step[];
  inputs: number;
  outputs: number;
  parameterCount: number;
  /** [start, end) of every kernel in the flat vector: L2 applies to these only. */
  kernels: Array<[number, number]>;
}

interface LayerLike {
  getClassName(): string;
  name: string;
}
interface DenseLike extends LayerLike {
  units: number;
  useBias: boolean;
  activation: { getClassName(): string };
  kernel: unknown;
  bias: unknown;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
}

/** The plan, or why this model is not for the fast path. */
export function densePlan(model: LayersModel): DensePlan | { unsupported: string } {
  const offsets = new Map<unknown, number>();
  let count = 0;
  for (const weight of model.weights) {
    if (!weight.trainable) return { unsupported: `weight ${weight.originalName} is not trainable` };
    offsets.set(weight, count);
    count += weight.shape.reduce((size: number, dim) => size * (dim ?? 0), 1);
  }
  const input = model.inputs[0]?.shape;
  if (!input || input.length !== 2) return { unsupported: 'the input is not a flat vector' };
  let width = Number(input[1]);
  const steps: Step[] = [];
  const kernels: Array<[number, number]> = [];
  let dropouts = 0;
  /** Where the next Dense layer's kernel must start. */
  let next = 0;
  for (const layer of model.layers as unknown as LayerLike[]) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer' || kind === 'Flatten') continue;
    if (kind === 'Dropout') {
      const { rate, noiseShape } = layer as unknown as { rate: number; noiseShape?: unknown };
      if (noiseShape != null) return { unsupported: `${layer.name} has a noise shape` };
      steps.push({ kind: 'dropout', rate, width, index: dropouts++ });
      continue;
    }
    if (kind === 'Activation') {
      const previous = steps.at(-1);
      const activation = (layer as unknown as DenseLike).activation.getClassName();
      // Folded into the Dense layer just before it, when that one is linear.
      if (previous?.kind !== 'dense' || previous.activation !== 'linear' || !ACTIVATIONS.includes(activation)) {
        return { unsupported: `${layer.name}: an Activation layer that does not follow a linear Dense layer` };
      }
      previous.activation = activation as ActivationName;
      continue;
    }
    if (kind !== 'Dense') return { unsupported: `${layer.name} is a ${kind} layer` };
    const dense = layer as unknown as DenseLike;
    if (dense.kernelRegularizer || dense.biasRegularizer || dense.activityRegularizer) return { unsupported: `${layer.name} has a regulariser` };
    const activation = dense.activation.getClassName();
    if (!ACTIVATIONS.includes(activation)) return { unsupported: `${layer.name} uses the ${activation} activation` };
    const kernel = offsets.get(dense.kernel);
    const bias = dense.useBias ? offsets.get(dense.bias) : null;
    if (kernel === undefined || bias === undefined) return { unsupported: `${layer.name}'s weights are not among the model's` };
    // The flat layout must be kernel then bias, layer after layer.
    if (kernel !== next) return { unsupported: 'the weights are not laid out layer by layer' };
    next = kernel + width * dense.units;
    if (bias !== null) {
      if (bias !== next) return { unsupported: 'the weights are not laid out layer by layer' };
      next += dense.units;
    }
    steps.push({ kind: 'dense', inputs: width, units: dense.units, activation: activation as ActivationName, kernel, bias });
    kernels.push([kernel, kernel + width * dense.units]);
    width = dense.units;
  }
  const last = steps.filter((step): step is DenseStep => step.kind === 'dense').at(-1);
  if (!last) return { unsupported: 'the model has no Dense layer' };
  if (steps.some((step) => step.kind === 'dense' && step.activation === 'softmax' && step !== last)) return { unsupported: 'softmax before the output layer' };
  if (next !== count) return { unsupported: 'the weights are not laid out layer by layer' };
  return { steps, inputs: Number(input[1]), outputs: width, parameterCount: count, kernels };
}
