// The feature alignment run locally over a folder with one sub-folder per party, as a check
// before the real one runs over the grid: each party's train.csv is inspected and declared
// (aggregates only), the declarations are aligned, and each party's evaluate.csv and
// predict.csv are checked against the result.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Alignment, AlignmentReport, PartyDeclaration } from '../contract/data';
import { CohortError } from '../contract/errors';
import type { AlignmentOptions, Task } from '../contract/records';
import { alignFeatures } from '../core/alignment/align';
import { findDrift } from '../core/alignment/drift';
import { encodeDataset, loadKindsFor } from '../core/alignment/encode';
import { declareProfile } from '../core/data/declare';
import { DEFAULT_MIN_CELL_COUNT } from '../core/disclosure/threshold';
import type { DataProfile } from '../contract/data';
import { openDataSource } from '../datasource/data-source';

export const PARTY_FILES = { train: 'train.csv', evaluate: 'evaluate.csv', predict: 'predict.csv' } as const;

export interface CsvSettings {
  maxBytes?: number;
  missingValues?: readonly string[];
}

export interface LocalAlignmentOptions {
  target: string;
  /** 'auto': regression when the target is a continuous number at some party, else classification. */
  task: Task | 'auto';
  positiveClass?: string | undefined;
  alignment?: Partial<AlignmentOptions>;
  csv?: CsvSettings;
  /** The parties' minimum cell count (default 5): what they would declare under it. */
  minCellCount?: number;
}

/** What checking an evaluate or predict file against the alignment found. */
export interface FileCheck {
  file: string;
  rows: number;
  /** Rows that can be used (with a known target, for evaluation). */
  usableRows: number;
  drift: string[];
  unseenLevels: Record<string, Record<string, number>>;
  unseenLabels: Record<string, number>;
  missingTarget: number;
}

export interface LocalAlignmentResult {
  task: Task;
  alignment?: Alignment;
  report: AlignmentReport;
  files: Record<string, { evaluate?: FileCheck; predict?: FileCheck }>;
}

/** Sub-folders of `dir` that hold a train.csv, sorted by name. */
export async function findPartyFolders(dir: string): Promise<Array<{ party: string; folder: string }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CohortError('FILE_NOT_FOUND', `${dir}: no such folder`);
    if (code === 'ENOTDIR') throw new CohortError('BAD_INPUT', `${dir} is a file; expected a folder with one sub-folder per party`);
    throw error;
  }
  const parties: Array<{ party: string; folder: string }> = [];
  for (const entry of entries.filter((candidate) => candidate.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const folder = join(dir, entry.name);
    if (await exists(join(folder, PARTY_FILES.train))) parties.push({ party: entry.name, folder });
  }
  if (parties.length === 0) {
    throw new CohortError('BAD_INPUT', `${dir} has no party folders: expected sub-folders (one per party) each holding ${PARTY_FILES.train}`);
  }
  return parties;
}

export async function alignPartyFolders(dir: string, options: LocalAlignmentOptions): Promise<LocalAlignmentResult> {
  const parties = await findPartyFolders(dir);
  const profiles: Array<{ party: string; folder: string; profile: DataProfile }> = [];
  for (const { party, folder } of parties) {
    const profile = await (await openDataSource(join(folder, PARTY_FILES.train))).inspect({
      ...options.csv,
      overrides: { minCellCount: options.minCellCount ?? DEFAULT_MIN_CELL_COUNT },
      target: options.target,
    });
    profiles.push({ party, folder, profile });
  }
  const task = options.task === 'auto' ? inferTask(profiles.map(({ profile }) => profile), options.target) : options.task;
  const declarations: PartyDeclaration[] = profiles.map(({ party, profile }) => declareProfile(party, profile, task, options.minCellCount ?? DEFAULT_MIN_CELL_COUNT));
  const { alignment, report } = alignFeatures(declarations, {
    targetColumn: options.target,
    task,
    positiveClass: options.positiveClass,
    alignment: options.alignment,
  });

  const files: LocalAlignmentResult['files'] = {};
  if (alignment) {
    for (const { party, folder, profile } of profiles) {
      const excluded = profile.columns.filter((column) => column.excluded).map((column) => column.name);
      const checks: { evaluate?: FileCheck; predict?: FileCheck } = {};
      for (const kind of ['evaluate', 'predict'] as const) {
        const path = join(folder, PARTY_FILES[kind]);
        if (!(await exists(path))) continue;
        const check = await checkFile(alignment, party, path, excluded, kind === 'evaluate', options.csv);
        checks[kind] = check;
        for (const [column, levels] of Object.entries(check.unseenLevels)) {
          const merged = (report.parties[party]!.unseenLevels[column] ??= {});
          for (const [level, rows] of Object.entries(levels)) merged[level] = (merged[level] ?? 0) + rows;
        }
      }
      files[party] = checks;
    }
  }
  const result: LocalAlignmentResult = { task, report, files };
  if (alignment) result.alignment = alignment;
  return result;
}

/** Checks a file against the alignment: drift in its columns, then every value as it encodes. */
export async function checkFile(
  alignment: Alignment,
  party: string,
  path: string,
  excluded: readonly string[],
  needsTarget: boolean,
  csv: CsvSettings = {},
): Promise<FileCheck> {
  const { header, table } = await (await openDataSource(path)).load(loadKindsFor(alignment, needsTarget), csv);
  const drift = findDrift(alignment, { file: path, party, header, excluded, needsTarget });
  const check: FileCheck = {
    file: path,
    rows: table.rows,
    usableRows: 0,
    drift,
    unseenLevels: {},
    unseenLabels: {},
    missingTarget: 0,
  };
  if (drift.length > 0) return check;
  const encoded = encodeDataset(alignment, table, { withTarget: needsTarget });
  return {
    ...check,
    usableRows: encoded.rows,
    unseenLevels: encoded.unseenLevels,
    unseenLabels: encoded.unseenLabels,
    missingTarget: encoded.skipped.missingTarget,
  };
}

/** Regression when the target is numeric without a small set of labels somewhere; else classification. */
export function inferTask(profiles: readonly DataProfile[], target: string): Task {
  const continuous = profiles.some((profile) => {
    const column = profile.columns.find((candidate) => candidate.name === target);
    return column?.kind === 'numeric' && column.levels === undefined;
  });
  return continuous ? 'regress' : 'classify';
}

/** Whether a file or folder exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
