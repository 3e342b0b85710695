// Models and training settings in plain words, for people who decide about runs without
// being machine-learning engineers.
import { usesExactSolver, type Algorithm, type Hyperparameters, type ModelSpec, type Privacy, type TagKind } from '../../../src-main/contract/records';
import { formatDelta, formatEpsilon, formatNumber } from './format';

export const ALGORITHM_NAMES: Record<Algorithm, string> = {
  fedavg: 'FedAvg',
  fedprox: 'FedProx',
  fedavgm: 'FedAvgM',
  fedadam: 'FedAdam',
  fedyogi: 'FedYogi',
  fedadagrad: 'FedAdagrad',
  scaffold: 'SCAFFOLD',
  fedmedian: 'FedMedian',
  trimmedmean: 'Trimmed mean',
  krum: 'Krum',
  multikrum: 'Multi-Krum',
};

const ALGORITHM_PLAIN: Record<Algorithm, string> = {
  fedavg: 'the hospitals’ model updates are averaged',
  fedprox: 'updates are averaged, and each hospital is kept close to the shared model',
  fedavgm: 'updates are averaged, with momentum added by the orchestrator',
  fedadam: 'the orchestrator combines the updates with the Adam optimiser',
  fedyogi: 'the orchestrator combines the updates with the Yogi optimiser',
  fedadagrad: 'the orchestrator combines the updates with the Adagrad optimiser',
  scaffold: 'updates are averaged, and each hospital corrects its training for how its data differ from the others’',
  fedmedian: 'the orchestrator takes, weight by weight, the middle value of the hospitals’ updates, so one bad update cannot pull the model',
  trimmedmean: 'the orchestrator drops the most extreme updates, weight by weight, and averages the rest',
  krum: 'the orchestrator keeps the one update most like the others, and ignores outliers',
  multikrum: 'the orchestrator averages the updates most like the others, and ignores outliers',
};

export const TAG_KIND_LABELS: Record<TagKind, string> = {
  train: 'Training data',
  evaluate: 'Evaluation data',
  predict: 'Prediction data',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The layer classes of a Keras / TF.js Sequential topology, as far as they can be read. */
export function kerasLayerClasses(topology: unknown): string[] | undefined {
  let model: unknown = topology;
  try {
    if (typeof model === 'string') model = JSON.parse(model);
    if (isObject(model) && 'modelTopology' in model) model = model.modelTopology;
    if (typeof model === 'string') model = JSON.parse(model);
  } catch {
    return undefined;
  }
  if (isObject(model) && isObject(model.model_config)) model = model.model_config;
  if (isObject(model) && isObject(model.modelConfig)) model = model.modelConfig;
  if (!isObject(model)) return undefined;
  const config = model.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers)) return undefined;
  return layers.map((layer) => (isObject(layer) ? String(layer.class_name ?? layer.className ?? 'unknown') : 'unknown'));
}

/** A model's name and one sentence on its shape. */
export function describeModel(model: ModelSpec): { name: string; detail: string } {
  switch (model.kind) {
    case 'logreg':
      return { name: 'Logistic regression', detail: 'A simple linear model: one weight per input column.' };
    case 'mlp': {
      const count = model.hidden.length;
      const units = model.hidden.join(', ');
      const dropout = model.dropout > 0 ? ` · dropout ${formatNumber(model.dropout)}` : '';
      return {
        name: 'Neural network (MLP)',
        detail: `${count} hidden layer${count === 1 ? '' : 's'} of ${units} units · ${model.activation} activation${dropout}`,
      };
    }
    case 'keras': {
      const classes = kerasLayerClasses(model.topology);
      if (!classes) return { name: 'Custom Keras model', detail: 'A layer stack defined by the orchestrator.' };
      const shown = classes.filter((name) => name !== 'InputLayer');
      return { name: 'Custom Keras model', detail: `${shown.length} layer${shown.length === 1 ? '' : 's'}: ${shown.join(', ')}` };
    }
  }
}

