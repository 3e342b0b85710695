// Inspects a CSV file for its owner: inferred kinds and a summary per column, computed by the
// engine. Nothing here leaves the machine.
import type { DataProfile } from '../contract/data';
import { DEFAULT_MISSING_TOKENS } from '../core/data/values';
import { explainCsvFailure, locateInCsv, openCsvFile } from './csv-file';
import { profileRelation, type ProfileOptions } from './profile-source';
import type { CsvReadOptions } from './read-csv';

export interface InspectOptions extends CsvReadOptions, ProfileOptions {}

export async function inspectCsv(path: string, options: InspectOptions = {}): Promise<DataProfile> {
  const csv = await openCsvFile(path, options);
  const missingValues = options.missingValues ?? DEFAULT_MISSING_TOKENS;
  return profileRelation(csv.relation, options, {
    file: csv.file,
    headerLine: 1,
    noRows: 'has a header but no data rows',
    countQuotes: true,
    explainFailure: (error, checks) => explainCsvFailure(csv, error, { checks, missingValues }),
    // The reader also refuses the stray quotes the engine let through.
    locate: ({ checks, firstNonNumeric }) => locateInCsv(csv, { checks, firstNonNumeric, missingValues }),
  });
}

export { notBoolean, notNumeric } from './csv-file';
