// `cohort data …`: look at a data file as its owner, and check a feature alignment locally.
import { Command, Option } from 'commander';
import type { ColumnProfile, DataProfile } from '../../contract/data';
import { alignPartyFolders, type FileCheck, type LocalAlignmentResult } from '../../api/local-alignment';
import { openDataSource } from '../../datasource/data-source';
import { DEFAULT_MAX_FILE_BYTES } from '../../datasource/read-csv';
import { DEFAULT_MISSING_TOKENS } from '../../core/data/values';
import { DEFAULT_MIN_CELL_COUNT } from '../../core/disclosure/threshold';
import { collect, overridesFrom, parseKind, parseMinCellCount, parseMissing, parseSize } from '../options';
import { formatNumber, printJson, style, table } from '../output';

interface CsvFlags {
  maxFileSize: number;
  missingValues: string[];
}

function csvOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--max-file-size <size>', 'refuse files larger than this (e.g. 500MB, 2GB)')
        .default(DEFAULT_MAX_FILE_BYTES, '2GB')
        .argParser(parseSize),
    )
    .addOption(
      new Option('--missing-values <list>', 'comma-separated cell values that mean "missing"')
        .default([...DEFAULT_MISSING_TOKENS], `"${DEFAULT_MISSING_TOKENS.join(',')}"`)
        .argParser(parseMissing),
    );
}

export function dataCommand(): Command {
  const data = new Command('data').description('inspect data files and check feature alignment (rows never leave this machine)');

  csvOptions(
    data
      .command('inspect')
      .description('infer the schema of a CSV or Parquet file and summarise each column')
      .argument('<file>', 'a CSV file with a header row, or a Parquet file')
      .option('--target <column>', 'the target column (must exist)')
      .option('--kind <column=kind>', 'declare a column kind: numeric, categorical, boolean, identifier (repeatable)', parseKind)
      .option('--exclude <column>', 'leave a column out of the features (repeatable)', collect)
      .option('--include <column>', 'use a column that looks like a quasi-identifier (a name, date, postcode, free text) anyway (repeatable)', collect)
      .option('--min-cell-count <k>', `categories held by fewer than k rows are merged into "other" when they leave (default ${DEFAULT_MIN_CELL_COUNT})`, parseMinCellCount)
      .option('--json', 'print one JSON document'),
  ).action(async (file: string, flags: CsvFlags & { target?: string; kind?: Array<[string, string]>; exclude?: string[]; include?: string[]; minCellCount?: number; json?: boolean }) => {
    const profile = await (await openDataSource(file)).inspect({
      maxBytes: flags.maxFileSize,
      missingValues: flags.missingValues,
      overrides: overridesFrom(flags),
      ...(flags.target === undefined ? {} : { target: flags.target }),
    });
    if (flags.json) printJson(profileJson(profile));
    else printProfile(profile);
  });

  csvOptions(
    data
      .command('align')
      .description('align features across party folders locally, as the grid would (DIR/<party>/train.csv)')
      .argument('<dir>', 'folder with one sub-folder per party, each holding train.csv (and optionally evaluate.csv, predict.csv)')
      .requiredOption('--target <column>', 'the target column')
      .addOption(new Option('--task <task>', 'classify or regress').choices(['auto', 'classify', 'regress']).default('auto'))
      .option('--positive <label>', 'the positive class of a binary target')
      .addOption(new Option('--columns <policy>', 'columns only some parties hold').choices(['union', 'intersection']).default('union'))
      .option('--missing-indicators', 'add a 0/1 feature marking missing values of each numeric column')
      .option('--json', 'print one JSON document'),
  ).action(
    async (
      dir: string,
      flags: CsvFlags & {
        target: string;
        task: 'auto' | 'classify' | 'regress';
        positive?: string;
        columns: 'union' | 'intersection';
        missingIndicators?: boolean;
        json?: boolean;
      },
    ) => {
      const result = await alignPartyFolders(dir, {
        target: flags.target,
        task: flags.task,
        positiveClass: flags.positive,
        alignment: { columns: flags.columns, missingIndicators: flags.missingIndicators ?? false },
        csv: { maxBytes: flags.maxFileSize, missingValues: flags.missingValues },
      });
      if (flags.json) printJson(alignmentJson(result));
      else printAlignment(result);
      const drifted = Object.values(result.files).some((checks) => Object.values(checks).some((check) => check.drift.length > 0));
      if (!result.report.ok || drifted) process.exitCode = 1;
    },
  );

  return data;
}

// ---------------------------------------------------------------------------------------------

function columnJson(column: ColumnProfile): Record<string, unknown> {
  const { numeric, ...rest } = column;
  return numeric ? { ...rest, min: numeric.min, max: numeric.max, mean: numeric.mean, std: numeric.std } : rest;
}

function profileJson(profile: DataProfile): Record<string, unknown> {
  return { file: profile.file, rows: profile.rows, target: profile.target ?? null, columns: profile.columns.map(columnJson) };
}

