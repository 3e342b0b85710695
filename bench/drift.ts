// `npm run drift`: the aggregation strategies where local drift hurts. Each public clinical set is
// split across 5 parties with a strongly label-skewed Dirichlet split (alpha 0.1: most parties
// hold mostly one class), 20 % of each party held out; an MLP trains 10 local epochs per round
// for 20 rounds. The table gives the final aggregate metric (ROC AUC, or accuracy for several
// classes) and log loss, averaged over seeds, and is written to drift.json. Not part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { simulate } from '../src-main/api/simulation/simulate';
import { Hyperparameters, type Algorithm } from '../src-main/contract/records';
import { ROOT } from './lib/federation';

interface DataSet {
  name: string;
  file: string;
  target: string;
  positiveClass?: string;
}

const CLINICAL = join(ROOT, 'test', 'fixtures', 'clinical');
const DATA_SETS: DataSet[] = [
  { name: 'nwtco (relapse)', file: join(CLINICAL, 'nwtco.csv'), target: 'relapse', positiveClass: 'yes' },
  { name: 'flchain (death)', file: join(CLINICAL, 'flchain.csv'), target: 'death', positiveClass: 'died' },
  { name: 'breast cancer (diagnosis)', file: join(ROOT, 'resources', 'demo-data', 'breast-cancer-wisconsin', 'breast-cancer.csv'), target: 'diagnosis', positiveClass: 'M' },
  { name: 'pbc (outcome, 3 classes)', file: join(CLINICAL, 'pbc.csv'), target: 'outcome' },
];

const flags = new Command('drift')
  .option('--algorithms <list>', 'strategies', 'fedavg,fedprox,scaffold')
  .option('--seeds <list>', 'seeds of the split and the runs', '1,2,3')
  .option('--alpha <alpha>', 'Dirichlet concentration of the label skew', '0.1')
  .option('--only <name>', 'only the data sets whose name contains this')
  .parse()
  .opts<{ algorithms: string; seeds: string; alpha: string; only?: string }>();

async function run(data: DataSet, algorithm: Algorithm, seed: number): Promise<{ metric: number; logLoss: number }> {
  const result = await simulate({
    data: data.file,
    split: { parties: 5, mode: 'label-skew', alpha: Number(flags.alpha), evaluateFraction: 0.2 },
    target: data.target,
    task: 'classify',
    ...(data.positiveClass === undefined ? {} : { positiveClass: data.positiveClass }),
    model: { kind: 'mlp', hidden: [32], activation: 'relu', dropout: 0 },
    hyperparameters: Hyperparameters.parse({ algorithm, rounds: 20, epochs: 10, learningRate: 0.05, evaluateEvery: 0, seed }),
  });
  const aggregate = result.evaluation!.aggregate;
  if (aggregate.kind === 'binary') return { metric: aggregate.rocAuc ?? Number.NaN, logLoss: aggregate.logLoss ?? Number.NaN };
  if (aggregate.kind === 'multiclass') return { metric: aggregate.accuracy ?? Number.NaN, logLoss: aggregate.logLoss ?? Number.NaN };
  throw new Error('classification metrics expected');
}

const algorithms = flags.algorithms.split(',') as Algorithm[];
const seeds = flags.seeds.split(',').map(Number);
const rows: Record<string, Record<string, { metric: number; logLoss: number }>> = {};
for (const data of DATA_SETS.filter((candidate) => !flags.only || candidate.name.includes(flags.only))) {
  rows[data.name] = {};
  for (const algorithm of algorithms) {
    let metric = 0;
    let logLoss = 0;
    for (const seed of seeds) {
      const got = await run(data, algorithm, seed);
      process.stderr.write(`${data.name} ${algorithm} seed ${seed}: ${got.metric.toFixed(3)} (log loss ${got.logLoss.toFixed(3)})\n`);
      metric += got.metric / seeds.length;
      logLoss += got.logLoss / seeds.length;
    }
    rows[data.name]![algorithm] = { metric, logLoss };
  }
}
const table = new Table({ head: ['data (metric)', ...algorithms] });
for (const [name, values] of Object.entries(rows)) {
  const metric = name.includes('classes') ? 'accuracy' : 'ROC AUC';
  table.push([`${name}: ${metric} / log loss`, ...algorithms.map((algorithm) => `${values[algorithm]!.metric.toFixed(3)} / ${values[algorithm]!.logLoss.toFixed(3)}`)]);
}
console.log(table.toString());
await writeFile(join(ROOT, 'drift.json'), `${JSON.stringify(rows, null, 2)}\n`);
