// The first rows of a CSV file, as its owner sees them before registering it. Reads only as
// far as it needs.
import { readCsv, type CsvReadOptions } from './read-csv';

class EnoughRows extends Error {}

export async function previewCsv(path: string, count = 10, options: CsvReadOptions = {}): Promise<{ header: string[]; rows: string[][] }> {
  let header: string[] = [];
  const rows: string[][] = [];
  try {
    await readCsv(
      path,
      {
        header: (names) => {
          header = [...names];
        },
        row: (cells) => {
          rows.push([...cells]);
          if (rows.length >= count) throw new EnoughRows();
        },
      },
      options,
    );
  } catch (error) {
    if (!(error instanceof EnoughRows)) throw error;
  }
  return { header, rows };
}
