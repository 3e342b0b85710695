// A hospital's private files for the adversarial tests: patients with an id, a surname, a lab
// value written with four decimals, a ward (two of them rare) and an outcome. The values that
// must never reach a hub are listed, to be searched for in everything the hub received.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PrivateFiles {
  train: string;
  evaluate: string;
  /** Cell values that must not leave: ids, surnames, rare wards, exact lab values. */
  secrets: string[];
}

const WARDS = ['Cardiology', 'Oncology', 'Neurology'];
const RARE_WARDS = ['Ward-Zeta-Annex', 'Ward-Omega-Annex'];

function rows(count: number, offset: number, seed: number): string[][] {
  let state = seed;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  return Array.from({ length: count }, (_, index) => {
    const i = index + offset;
    const age = 30 + Math.floor(random() * 50);
    const lab = 90 + random() * 80;
    const ward = i === 7 || i === 23 ? RARE_WARDS[0]! : i === 41 ? RARE_WARDS[1]! : WARDS[i % WARDS.length]!;
    const risk = 0.06 * (age - 55) + 0.05 * (lab - 130) + (random() - 0.5) * 2;
    return [`MRN-${(48213 + i * 7).toString().padStart(6, '0')}`, `Vandersloot${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + ((i * 7) % 26))}x${i}`, String(age), lab.toFixed(4), ward, risk > 0 ? 'yes' : 'no'];
  });
}

export async function writePrivateFiles(dir: string, options: { trainRows?: number; evaluateRows?: number } = {}): Promise<PrivateFiles> {
  await mkdir(dir, { recursive: true });
  const header = ['patient_id', 'surname', 'age', 'lab', 'ward', 'outcome'];
  const train = rows(options.trainRows ?? 60, 0, 11);
  const evaluate = rows(options.evaluateRows ?? 30, 1000, 23);
  const paths = { train: join(dir, 'train.csv'), evaluate: join(dir, 'evaluate.csv') };
  const csv = (table: string[][]) => [header, ...table].map((row) => row.join(',')).join('\n') + '\n';
  await writeFile(paths.train, csv(train));
  await writeFile(paths.evaluate, csv(evaluate));
  const all = [...train, ...evaluate];
  const secrets = [
    ...all.map((row) => row[0]!),
    ...all.map((row) => row[1]!),
    ...all.map((row) => row[3]!),
    ...RARE_WARDS,
    dir,
  ];
  return { ...paths, secrets };
}