/** The settings of a run a data owner cares about, as label / value / explanation rows. */
export function describeHyperparameters(h: Hyperparameters, model?: ModelSpec): Array<{ label: string; value: string; hint: string }> {
  if (model && usesExactSolver(model, h)) {
    return [
      {
        label: 'Fitting',
        value: 'Exact',
        hint: 'each round your computer sends sums over your training rows (of the model’s error, its gradient and its curvature) instead of a trained model; together they give the model that pooling every hospital’s rows would give',
      },
      { label: 'Rounds', value: `at most ${h.rounds}`, hint: 'The fit stops when it has converged, usually in under 10 rounds.' },
      { label: 'Penalty', value: formatNumber(h.penalty), hint: 'How strongly the coefficients are shrunk towards zero.' },
    ];
  }
  const rows = [
    { label: 'Rounds', value: `${h.rounds}`, hint: 'Each round, every hospital trains on its own data and sends back only the model update.' },
    {
      label: 'Local epochs',
      value: `${h.epochs} pass${h.epochs === 1 ? '' : 'es'} per round`,
      hint: 'How many times your training rows are gone through in each round.',
    },
    { label: 'Learning rate', value: formatNumber(h.learningRate), hint: 'How large each training step is.' },
    { label: 'Algorithm', value: ALGORITHM_NAMES[h.algorithm], hint: ALGORITHM_PLAIN[h.algorithm] },
    { label: 'Batch size', value: `${h.batchSize} rows`, hint: 'Rows used for each training step.' },
    {
      label: 'Optimiser',
      value: h.optimizer === 'sgd' ? `SGD${h.momentum > 0 ? `, momentum ${formatNumber(h.momentum)}` : ''}` : h.optimizer === 'adam' ? 'Adam' : 'RMSprop',
      hint: 'How your computer updates the model from your rows.',
    },
  ];
  if (h.earlyStopping) {
    rows.push({
      label: 'Early stopping',
      value: `after ${h.earlyStopping.patience} round${h.earlyStopping.patience === 1 ? '' : 's'} without improvement`,
      hint:
        'The run may end before its last round. Your computer keeps 15 % of your training rows aside (never trained on, never your evaluation rows) ' +
        'and, with each model update, also sends one number: the loss of the model it received on those rows — only when they are at least your ' +
        'minimum cell count, and never with differential privacy.',
    });
  }
  return rows;
}

/** How a run protects the model updates it collects, as short statements a data owner can weigh. */
export function describePrivacy(privacy: Privacy | undefined): Array<{ label: string; value: string; hint: string; protective: boolean }> {
  const p: Privacy = privacy ?? { secureAggregation: false, dp: 'off', clip: 1, noiseMultiplier: 1, targetEpsilon: null, delta: 1e-5 };
  const rows = [
    p.secureAggregation
      ? {
          label: 'Secure aggregation',
          value: 'on — the orchestrator sees only the sum of all hospitals’ updates',
          hint: 'Your update is masked before it leaves this computer; the masks cancel out only when all updates are added up. Each round needs at least 2 hospitals, and completes if more than half of them reply.',
          protective: true,
        }
      : {
          label: 'Secure aggregation',
          value: 'off — the orchestrator sees each hospital’s update',
          hint: 'The orchestrator receives your model update on its own (never your rows).',
          protective: false,
        },
  ];
  if (p.dp === 'off') {
    rows.push({
      label: 'Differential privacy',
      value: 'off — no noise is added to the updates',
      hint: 'No ε is measured: nothing bounds what the trained model could reveal about your data.',
      protective: false,
    });
    return rows;
  }
  const budget = p.targetEpsilon === null ? `no ε limit (δ = ${formatDelta(p.delta)})` : `stops at ${formatEpsilon(p.targetEpsilon, p.delta)}`;
  const deviation = `standard deviation σ × C = ${formatNumber(p.clip * p.noiseMultiplier)}`;
  const where =
    p.dp === 'local'
      ? `this computer adds noise (${deviation}) to it before it leaves, so no one sees your update without noise. Stronger protection, at some cost in accuracy.`
      : p.secureAggregation
        ? `the hospitals add noise (${deviation}) to the sum in shares, so the orchestrator sees only the noisy sum.`
        : `the orchestrator adds noise (${deviation}) to the sum of the updates, so the trained model reveals little about any one hospital’s data.`;
  const limit =
    p.targetEpsilon === null
      ? ' ε measures the privacy spent (lower is more private); no limit is set, so it grows with every round.'
      : ` ε measures the privacy spent (lower is more private); training stops before a round would spend more than ε = ${formatNumber(p.targetEpsilon, 3)}.`;
  rows.push({
    label: 'Differential privacy',
    value: `${p.dp}, C = ${formatNumber(p.clip)}, σ = ${formatNumber(p.noiseMultiplier)}, ${budget}`,
    hint: `Your update is clipped to size ${formatNumber(p.clip)}, then ${where}${limit}`,
    protective: true,
  });
  return rows;
}
