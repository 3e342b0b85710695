// What a party agrees to build and train, checked from the model's description and the data's
// dimensions before anything is allocated: a model (from a hostile hub, or a mistaken JSON)
// with billions of parameters or thousands of layers is refused from its JSON, not discovered
// by running out of memory. Both the hub and the workers check.
import { CohortError } from '../contract/errors';
import type { ModelSpec } from '../contract/records';
import type { LayerConfig, ModelShape } from './keras';

export const MODEL_LIMITS = {
  /** Trainable and non-trainable weights together: 40 MB of float32 per copy of the model. */
  maxParameters: 10_000_000,
  /** Layers of a Sequential model (the InputLayer included). */
  maxLayers: 100,
  /** The topology's JSON text: a real one of 100 layers is under 100 KB. */
  maxTopologyBytes: 1024 * 1024,
} as const;

export const DATA_LIMITS = {
  /** Rows x encoded features (or outputs) of one data set given to training: 1 GiB of float32. */
  maxValues: 2 ** 28,
} as const;

function tooLarge(message: string, details: Record<string, unknown>): CohortError {
  return new CohortError('OVER_LIMIT', message, details);
}

/** Refuses a topology whose JSON is over the limit (junk riding along in a layer's config). */
export function checkTopologySize(topology: unknown): void {
  const bytes = typeof topology === 'string' ? Buffer.byteLength(topology) : Buffer.byteLength(JSON.stringify(topology) ?? '');
  if (bytes > MODEL_LIMITS.maxTopologyBytes) {
    throw tooLarge(`the model's JSON is ${bytes.toLocaleString('en-US')} bytes; Cohort reads model topologies of at most ${MODEL_LIMITS.maxTopologyBytes.toLocaleString('en-US')}`, {
      bytes,
      limit: MODEL_LIMITS.maxTopologyBytes,
    });
  }
}

/** Refuses a layer list longer than the limit (called before the layers are even read). */
export function checkLayerCount(count: number): void {
  if (count > MODEL_LIMITS.maxLayers) {
    throw tooLarge(`the model has ${count} layers; Cohort builds models of at most ${MODEL_LIMITS.maxLayers}`, { layers: count, limit: MODEL_LIMITS.maxLayers });
  }
}

const positiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/**
 * The parameters of prepared Keras layers (keras.ts), counted from their configs the way TF.js
 * will allocate them, for inputs of `inputSize` features.
 */
export function kerasParameterCount(layers: readonly LayerConfig[], inputSize: number): number {
  let width = inputSize;
  let total = 0;
  for (const { className, config, position } of layers) {
    switch (className) {
      case 'Dense': {
        if (!positiveInteger(config.units)) throw tooLarge(`layer ${position}, a Dense: its units must be a positive integer, not ${JSON.stringify(config.units ?? null)}`, { layer: position });
        total += width * config.units + (config.useBias === false ? 0 : config.units);
        width = config.units;
        break;
      }
      case 'BatchNormalization':
        // gamma and beta (unless turned off), and the moving mean and variance.
        total += width * ((config.center === false ? 0 : 1) + (config.scale === false ? 0 : 1) + 2);
        break;
      case 'LayerNormalization':
        total += width * ((config.center === false ? 0 : 1) + (config.scale === false ? 0 : 1));
        break;
      default:
        // Dropout, Activation, Flatten, InputLayer: no weights, same width (inputs are flat).
        break;
    }
    if (total > MODEL_LIMITS.maxParameters) break; // no need to count further
  }
  return total;
}

/** The parameters of a preset (logreg, mlp): Dense layers of these sizes, with biases. */
export function presetParameterCount(hidden: readonly number[], shape: ModelShape): number {
  let width = shape.inputSize;
  let total = 0;
  for (const units of [...hidden, shape.outputSize]) {
    total += width * units + units;
    width = units;
  }
  return total;
}

/** Refuses a model whose parameters exceed the limit. `count` is what the model would have. */
export function checkParameterCount(count: number, what = 'the model'): void {
  if (count > MODEL_LIMITS.maxParameters) {
    throw tooLarge(
      `${what} would have ${count > 1e12 ? count.toExponential(2) : count.toLocaleString('en-US')} parameters; Cohort builds models of at most ${MODEL_LIMITS.maxParameters.toLocaleString('en-US')}`,
      { parameters: count, limit: MODEL_LIMITS.maxParameters },
    );
  }
}

/** The preset's parameters checked; Keras topologies are checked as they are prepared (keras.ts). */
export function checkPresetSize(spec: ModelSpec, shape: ModelShape): void {
  if (spec.kind === 'logreg') checkParameterCount(presetParameterCount([], shape));
  else if (spec.kind === 'mlp') {
    checkLayerCount(spec.hidden.length * (spec.dropout > 0 ? 2 : 1) + 1);
    checkParameterCount(presetParameterCount(spec.hidden, shape));
  }
}

/** Refuses a data set that would take more than the limit once encoded. */
export function checkDataSize(rows: number, width: number, what: string): void {
  const values = rows * width;
  if (values > DATA_LIMITS.maxValues) {
    throw tooLarge(
      `${what}: ${rows.toLocaleString('en-US')} rows x ${width.toLocaleString('en-US')} encoded values is over the ${DATA_LIMITS.maxValues.toLocaleString('en-US')} values (1 GiB) a party trains on`,
      { rows, width, limit: DATA_LIMITS.maxValues },
    );
  }
}
