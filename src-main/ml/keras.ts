// Keras / TF.js layers JSON, checked and adapted before anything is built from it. A model is
// data: a Sequential stack of a few well-known layer classes. Anything else (Lambda layers,
// custom classes, functional graphs) is refused here, so nothing executable can travel.
import { CohortError } from '../contract/errors';
import { deriveSeed } from '../core/stats/random';
import type { ModelSpec } from '../contract/records';
import { checkLayerCount, checkParameterCount, checkPresetSize, checkTopologySize, kerasParameterCount } from './limits';

export type TargetKind = 'binary' | 'multiclass' | 'regression';

export interface ModelShape {
  /** Features after alignment. */
  inputSize: number;
  /** Model outputs: 1 (binary, regression) or the number of classes (multiclass). */
  outputSize: number;
  target: TargetKind;
}

/** The layer classes a Keras / TF.js JSON model may use. */
export const ALLOWED_LAYERS = [
  'Dense',
  'Dropout',
  'Activation',
  'BatchNormalization',
  'LayerNormalization',
  'InputLayer',
  'Flatten',
] as const;
export type AllowedLayer = (typeof ALLOWED_LAYERS)[number];

/** One layer of a normalised (TF.js-style, camelCase) Sequential topology. */
export interface LayerConfig {
  className: AllowedLayer;
  config: Record<string, unknown>;
  /** 1-based position in the JSON, for messages. */
  position: number;
}

