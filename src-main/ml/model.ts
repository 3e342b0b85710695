// Builds TF.js layers models from a declarative ModelSpec: the presets (logistic regression,
// multilayer perceptron) or a checked Keras / TF.js Sequential JSON (see keras.ts).
import type { ModelSpec } from '../contract/records';
import { CohortError } from '../contract/errors';
import { requireBackend } from './backend';
import { type AllowedLayer, type LayerConfig, type ModelShape, outputActivation, prepareKerasLayers } from './keras';
import { deriveSeed } from '../core/stats/random';
import { checkPresetSize } from './limits';
import { type LayersModel, tfl } from './tf';

export { ALLOWED_LAYERS, outputActivation } from './keras';
export { DATA_LIMITS, MODEL_LIMITS } from './limits';
export type { ModelShape, TargetKind } from './keras';

/**
 * A model for `shape`, with its initial weights drawn from `seed`: the same spec, shape and seed
 * always give the same model with the same weights. Requires a selected backend.
 */
export function buildModel(spec: ModelSpec, shape: ModelShape, seed: number): LayersModel {
  requireBackend();
  checkShape(shape);
  if (!Number.isInteger(seed) || seed < 0) throw new CohortError('BAD_INPUT', `the seed must be a non-negative integer, not ${seed}`);
  checkPresetSize(spec, shape);
  switch (spec.kind) {
    case 'logreg':
      return presetModel([], 'linear', 0, shape, seed);
    case 'mlp':
      return presetModel(spec.hidden, spec.activation, spec.dropout, shape, seed);
    case 'keras':
      return kerasModel(prepareKerasLayers(spec.topology, shape, seed));
    default:
      throw new CohortError('BAD_INPUT', `unknown model kind ${JSON.stringify((spec as { kind?: unknown }).kind ?? null)}: use logreg, mlp or keras`);
  }
}

function checkShape(shape: ModelShape): void {
  for (const key of ['inputSize', 'outputSize'] as const) {
    if (!Number.isInteger(shape[key]) || shape[key] < 1) {
      throw new CohortError('BAD_INPUT', `the model's ${key} must be a positive integer, not ${shape[key]}`);
    }
  }
  if (shape.target !== 'multiclass' && shape.outputSize !== 1) {
    throw new CohortError('BAD_INPUT', `a ${shape.target} model has one output, not ${shape.outputSize}`);
  }
}

/**
 * logreg: one Dense(outputSize). mlp: Dense(h, activation) [+ Dropout] per hidden size, then
 * Dense(outputSize). Layer names are stable ("hidden_1", "dropout_1", ..., "output"), so the
 * weight layout reads the same in every process.
 */
function presetModel(
  hidden: readonly number[],
  activation: string,
  dropout: number,
  shape: ModelShape,
  seed: number,
): LayersModel {
  const model = tfl.sequential({ name: hidden.length === 0 ? 'logreg' : 'mlp' });
  let layerIndex = 0;
  hidden.forEach((units, index) => {
    model.add(
      tfl.layers.dense({
        name: `hidden_${index + 1}`,
        units,
        activation: activation as 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, layerIndex, 1) }),
        ...(index === 0 ? { inputShape: [shape.inputSize] } : {}),
      }),
    );
    layerIndex += 1;
    if (dropout > 0) {
      model.add(tfl.layers.dropout({ name: `dropout_${index + 1}`, rate: dropout }));
      layerIndex += 1;
    }
  });
  model.add(
    tfl.layers.dense({
      name: 'output',
      units: shape.outputSize,
      activation: outputActivation(shape.target),
      kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, layerIndex, 1) }),
      ...(hidden.length === 0 ? { inputShape: [shape.inputSize] } : {}),
    }),
  );
  return model;
}

type LayerFactory = (config: Record<string, unknown>) => Parameters<tfl.Sequential['add']>[0];

/** The whitelist made concrete: one TF.js factory per allowed class, and nothing else. */
const FACTORIES: Record<AllowedLayer, LayerFactory> = {
  Dense: (config) => tfl.layers.dense(config as unknown as Parameters<typeof tfl.layers.dense>[0]),
  Dropout: (config) => tfl.layers.dropout(config as unknown as Parameters<typeof tfl.layers.dropout>[0]),
  Activation: (config) => tfl.layers.activation(config as unknown as Parameters<typeof tfl.layers.activation>[0]),
  BatchNormalization: (config) =>
    tfl.layers.batchNormalization(config as unknown as Parameters<typeof tfl.layers.batchNormalization>[0]),
  LayerNormalization: (config) =>
    tfl.layers.layerNormalization(config as unknown as Parameters<typeof tfl.layers.layerNormalization>[0]),
  InputLayer: (config) => tfl.layers.inputLayer(config as unknown as Parameters<typeof tfl.layers.inputLayer>[0]),
  Flatten: (config) => tfl.layers.flatten(config as unknown as Parameters<typeof tfl.layers.flatten>[0]),
};

function kerasModel(layers: LayerConfig[]): LayersModel {
  const model = tfl.sequential();
  for (const layer of layers) {
    try {
      model.add(FACTORIES[layer.className](layer.config));
    } catch (error) {
      model.dispose();
      const name = typeof layer.config.name === 'string' ? ` ("${layer.config.name}")` : '';
      const reason = error instanceof Error ? error.message : String(error);
      throw new CohortError('BAD_INPUT', `layer ${layer.position}${name}, a ${layer.className}, cannot be built: ${reason}`);
    }
  }
  return model;
}

/** All parameters, trainable or not (the length of the flat weight vector). */
export function parameterCount(model: LayersModel): number {
  return model.countParams();
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Without the batch dimension's null, e.g. [64] for a Dense(64). */
  outputShape: number[];
  params: number;
}

/** One row per layer, for the UI's layer table. */
export function layerSummary(model: LayersModel): LayerSummary[] {
  return model.layers.map((layer) => {
    const shape = layer.outputShape;
    const single = (Array.isArray(shape[0]) ? shape[0] : shape) as Array<number | null>;
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: single.filter((size): size is number => size !== null),
      params: layer.countParams(),
    };
  });
}
