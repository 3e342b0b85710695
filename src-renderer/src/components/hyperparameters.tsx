// A run's settings for the orchestrator: every hyperparameter that applies to its algorithm, and
// how its updates are protected (describe.ts has the shorter, plain-words version shown to data owners).
import { DataList, SimpleGrid } from '@mantine/core';
import { usesExactSolver, type Algorithm, type Hyperparameters, type ModelSpec } from '../../../src-main/contract/records';
import { ALGORITHM_NAMES, describeModel } from './describe';
import { formatNumber } from './format';
import { privacyEntries } from './privacy';

const OPTIMIZER_LABELS: Record<Hyperparameters['optimizer'], string> = { sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop' };

const LOSS_LABELS: Record<Hyperparameters['loss'], string> = {
  auto: 'Automatic (from the task)',
  binaryCrossentropy: 'Binary cross-entropy',
  categoricalCrossentropy: 'Categorical cross-entropy',
  mse: 'Mean squared error',
  mae: 'Mean absolute error',
};

export function optimizerLabel(hyperparameters: Hyperparameters): string {
  const { optimizer, momentum } = hyperparameters;
  return optimizer === 'sgd' && momentum > 0 ? `SGD, momentum ${momentum}` : OPTIMIZER_LABELS[optimizer];
}

const SERVER_OPTIMISED: readonly Algorithm[] = ['fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'];

/** [label, value] pairs of the settings that matter for this algorithm (or for the exact fit of a regression). */
export function hyperparameterEntries(hyperparameters: Hyperparameters, model?: ModelSpec): Array<[string, string]> {
  const h = hyperparameters;
  if (model && usesExactSolver(model, h)) {
    return [
      ['Fitting', 'Exact: the pooled rows’ model, from the hospitals’ sums'],
      ['Penalty', h.penalty === 0 ? 'None (maximum likelihood)' : `${formatNumber(h.penalty)} (scikit-learn’s C = ${formatNumber(1 / h.penalty)})`],
      ['Most rounds', String(h.rounds)],
      ['Minimum participants', String(h.minClients)],
      ['Round timeout', `${formatNumber(h.roundTimeoutSeconds)} s`],
      ['Seed', String(h.seed)],
      ...privacyEntries(h.privacy),
    ];
  }
  const entries: Array<[string, string]> = [
    ...(model?.kind === 'logreg' ? ([['Fitting', 'Gradient steps']] as Array<[string, string]>) : []),
    ['Algorithm', ALGORITHM_NAMES[h.algorithm]],
    ['Rounds', String(h.rounds)],
    ['Local epochs per round', String(h.epochs)],
    ['Batch size', String(h.batchSize)],
    ['Learning rate', formatNumber(h.learningRate)],
    ['Optimizer', optimizerLabel(h)],
    ['Loss', LOSS_LABELS[h.loss]],
  ];
  if (h.l2 > 0) entries.push(['L2 regularisation', formatNumber(h.l2)]);
  if (h.algorithm === 'fedprox') entries.push(['Proximal weight (μ)', formatNumber(h.mu)]);
  if (SERVER_OPTIMISED.includes(h.algorithm)) {
    entries.push(['Server learning rate', formatNumber(h.serverLearningRate)]);
    entries.push([h.algorithm === 'fedavgm' ? 'Server momentum' : 'Server β₁', formatNumber(h.serverMomentum)]);
    if (h.algorithm !== 'fedavgm') {
      entries.push(['Server β₂', formatNumber(h.beta2)]);
      entries.push(['Adaptivity (τ)', formatNumber(h.tau)]);
    }
  }
  if (h.algorithm === 'trimmedmean') entries.push(['Share trimmed from each end', `${formatNumber(h.trimBeta * 100)} %`]);
  if (h.algorithm === 'krum' || h.algorithm === 'multikrum') entries.push(['Faulty hospitals tolerated', String(h.byzantine)]);
  if (h.normBound !== null) entries.push(['Update size limit (norm bound)', formatNumber(h.normBound)]);
  if (h.compression !== 'none') entries.push(['Compressed updates', compressionLabel(h)]);
  entries.push(
    ['Participants per round', h.fractionFit === 1 ? 'All' : `${Math.round(h.fractionFit * 100)} %`],
    ['Minimum participants', String(h.minClients)],
    ['Round timeout', `${formatNumber(h.roundTimeoutSeconds)} s`],
    ['Evaluate', h.evaluateEvery === 0 ? 'After the last round' : h.evaluateEvery === 1 ? 'Every round' : `Every ${h.evaluateEvery} rounds`],
    ['Early stopping', h.earlyStopping ? `Patience ${h.earlyStopping.patience} rounds${h.earlyStopping.minDelta > 0 ? `, min. improvement ${formatNumber(h.earlyStopping.minDelta)}` : ''}` : 'Off'],
    ['Seed', String(h.seed)],
    ...privacyEntries(h.privacy),
  );
  return entries;
}

/** The settings as a compact description list, in two columns where there is room. */
export function HyperparameterList({ hyperparameters, model }: { hyperparameters: Hyperparameters; model?: ModelSpec }) {
  const entries = hyperparameterEntries(hyperparameters, model);
  if (model) {
    const described = describeModel(model);
    entries.unshift(['Model', described.name], ['Model shape', described.detail]);
  }
  const half = Math.ceil(entries.length / 2);
  const list = (part: Array<[string, string]>) => (
    <DataList size="sm" gap={6} labelWidth={180} withDivider>
      {part.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl" verticalSpacing={6} role="group" aria-label="Hyperparameters">
      {list(entries.slice(0, half))}
      {list(entries.slice(half))}
    </SimpleGrid>
  );
}

function compressionLabel(h: Hyperparameters): string {
  if (h.compression === 'float16') return 'Half precision';
  if (h.compression === 'int8') return '8 bits';
  return `Largest changes only (${formatNumber(h.topkFraction * 100)} % of the weights a round)`;
}