/** The output activation each target needs. */
export function outputActivation(target: TargetKind): 'sigmoid' | 'softmax' | 'linear' {
  return target === 'binary' ? 'sigmoid' : target === 'multiclass' ? 'softmax' : 'linear';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(message: string, details: Record<string, unknown> = {}): CohortError {
  return new CohortError('BAD_INPUT', message, details);
}

function allowedList(): string {
  return ALLOWED_LAYERS.join(', ');
}

/**
 * Finds the Sequential model in what Keras `model.to_json()` or TF.js `model.toJSON()` wrote,
 * or in a TF.js model.json ({ modelTopology }), and checks every layer's class. Returns the
 * layers in TF.js form (camelCase keys), unchanged otherwise.
 */
export function readSequentialLayers(topology: unknown): LayerConfig[] {
  checkTopologySize(topology);
  let model: unknown = topology;
  if (typeof model === 'string') model = parseJson(model);
  if (isObject(model) && 'modelTopology' in model) model = model.modelTopology;
  if (typeof model === 'string') model = parseJson(model);
  if (isObject(model) && isObject(model.model_config)) model = model.model_config;
  if (isObject(model) && isObject(model.modelConfig)) model = model.modelConfig;
  if (!isObject(model)) throw bad('the model topology must be a JSON object (what model.to_json() or model.toJSON() writes)');

  const className = model.class_name ?? model.className;
  if (className !== 'Sequential') {
    if (className === 'Model' || className === 'Functional') {
      throw bad(
        `functional models are not accepted: only Sequential models (a plain stack of ${allowedList()} layers) are. ` +
          'Rebuild it as keras.Sequential([...]).',
        { className },
      );
    }
    throw bad(
      `model class ${JSON.stringify(className ?? null)} is not accepted: only Sequential models of ${allowedList()} layers are`,
      { className },
    );
  }
  // Older Keras wrote the layer list as the config itself.
  const config = model.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw bad('the Sequential model has no layers');
  checkLayerCount(layers.length);

  return layers.map((layer, index) => {
    if (!isObject(layer)) throw bad(`layer ${index + 1} is not a JSON object`);
    const layerClass = layer.class_name ?? layer.className;
    const layerConfig = layer.config ?? {};
    const name = isObject(layerConfig) && typeof layerConfig.name === 'string' ? layerConfig.name : undefined;
    const label = `layer ${index + 1}${name === undefined ? '' : ` ("${name}")`}`;
    if (typeof layerClass !== 'string' || !(ALLOWED_LAYERS as readonly string[]).includes(layerClass)) {
      const what = typeof layerClass === 'string' ? `class ${layerClass}` : 'no class name';
      throw bad(`${label} has ${what}, which is not allowed: a model may only use ${allowedList()} layers`, {
        layer: name ?? null,
        className: layerClass ?? null,
        allowed: [...ALLOWED_LAYERS],
      });
    }
    if (!isObject(layerConfig)) throw bad(`${label}: its config must be a JSON object`);
    return { className: layerClass as AllowedLayer, config: pythonicToTs(layerConfig) as Json, position: index + 1 };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw bad(`the model topology is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Keras writes snake_case keys and values ("kernel_initializer": "glorot_uniform"); TF.js
 * reads camelCase. The same conversion TF.js applies when it loads a Keras model: keys and
 * string values become camelCase, except names, which are kept as written.
 */
function pythonicToTs(value: unknown): unknown {
  if (typeof value === 'string') return toCamelCase(value);
  if (Array.isArray(value)) return value.map(pythonicToTs);
  if (!isObject(value)) return value;
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'name' && typeof item === 'string') result[key] = item;
    else result[toCamelCase(key)] = pythonicToTs(item);
  }
  return result;
}

function toCamelCase(identifier: string): string {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/_+(\w|$)/g, (_match, next: string) => next.toUpperCase());
}

/** Keras initialiser names that TF.js spells differently. */
const INITIALIZER_ALIASES: Record<string, string> = {
  LecunNormal: 'LeCunNormal',
  LecunUniform: 'LeCunUniform',
  lecunNormal: 'LeCunNormal',
  lecunUniform: 'LeCunUniform',
  leCunNormal: 'LeCunNormal',
  leCunUniform: 'LeCunUniform',
  glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal',
  heUniform: 'HeUniform',
  heNormal: 'HeNormal',
  randomUniform: 'RandomUniform',
  randomNormal: 'RandomNormal',
  truncatedNormal: 'TruncatedNormal',
  orthogonal: 'Orthogonal',
  varianceScaling: 'VarianceScaling',
};

/** Initialisers that draw random numbers, and so take a seed. */
const RANDOM_INITIALIZERS = new Set([
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LeCunUniform',
  'LeCunNormal',
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'Orthogonal',
  'VarianceScaling',
]);

/**
 * Gives every random initialiser of a layer its own seed, derived from the model seed and the
 * layer's position, so the same seed always gives the same initial weights.
 */
function seedInitializers(config: Json, seed: number, layerIndex: number, className: AllowedLayer): void {
  if (className === 'Dense' && config.kernelInitializer === undefined) config.kernelInitializer = 'glorotUniform';
  let slot = 0;
  for (const key of Object.keys(config).sort()) {
    if (!key.endsWith('Initializer')) continue;
    slot += 1;
    const value = config[key];
    const layerSeed = deriveSeed(seed, layerIndex, slot);
    if (typeof value === 'string') {
      const name = INITIALIZER_ALIASES[value] ?? value;
      if (RANDOM_INITIALIZERS.has(name)) config[key] = { className: name, config: { seed: layerSeed } };
    } else if (isObject(value) && typeof value.className === 'string') {
      const name = INITIALIZER_ALIASES[value.className] ?? value.className;
      const inner = isObject(value.config) ? { ...value.config } : {};
      if (RANDOM_INITIALIZERS.has(name)) inner.seed = layerSeed;
      config[key] = { className: name, config: inner };
    }
  }
}

/** Keras's L1 / L2 regularisers, which TF.js only knows as L1L2. */
function normaliseRegularizers(config: Json): void {
  for (const key of Object.keys(config)) {
    if (!key.endsWith('Regularizer')) continue;
    const value = config[key];
    if (!isObject(value) || typeof value.className !== 'string') continue;
    const inner = isObject(value.config) ? value.config : {};
    if (value.className === 'L2' || value.className === 'l2') {
      config[key] = { className: 'L1L2', config: { l1: 0, l2: Number(inner.l2 ?? 0.01) } };
    } else if (value.className === 'L1' || value.className === 'l1') {
      config[key] = { className: 'L1L2', config: { l1: Number(inner.l1 ?? 0.01), l2: 0 } };
    }
  }
}

const INPUT_KEYS = ['inputShape', 'batchInputShape', 'batchShape', 'inputDim', 'batchSize'];

/**
 * Checks a Keras / TF.js Sequential topology and adapts it to the aligned data: the input size
 * becomes `shape.inputSize`, the last Dense layer gets `shape.outputSize` units, and the output
 * activation becomes the one the target needs (sigmoid, softmax or linear), applied once.
 * Random initialisers are seeded. Returns TF.js layer configs ready to instantiate.
 */
export function prepareKerasLayers(topology: unknown, shape: ModelShape, seed: number): LayerConfig[] {
  const layers = readSequentialLayers(topology).map((layer) => ({ ...layer, config: structuredClone(layer.config) }));
  layers.forEach((layer, index) => {
    if (layer.className === 'InputLayer' && index !== 0) {
      throw bad(`layer ${index + 1} is an InputLayer: only the first layer of a Sequential model may be one`);
    }
  });
  // The input size is set on the first real layer, so a leading InputLayer (always written by
  // Keras 3, optional elsewhere) is dropped: the same model either way.
  if (layers[0]?.className === 'InputLayer') layers.shift();
  if (layers.length === 0) throw bad('the Sequential model has no layers besides its InputLayer');

  layers.forEach((layer, index) => {
    const { config, position } = layer;
    // Keras 3 writes the dtype as a policy object; TF.js wants the plain name.
    if (isObject(config.dtype)) {
      const policy = config.dtype.config;
      config.dtype = isObject(policy) && typeof policy.name === 'string' ? policy.name : 'float32';
    }
    if (config.dtype !== undefined && config.dtype !== 'float32') {
      throw bad(`layer ${position}: dtype ${JSON.stringify(config.dtype)} is not supported, only float32`);
    }
    // Keras 3 writes these even when they are off; TF.js knows neither.
    for (const key of ['sparse', 'ragged', 'rmsScaling', 'quantizationConfig', 'loraRank', 'loraAlpha', 'synchronized']) {
      if (config[key] === false || config[key] === null) delete config[key];
    }
    if (layer.className === 'BatchNormalization' && Array.isArray(config.axis) && config.axis.length === 1) {
      config.axis = config.axis[0];
    }
    // The input size is set on the first layer only.
    for (const key of INPUT_KEYS) delete config[key];
    normaliseRegularizers(config);
    seedInitializers(config, seed, index, layer.className);
  });

  const first = layers[0] as LayerConfig;
  first.config.batchInputShape = [null, shape.inputSize];

  let lastDense = -1;
  layers.forEach((layer, index) => {
    if (layer.className === 'Dense') lastDense = index;
  });
  if (lastDense < 0) throw bad('the model has no Dense layer: its last Dense layer is the output layer');
  const output = layers[lastDense] as LayerConfig;
  output.config.units = shape.outputSize;

  // Counted from the configs, before TF.js allocates a single weight.
  checkParameterCount(kerasParameterCount(layers, shape.inputSize));

  const after = layers.slice(lastDense + 1);
  const stray = after.find((layer) => layer.className !== 'Dropout' && layer.className !== 'Activation');
  if (stray) {
    throw bad(
      `the last Dense layer is the output layer: only Dropout and Activation layers may follow it, not ${stray.className}`,
    );
  }
  const activations = after.filter((layer) => layer.className === 'Activation');
  const activation = outputActivation(shape.target);
  if (activations.length === 0) {
    output.config.activation = activation;
  } else {
    output.config.activation = 'linear';
    activations.forEach((layer, index) => {
      layer.config.activation = index === activations.length - 1 ? activation : 'linear';
    });
  }
  return layers;
}

/**
 * Refuses a model over the limits (limits.ts) from its description alone: no TF.js, nothing
 * allocated. For a party to check a model before it starts a training thread for it.
 */
export function checkModelSize(spec: ModelSpec, shape: ModelShape): void {
  if (spec.kind === 'keras') prepareKerasLayers(spec.topology, shape, 0);
  else checkPresetSize(spec, shape);
}
