// `npm run regression`: logistic and linear regression with default settings on the project's
// own federations of public clinical sets (test/support/clinical-sets.ts): the exact solver's
// federated model against the same model fitted on the pooled rows and on each party's rows
// alone, with the gradient-step solver (FedAvg, default settings) beside it. Prints a Markdown
// table for the README and writes regression.json. Not part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulate } from '../src-main/api/simulation/simulate';
import type { Metrics } from '../src-main/contract/metrics';
import { Hyperparameters } from '../src-main/contract/records';
import { CLINICAL_SETS } from '../test/support/clinical-sets';
import { ROOT } from './lib/federation';

/** The headline metric of a set: ROC AUC, accuracy for several classes, R² for a numeric target. */
function headline(metrics: Metrics | null | undefined): number {
  if (!metrics) return Number.NaN;
  if (metrics.kind === 'binary') return metrics.rocAuc ?? Number.NaN;
  if (metrics.kind === 'multiclass') return metrics.accuracy ?? Number.NaN;
  return metrics.r2 ?? Number.NaN;
}

const rows: Array<Record<string, string | number>> = [];
for (const set of CLINICAL_SETS) {
  const exact = await simulate({ ...set.options, model: { kind: 'logreg' }, hyperparameters: Hyperparameters.parse({}), baselines: ['centralized', 'local'] });
  const sgd = await simulate({ ...set.options, model: { kind: 'logreg' }, hyperparameters: Hyperparameters.parse({ solver: 'sgd' }) });
  const local = Object.values(exact.baselines?.local ?? {}).map(headline).filter(Number.isFinite);
  const coefficients = exact.model.coefficients!;
  const pooled = exact.baselines!.centralizedCoefficients!;
  const difference = Math.max(...coefficients.terms.map((row, index) => Math.abs(row.encoded - pooled.terms[index]!.encoded)));
  const row = {
    set: set.name,
    traits: set.traits,
    metric: exact.evaluation!.aggregate.kind === 'binary' ? 'ROC AUC' : exact.evaluation!.aggregate.kind === 'multiclass' ? 'accuracy' : 'R²',
    federated: headline(exact.evaluation?.aggregate),
    pooled: headline(exact.baselines?.centralized),
    localMean: local.reduce((total, value) => total + value, 0) / local.length,
    localMin: Math.min(...local),
    localMax: Math.max(...local),
    sgd: headline(sgd.evaluation?.aggregate),
    rounds: coefficients.iterations,
    coefficientDifference: difference,
  };
  process.stderr.write(`${JSON.stringify(row)}\n`);
  rows.push(row);
}

const f = (value: number | string) => (typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(3) : '—') : value);
console.log('| data (metric) | split | federated, exact | pooled rows | each party alone: mean (range) | federated, gradient steps | rounds | largest coefficient difference |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(
    `| ${row.set} (${row.metric}) | ${row.traits} | ${f(row.federated!)} | ${f(row.pooled!)} | ${f(row.localMean!)} (${f(row.localMin!)}–${f(row.localMax!)}) | ${f(row.sgd!)} | ${row.rounds} | ${(row.coefficientDifference as number).toExponential(0)} |`,
  );
}
await writeFile(join(ROOT, 'regression.json'), `${JSON.stringify(rows, null, 2)}\n`);
