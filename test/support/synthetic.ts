// Small synthetic party data with recognisable values, written to real CSV files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SyntheticParty {
  name: string;
  train: string[][];
  evaluate: string[][];
  predict: string[][];
}

export const SYNTHETIC_HEADER = ['age', 'marker', 'ward', 'outcome'];

/** Rows whose `marker` values are unique, odd-looking decimals: easy to search for in files. */
export function syntheticParties(names: readonly string[], rowsPerFile = 40, seed = 1): SyntheticParty[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const wards = ['icu', 'cardio', 'oncology'];
  let serial = 0;
  const row = (withTarget: boolean): string[] => {
    const age = 30 + Math.floor(random() * 50);
    const marker = (7000 + (serial += 1) + 0.123457).toFixed(6);
    const ward = wards[Math.floor(random() * wards.length)]!;
    const risk = (age - 55) / 10 + (ward === 'icu' ? 1 : 0) + (random() - 0.5);
    return [String(age), marker, ward, withTarget ? (risk > 0 ? 'yes' : 'no') : ''];
  };
  return names.map((name) => ({
    name,
    train: Array.from({ length: rowsPerFile }, () => row(true)),
    evaluate: Array.from({ length: Math.ceil(rowsPerFile / 2) }, () => row(true)),
    predict: Array.from({ length: Math.ceil(rowsPerFile / 2) }, () => row(false).slice(0, 3)),
  }));
}

export async function writeSyntheticParties(dir: string, parties: readonly SyntheticParty[]): Promise<void> {
  const csv = (header: string[], rows: string[][]) => [header, ...rows].map((cells) => cells.join(',')).join('\n') + '\n';
  for (const party of parties) {
    const folder = join(dir, party.name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'train.csv'), csv(SYNTHETIC_HEADER, party.train));
    await writeFile(join(folder, 'evaluate.csv'), csv(SYNTHETIC_HEADER, party.evaluate));
    await writeFile(join(folder, 'predict.csv'), csv(SYNTHETIC_HEADER.slice(0, 3), party.predict));
  }
}
