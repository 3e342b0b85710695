// `cohort simulate --data FILE.csv --parties N`: one CSV split into party folders
// (DIR/party-1/train.csv, evaluate.csv, ...), deterministically by seed.
import { join } from 'node:path';
import { CohortError } from '../../contract/errors';
import type { Task } from '../../contract/records';
import { missingMatcher, parseNumber } from '../../core/data/values';
import { quantileBins, splitRows, type SplitMode } from '../../core/simulation/split';
import { readCsv } from '../../datasource/read-csv';
import { requireColumns } from '../../datasource/require-columns';
import { writeCsv } from '../../datasource/write-csv';

export interface CsvSplitOptions {
  file: string;
  target: string;
  task: Task;
  parties: number;
  mode: SplitMode;
  alpha: number;
  evaluateFraction: number;
  seed: number;
}

/** Writes the party folders into `dir`; returns their names. */
export async function splitCsvIntoParties(dir: string, options: CsvSplitOptions): Promise<string[]> {
  const rows: string[][] = [];
  let header: string[] = [];
  await readCsv(options.file, {
    header: (names) => {
      requireColumns(options.file, names, options.target);
      header = [...names];
    },
    row: (cells) => void rows.push([...cells]),
  });
  const targetIndex = header.indexOf(options.target);
  const isMissing = missingMatcher();
  const kept = rows.filter((row) => !isMissing(row[targetIndex]!));
  const targets = kept.map((row) => row[targetIndex]!.trim());
  const labels = options.task === 'regress' ? quantileBins(targets.map((value) => parseNumber(value) ?? Number.NaN)) : targets;
  let split;
  try {
    split = splitRows(labels, {
      parties: options.parties,
      mode: options.mode,
      seed: options.seed,
      alpha: options.alpha,
      evaluateFraction: options.evaluateFraction,
      minTrainRows: 10,
    });
  } catch (error) {
    throw new CohortError('BAD_INPUT', `${options.file}: ${(error as Error).message}`);
  }
  const names = split.map((_, index) => `party-${index + 1}`);
  for (const [index, party] of split.entries()) {
    const folder = join(dir, names[index]!);
    await writeCsv(join(folder, 'train.csv'), [header, ...party.train.map((row) => kept[row]!)]);
    if (party.evaluate.length > 0) await writeCsv(join(folder, 'evaluate.csv'), [header, ...party.evaluate.map((row) => kept[row]!)]);
  }
  return names;
}
