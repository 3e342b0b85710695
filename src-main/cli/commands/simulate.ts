// `cohort simulate`: a whole federation on this machine, the hub and each party a separate
// process over 127.0.0.1, with optional baselines to compare against.
import { Command, InvalidArgumentError, Option } from 'commander';
import { simulate, type SimulationResult } from '../../api/simulation/simulate';
import type { BaselineKind } from '../../api/simulation/baselines';
import { CohortError } from '../../contract/errors';
import type { Metrics } from '../../contract/metrics';
import { addHyperparameterOptions, addModelOptions, hyperparametersFrom, integer, modelSpecFrom, nonNegative, positive, type HyperparameterFlags, type ModelFlags } from '../flags';
import { formatNumber, printJson, style } from '../output';
import { RunProgressView } from '../progress';
import { metricsTable, printCoefficients } from '../results';

interface SimulateFlags extends HyperparameterFlags, ModelFlags {
  testPoison?: string;
  data: string;
  target: string;
  task: 'auto' | 'classify' | 'regress';
  positive?: string;
  parties?: number;
  split: 'iid' | 'label-skew';
  alpha: number;
  evaluateFraction: number;
  baseline?: BaselineKind[];
  workspace?: string;
  columns: 'union' | 'intersection';
  missingIndicators?: boolean;
  json?: boolean;
}

function baselineList(value: string): BaselineKind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) if (kind !== 'centralized' && kind !== 'local') throw new InvalidArgumentError('expected centralized, local or both');
  return kinds as BaselineKind[];
}

export function simulateCommand(): Command {
  const command = new Command('simulate')
    .description('run a whole federation on this machine: the hub and every party as separate processes over 127.0.0.1')
    .requiredOption('--data <path>', 'a folder with one sub-folder per party (train.csv, evaluate.csv?, predict.csv?), or one CSV to split')
    .requiredOption('--target <column>', 'the column to predict')
    .addOption(new Option('--task <task>', 'classify or regress (auto: from the target)').choices(['auto', 'classify', 'regress']).default('auto'))
    .option('--positive <label>', 'binary classification: the positive class')
    .option('--parties <n>', 'split one CSV into this many parties', integer('a whole number >= 1', 1))
    .addOption(new Option('--split <mode>', 'how to split one CSV').choices(['iid', 'label-skew']).default('iid'))
    .option('--alpha <alpha>', 'label-skew: Dirichlet concentration (smaller is more skewed)', positive, 0.5)
    .option('--evaluate-fraction <f>', "share of each party's rows held out for evaluation when splitting", nonNegative, 0.2)
    .option('--baseline <kinds>', 'also train centralized (pooled data) and/or local (each party alone) baselines', baselineList)
    .addOption(new Option('--columns <policy>', 'columns only some parties hold').choices(['union', 'intersection']).default('union'))
    .option('--missing-indicators', 'add 0/1 features marking missing numeric values')
    .option('--workspace <dir>', 'where stores, models and logs go (default: a new temporary folder)')
    // The robustness benchmark only: PARTY=scale:FACTOR or PARTY=noise:STD makes that party send poisoned updates.
    .addOption(new Option('--test-poison <party=kind>').hideHelp())
    .option('--json', 'print exactly one JSON document on stdout');
  addModelOptions(command);
  addHyperparameterOptions(command);
  return command.action(async (flags: SimulateFlags) => {
    const view = flags.json ? undefined : new RunProgressView();
    const interrupted = () => {
      view?.stop();
      process.stderr.write(style.warn('\ninterrupted: stopping the simulation…\n'));
      process.exit(130); // the process group's exit handler kills the children
    };
    process.once('SIGINT', interrupted);
    try {
      const model = await modelSpecFrom(flags);
      const result = await simulate({
        data: flags.data,
        target: flags.target,
        task: flags.task,
        positiveClass: flags.positive,
        alignment: { columns: flags.columns, missingIndicators: flags.missingIndicators ?? false },
        model,
        hyperparameters: hyperparametersFrom(flags, model),
        ...(flags.baseline ? { baselines: flags.baseline } : {}),
        ...(flags.parties === undefined
          ? {}
          : { split: { parties: flags.parties, mode: flags.split, alpha: flags.alpha, evaluateFraction: flags.evaluateFraction } }),
        ...(flags.workspace ? { workspace: flags.workspace } : {}),
        ...(flags.testPoison ? { poison: poisonFlag(flags.testPoison) } : {}),
        ...(view ? { onEvent: (event) => view.handle(event) } : {}),
      });
      view?.stop();
      if (flags.json) printJson(result);
      else printSimulation(result);
    } finally {
      view?.stop();
      process.off('SIGINT', interrupted);
    }
  });
}

function printSimulation(result: SimulationResult): void {
  const { run } = result;
  console.log(
    `\n${style.heading('Federated run')} ${style.ok(run.status)} · ${result.model.solver === 'exact' ? 'exact fit' : run.algorithm} · ${result.rounds.length} rounds · ` +
      `${run.parties.length} parties · ${result.features.length} features · ${run.parameterCount} parameters · ` +
      `backend ${result.backend} · ${result.seconds.toFixed(1)} s`,
  );
  for (const note of result.notes) console.log(style.warn(note));
  for (const dropout of run.dropouts) console.log(style.warn(`dropout: ${dropout.party} in round ${dropout.round}: ${dropout.reason}`));
  if (result.evaluation) {
    const rows: Array<[string, Metrics | undefined]> = [...Object.entries(result.evaluation.parties), [style.heading('federated (aggregate)'), result.evaluation.aggregate]];
    if (result.baselines?.centralized) rows.push([style.heading('centralized baseline'), result.baselines.centralized]);
    for (const [party, metrics] of Object.entries(result.baselines?.local ?? {})) rows.push([`local baseline: ${party}`, metrics ?? undefined]);
    console.log(metricsTable(rows));
  }
  if (result.model.coefficients) printCoefficients(result.model.coefficients);
  const last = result.rounds.at(-1);
  if (last) console.log(style.dim(`final train loss ${formatNumber(last.trainLoss)}`));
  const { privacy } = result;
  if (privacy.secureAggregation) {
    const q = privacy.quantization;
    console.log(`secure aggregation: on${q ? ` (fixed point, ${q.fractionalBits} fractional bits, values within ±${q.range})` : ''}`);
  }
  if (privacy.dp !== 'off') {
    console.log(
      `differential privacy: ${privacy.dp}, C ${privacy.clip}, sigma ${privacy.noiseMultiplier}: ` +
        `${style.heading(`epsilon ${formatNumber(privacy.epsilon ?? Number.NaN)}`)} (delta ${privacy.delta})` +
        (privacy.stoppedByBudget ? style.warn(` · training stopped at the target epsilon ${privacy.targetEpsilon}`) : ''),
    );
  }
  console.log(style.dim(`workspace: ${result.artifacts.workspace}`));
  console.log(style.dim(`global model: ${result.artifacts.globalModel ?? '-'}`));
}

function poisonFlag(value: string): { party: string; spec: string } {
  const [party, spec] = value.split('=');
  if (!party || !spec) throw new CohortError('BAD_INPUT', `--test-poison: expected PARTY=scale:FACTOR or PARTY=noise:STD, not "${value}"`);
  return { party, spec };
}
