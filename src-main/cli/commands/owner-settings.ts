// `cohort worker settings`: the data owner's rules at this participant, shown or changed: the
// minimum cell count k (for the whole installation, or one project) and a project's privacy
// budget. The same operation as the app's settings screen.
import { InvalidArgumentError, type Command } from 'commander';
import type { ApiTypes } from '../../contract/api';
import { ownerRules, updateOwnerRules } from '../../api/records/owner-rules';
import { formatNumber, printJson, style } from '../output';
import { open, withStore, type StoreFlags } from '../store-flags';

interface SettingsFlags extends StoreFlags {
  project?: string;
  minCellCount?: number | 'none';
  epsilonBudget?: number | 'none';
}

/** A number, or "none" to clear the setting; the range is checked by the operation. (Commander cannot carry null.) */
function numberOrNone(value: string): number | 'none' {
  if (value.trim().toLowerCase() === 'none') return 'none';
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('expected a number, or "none" to clear it');
  return number;
}

const FROM: Record<ApiTypes['OwnerRules']['minCellCountFrom'], string> = {
  default: 'the default',
  installation: "this installation's setting",
  project: "this project's own setting",
};

export function workerSettingsCommand(worker: Command): void {
  withStore(worker.command('settings').description("show or change the data owner's rules: the minimum cell count k and a project's privacy budget"))
    .option('--project <project>', "a project's own rules (default: the whole installation)")
    .option('--min-cell-count <k>', 'no figure that leaves describes fewer than k patients (2 to 1000; "none" clears it)', numberOrNone)
    .option('--epsilon-budget <epsilon>', 'with --project: the most epsilon all its runs may spend here together ("none" clears it)', numberOrNone)
    .action(async (flags: SettingsFlags) => {
      const store = await open(flags);
      const changing = flags.minCellCount !== undefined || flags.epsilonBudget !== undefined;
      const rules = changing
        ? await updateOwnerRules(store, {
            ...(flags.project === undefined ? {} : { projectId: flags.project }),
            ...(flags.minCellCount === undefined ? {} : { minCellCount: flags.minCellCount === 'none' ? null : flags.minCellCount }),
            ...(flags.epsilonBudget === undefined ? {} : { epsilonBudget: flags.epsilonBudget === 'none' ? null : flags.epsilonBudget }),
          })
        : await ownerRules(store, flags.project);
      if (flags.json) return printJson(rules);
      if (changing) console.log(`${style.ok('✓')} saved`);
      printRules(rules);
    });
}

function printRules(rules: ApiTypes['OwnerRules']): void {
  const scope = rules.projectId === null ? 'this installation' : `project ${rules.projectId}`;
  console.log(style.heading(`Rules for ${scope}`));
  console.log(`  minimum cell count k   ${style.heading(String(rules.minCellCount))} (${FROM[rules.minCellCountFrom]})`);
  console.log(style.dim(`  A count smaller than ${rules.minCellCount} is never sent on its own: rare categories leave merged into "other", and files with fewer rows are refused.`));
  if (rules.projectId === null) return;
  const budget = rules.epsilonBudget === null ? 'none (each run keeps to its own target)' : `epsilon ${formatNumber(rules.epsilonBudget)}`;
  console.log(`  privacy budget         ${budget}`);
  console.log(`  privacy spent so far   epsilon ${formatNumber(rules.epsilonSpent ?? 0)} (at delta 1e-5)`);
}
