// Exports a party's security log to a file of its owner's choosing: JSON lines as kept, or CSV
// for a spreadsheet.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CohortError } from '../../contract/errors';
import { writeCsv } from '../../datasource/write-csv';
import type { SecurityLog } from '../../store/security-log';

const COLUMNS = ['at', 'direction', 'kind', 'peer', 'what', 'bytes', 'outcome', 'reason', 'run'] as const;

export async function exportSecurityLog(log: SecurityLog, path: string, format: 'jsonl' | 'csv'): Promise<{ path: string; events: number }> {
  const target = resolve(path);
  // Exporting onto the log itself would truncate the record it is meant to copy.
  const same = async (file: string) => realpath(file).catch(() => resolve(file));
  if ((await same(target)) === (await same(log.path))) {
    throw new CohortError('BAD_INPUT', `${target} is the security log itself: choose another file to export to`);
  }
  if (format === 'jsonl') return { path: target, events: await log.copyTo(target) };
  const rows: Array<Array<string | number>> = [[...COLUMNS]];
  for await (const event of log.all()) rows.push(COLUMNS.map((column) => event[column] ?? ''));
  await writeCsv(target, rows);
  return { path: target, events: rows.length - 1 };
}