function summarise(column: ColumnProfile): string {
  if (column.kind === 'numeric' && column.numeric) {
    const { min, max, mean, std } = column.numeric;
    return `${formatNumber(min)} to ${formatNumber(max)}, mean ${formatNumber(mean)} ± ${formatNumber(std)}`;
  }
  if (column.levels) {
    const entries = Object.entries(column.levels);
    const shown = entries.slice(0, 6).map(([level, count]) => `${level} ${count}`).join(', ');
    return entries.length > 6 ? `${shown}, … ${entries.length - 6} more` : shown;
  }
  if (column.kind === 'identifier') return `${column.levelsTruncated ? 'over ' : ''}${column.distinct} distinct values`;
  return '';
}

/** Categories that leave merged, because too few rows hold each of them. */
function rareText(column: ColumnProfile): string | undefined {
  if (!column.rareLevels) return undefined;
  const { levels, rows } = column.rareLevels;
  return `${levels} categor${levels === 1 ? 'y' : 'ies'} held by fewer than k rows (${rows} row${rows === 1 ? '' : 's'} in all) ${levels === 1 ? 'leaves' : 'leave'} merged into "other"`;
}

export function printProfile(profile: DataProfile): void {
  const kinds = new Map<string, number>();
  for (const column of profile.columns) kinds.set(column.kind, (kinds.get(column.kind) ?? 0) + 1);
  const mix = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
  console.log(style.heading(`${profile.file}: ${profile.rows} rows, ${profile.columns.length} columns (${mix})`));
  console.log(
    table(
      ['#', 'column', 'kind', 'missing', 'summary'],
      profile.columns.map((column) => {
        const role = column.name === profile.target ? ' (target)' : column.excluded ? ' (excluded)' : '';
        const notes = [column.note, rareText(column)].filter((text): text is string => text !== undefined);
        const note = notes.length > 0 ? `\n${style.dim(notes.join('\n'))}` : '';
        return [column.position, column.name + role, column.kind, column.missing, summarise(column) + note];
      }),
    ),
  );
}

function alignmentJson(result: LocalAlignmentResult): Record<string, unknown> {
  const { alignment, report } = result;
  const parties: Record<string, unknown> = {};
  for (const [party, partyReport] of Object.entries(report.parties)) {
    parties[party] = { ...partyReport, files: result.files[party] ?? {} };
  }
  return {
    ok: report.ok,
    task: result.task,
    fingerprint: alignment?.fingerprint ?? null,
    features: alignment?.features ?? [],
    target: alignment?.target ?? null,
    columns: alignment?.columns ?? [],
    ignored: alignment?.ignored ?? [],
    parties,
    errors: report.errors,
    warnings: report.warnings,
  };
}

function printAlignment(result: LocalAlignmentResult): void {
  const { alignment, report } = result;
  for (const issue of report.errors) console.log(style.error(`error: ${issue.message}`));
  for (const issue of report.warnings) console.log(style.warn(`warning: ${issue.message}`));
  if (!alignment) {
    console.log(style.error('The parties cannot be aligned; fix the errors above.'));
    return;
  }
  const target = alignment.target;
  const targetText =
    target.kind === 'binary'
      ? `binary, positive "${target.positive}" (labels ${target.labels.join(', ')})`
      : target.kind === 'multiclass'
        ? `multiclass: ${target.labels.join(', ')}`
        : `regression (mean ${formatNumber(target.mean)}, std ${formatNumber(target.std)})`;
  console.log(style.heading(`Aligned ${alignment.parties.length} parties: ${alignment.features.length} features; target "${target.column}" ${targetText}`));
  console.log(style.dim(`fingerprint ${alignment.fingerprint}`));
  console.log(
    table(
      ['party', 'rows', 'labels', 'missing columns', 'evaluate', 'predict'],
      Object.entries(report.parties).map(([party, partyReport]) => [
        party,
        partyReport.rows,
        Object.entries(partyReport.labelCounts ?? {}).map(([label, n]) => `${label} ${n}`).join(', '),
        partyReport.missingColumns.join(', ') || '-',
        describeCheck(result.files[party]?.evaluate),
        describeCheck(result.files[party]?.predict),
      ]),
    ),
  );
  console.log(
    table(
      ['feature columns', 'kind', 'encoding'],
      alignment.columns.map((column) => [
        column.name,
        column.kind,
        column.kind === 'categorical'
          ? `one-hot: ${column.levels.join(', ')}`
          : column.kind === 'numeric'
            ? `(x - ${formatNumber(column.mean)}) / ${formatNumber(column.std)}`
            : `0/1, missing -> ${formatNumber(column.mean)}`,
      ]),
    ),
  );
}

function describeCheck(check: FileCheck | undefined): string {
  if (!check) return '-';
  if (check.drift.length > 0) return style.error(`drift: ${check.drift.join('; ')}`);
  const unseen = Object.entries(check.unseenLevels).map(
    ([column, levels]) => `${column}: ${Object.entries(levels).map(([level, n]) => `${level} (${n})`).join(', ')}`,
  );
  const parts = [`${check.usableRows} rows ok`];
  if (check.missingTarget > 0) parts.push(`${check.missingTarget} without target`);
  if (unseen.length > 0) parts.push(style.warn(`unseen levels ${unseen.join('; ')}`));
  return parts.join(', ');
}
