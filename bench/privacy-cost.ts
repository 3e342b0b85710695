// `npm run privacy-cost`: what differential privacy costs on the demo data. For each target
// epsilon, the noise multiplier that spends exactly it over the run's rounds (every hospital in
// every round: q = 1) is found with the accountant; the demo federation then trains with it,
// several times (the noise differs each time), and the table of accuracy and ROC AUC against
// the non-private run is printed and written to privacy-cost.json. Not part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { simulate } from '../src-main/api/simulation/simulate';
import { Hyperparameters } from '../src-main/contract/records';
import { epsilonOfSampledGaussian } from '../src-main/core/privacy/rdp-accountant';
import { ROOT } from './lib/federation';

const DEMO = join(ROOT, 'resources', 'demo-data', 'breast-cancer-wisconsin');

const program = new Command('privacy-cost')
  .option('--epsilons <list>', 'target epsilons', '1,3,8')
  .option('--rounds <n>', 'rounds of each run', '10')
  .option('--clip <C>', 'clipping norm', '0.5')
  .option('--epochs <n>', 'local epochs per round', '1')
  .option('--lr <rate>', 'local learning rate', '0.1')
  .option('--repeats <n>', 'runs per setting (the noise differs each time)', '3')
  .option('--delta <delta>', 'delta', '1e-5')
  .option('--modes <list>', 'DP modes', 'central,local')
  .option('--parties <n>', 'instead of the three demo hospitals: the pooled demo CSV split into this many parties (iid)')
  .parse();
const flags = program.opts<{ epsilons: string; rounds: string; clip: string; epochs: string; lr: string; repeats: string; delta: string; modes: string; parties?: string }>();
const rounds = Number(flags.rounds);
const clip = Number(flags.clip);
const repeats = Number(flags.repeats);
const delta = Number(flags.delta);

/** The noise multiplier at which `rounds` full-participation rounds spend `epsilon` (bisection). */
function noiseFor(epsilon: number): number {
  let low = 0.01;
  let high = 1_000;
  for (let step = 0; step < 100; step += 1) {
    const middle = Math.sqrt(low * high);
    if (epsilonOfSampledGaussian(1, middle, rounds, delta) > epsilon) low = middle;
    else high = middle;
  }
  return high;
}

interface Row {
  setting: string;
  epsilon: number | null;
  noiseMultiplier: number | null;
  accuracy: number[];
  rocAuc: number[];
}

async function measure(setting: string, privacy: Record<string, unknown>, epsilon: number | null, noiseMultiplier: number | null): Promise<Row> {
  const row: Row = { setting, epsilon, noiseMultiplier, accuracy: [], rocAuc: [] };
  const times = privacy['dp'] === undefined ? 1 : repeats;
  for (let run = 0; run < times; run += 1) {
    const result = await simulate({
      data: flags.parties ? join(DEMO, 'breast-cancer.csv') : DEMO,
      ...(flags.parties ? { split: { parties: Number(flags.parties), mode: 'iid' as const, alpha: 0.5, evaluateFraction: 0.2 } } : {}),
      target: 'diagnosis',
      task: 'classify',
      positiveClass: 'M',
      model: { kind: 'logreg' },
      hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds, epochs: Number(flags.epochs), learningRate: Number(flags.lr), minClients: 2, privacy }),
    });
    const metrics = result.evaluation?.aggregate;
    if (metrics?.kind !== 'binary') throw new Error(`${setting}: no binary metrics`);
    row.accuracy.push(metrics.accuracy ?? Number.NaN);
    row.rocAuc.push(metrics.rocAuc ?? Number.NaN);
    process.stderr.write(`${setting}: accuracy ${(metrics.accuracy ?? Number.NaN).toFixed(3)}, rocAuc ${(metrics.rocAuc ?? Number.NaN).toFixed(3)}, epsilon ${result.privacy.epsilon?.toFixed(2) ?? '-'}\n`);
  }
  return row;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const spread = (values: number[]) => (values.length < 2 ? 0 : Math.sqrt(values.reduce((sum, value) => sum + (value - mean(values)) ** 2, 0) / (values.length - 1)));

const rows: Row[] = [];
rows.push(await measure('no DP', { secureAggregation: true }, null, null));
for (const mode of flags.modes.split(',')) {
  for (const epsilon of flags.epsilons.split(',').map(Number)) {
    const sigma = noiseFor(epsilon);
    rows.push(await measure(`${mode} DP`, { secureAggregation: true, dp: mode, clip, noiseMultiplier: sigma, delta }, epsilon, sigma));
  }
}

const table = new Table({ head: ['setting', 'epsilon', 'sigma', 'accuracy', 'ROC AUC', 'accuracy cost'] });
const base = mean(rows[0]!.accuracy);
for (const row of rows) {
  table.push([
    row.setting,
    row.epsilon ?? '-',
    row.noiseMultiplier?.toFixed(2) ?? '-',
    `${mean(row.accuracy).toFixed(3)} ± ${spread(row.accuracy).toFixed(3)}`,
    `${mean(row.rocAuc).toFixed(3)} ± ${spread(row.rocAuc).toFixed(3)}`,
    row.epsilon === null ? '-' : (base - mean(row.accuracy)).toFixed(3),
  ]);
}
console.log(`demo data, ${flags.parties ? `the pooled CSV split into ${flags.parties} parties` : '3 hospitals'}, logreg, FedAvg, ${rounds} rounds of ${flags.epochs} epochs (lr ${flags.lr}), secure aggregation, C = ${clip}, delta = ${delta}, ${repeats} runs each`);
console.log(table.toString());
await writeFile(join(ROOT, 'privacy-cost.json'), `${JSON.stringify({ rounds, epochs: Number(flags.epochs), learningRate: Number(flags.lr), clip, delta, repeats, rows }, null, 2)}\n`);
