// A run's result as people read it: the rounds in brief, then metrics per party and overall.
import type { Metrics } from '../contract/metrics';
import type { CoefficientTable, RunResult } from '../contract/results';
import { formatNumber, style, table } from './output';

const METRIC_COLUMNS: Record<Metrics['kind'], string[]> = {
  binary: ['n', 'rocAuc', 'prAuc', 'accuracy', 'precision', 'recall', 'f1', 'logLoss'],
  multiclass: ['n', 'accuracy', 'macroF1', 'logLoss'],
  regression: ['n', 'rmse', 'mae', 'r2'],
};

export function metricsTable(rows: Array<[string, Metrics | undefined]>): string {
  const kind = rows.find(([, metrics]) => metrics)?.[1]?.kind ?? 'binary';
  const columns = METRIC_COLUMNS[kind];
  return table(
    ['', ...columns],
    rows.map(([name, metrics]) => [
      name,
      ...columns.map((column) => {
        const value = metrics ? (metrics as unknown as Record<string, unknown>)[column] : undefined;
        return typeof value === 'number' ? formatNumber(value) : value === null ? 'n/a' : '-';
      }),
    ]),
  );
}

/** An exact regression's table: coefficient per unit, 95% interval, ratio and p-value per term. */
export function coefficientsTable(coefficients: CoefficientTable): string {
  const ratio = coefficients.family === 'binomial' ? 'odds ratio' : coefficients.family === 'multinomial' ? 'risk ratio' : null;
  const multinomial = coefficients.family === 'multinomial';
  const number = (value: number | null) => (value === null ? '-' : formatNumber(value));
  const p = (value: number | null) => (value === null ? '-' : value < 0.001 ? '< 0.001' : value.toFixed(3));
  return table(
    ['term', ...(multinomial ? [`vs ${coefficients.reference}`] : []), 'coefficient', '95% CI', ...(ratio ? [ratio] : []), 'p'],
    coefficients.terms.map((row) => [
      row.term,
      ...(multinomial ? [row.outcome ?? ''] : []),
      number(row.estimate),
      `${number(row.low)} to ${number(row.high)}`,
      ...(ratio ? [row.term === '(intercept)' || !row.ratio ? '-' : number(row.ratio.estimate)] : []),
      p(row.p),
    ]),
  );
}

/** The exact fit's heading and notes, then its table. */
export function printCoefficients(coefficients: CoefficientTable): void {
  console.log(`${style.heading('Coefficients')} (exact fit, ${coefficients.rows} rows, ${coefficients.iterations} rounds${coefficients.converged ? '' : ', not converged'}; per unit of each column)`);
  for (const note of coefficients.notes) console.log(style.dim(note));
  console.log(coefficientsTable(coefficients));
}

export function printResult(result: RunResult): void {
  const status = result.status === 'completed' ? style.ok(result.status) : style.error(result.status);
  const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
  console.log(
    `${style.heading(`Run ${result.run}`)}: ${status} · ${result.coefficients ? 'exact fit' : result.algorithm} · ${result.rounds.length} rounds · ` +
      `${result.parties.length} parties · ${result.features.length} features · ${result.parameterCount} parameters · ` +
      `${seconds.toFixed(1)} s · backend ${result.backend}`,
  );
  if (result.error) console.log(style.error(result.error));
  if (result.stoppedEarly) console.log(`stopped early at round ${result.stoppedEarly.round}; kept round ${result.stoppedEarly.bestRound}`);
  for (const dropout of result.dropouts) console.log(style.warn(`dropout: ${dropout.party} in round ${dropout.round}: ${dropout.reason}`));
  if (result.evaluation) {
    const { aggregate, parties } = result.evaluation;
    console.log(metricsTable([...Object.entries(parties), [style.heading('aggregate'), aggregate]]));
  }
  if (result.coefficients) printCoefficients(result.coefficients);
  if (result.artifacts.globalModel) console.log(style.dim(`global model: ${result.artifacts.globalModel}`));
}
