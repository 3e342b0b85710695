// `npm run robustness`: what one poisoned hospital of five does to each aggregation strategy.
// The pooled demo CSV is split into 5 parties (iid, 20 % of each held out); party-1 sends its
// update scaled by -10, or with Gaussian noise added (a test-only option of the simulation);
// the table of aggregate ROC AUC is printed and written to robustness.json. Not part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { simulate } from '../src-main/api/simulation/simulate';
import { Hyperparameters, type Algorithm } from '../src-main/contract/records';
import { ROOT } from './lib/federation';

const CSV = join(ROOT, 'resources', 'demo-data', 'breast-cancer-wisconsin', 'breast-cancer.csv');
const flags = new Command('robustness')
  .option('--algorithms <list>', 'strategies', 'fedavg,fedmedian,trimmedmean,krum,multikrum')
  .option('--rounds <n>', 'rounds', '10')
  .option('--seed <n>', 'seed of the split and the runs', '3')
  .parse()
  .opts<{ algorithms: string; rounds: string; seed: string }>();
const attacks: Array<[string, string | null]> = [
  ['clean', null],
  ['update x -10', 'scale:-10'],
  ['noise (std 1)', 'noise:1'],
];

async function auc(algorithm: Algorithm, poison: string | null): Promise<number> {
  const result = await simulate({
    data: CSV,
    split: { parties: 5, mode: 'iid', alpha: 0.5, evaluateFraction: 0.2 },
    target: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    model: { kind: 'logreg' },
    hyperparameters: Hyperparameters.parse({ algorithm, solver: 'sgd', rounds: Number(flags.rounds), evaluateEvery: 0, seed: Number(flags.seed) }),
    ...(poison ? { poison: { party: 'party-1', spec: poison } } : {}),
  });
  const aggregate = result.evaluation!.aggregate;
  return aggregate.kind === 'binary' ? (aggregate.rocAuc ?? Number.NaN) : Number.NaN;
}

const rows: Record<string, Record<string, number>> = {};
for (const algorithm of flags.algorithms.split(',') as Algorithm[]) {
  rows[algorithm] = {};
  for (const [label, poison] of attacks) {
    rows[algorithm]![label] = await auc(algorithm, poison);
    process.stderr.write(`${algorithm} ${label}: ${rows[algorithm]![label]!.toFixed(3)}\n`);
  }
}
const table = new Table({ head: ['strategy', ...attacks.map(([label]) => label)] });
for (const [algorithm, values] of Object.entries(rows)) table.push([algorithm, ...attacks.map(([label]) => values[label]!.toFixed(3))]);
console.log(table.toString());
await writeFile(join(ROOT, 'robustness.json'), `${JSON.stringify(rows, null, 2)}\n`);
