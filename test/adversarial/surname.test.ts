// Three clinics whose files carry an extra "surname" column (300 surnames, most of them on one
// or two rows), registered and trained with the stock simulation: no surname reaches the hub
// or another clinic (every file the hub and the other parties keep is searched), the column is
// left out with its reason, and the model is the one trained without the column.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../src-main/api/simulation/simulate';
import { Hyperparameters } from '../../src-main/contract/records';
import { DEMO_DATA } from '../support/cli';

const CLINICS = ['hospital-a', 'hospital-b', 'hospital-c'];

/** 300 surnames, drawn so that most occur once or twice among the 569 patients. */
function surnames(count: number): string[] {
  const names = Array.from({ length: 300 }, (_, i) => `Okonkwo${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + ((i * 11) % 26))}${i}`);
  let state = 97;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  // A few common names, then a long tail.
  return Array.from({ length: count }, (_, i) => names[i < 300 ? i : Math.floor(random() ** 3 * 300)]!);
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

describe('the surname column', () => {
  let root: string;
  const names = surnames(569);
  let withSurnames: SimulationResult;
  let without: SimulationResult;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-surname-'));
    let next = 0;
    for (const clinic of CLINICS) {
      await mkdir(join(root, 'data', clinic), { recursive: true });
      for (const kind of ['train', 'evaluate']) {
        const lines = (await readFile(join(DEMO_DATA, clinic, `${kind}.csv`), 'utf8')).trimEnd().split(/\r?\n/);
        const out = lines.map((line, index) => `${line},${index === 0 ? 'surname' : names[next++ % names.length]}`);
        await writeFile(join(root, 'data', clinic, `${kind}.csv`), `${out.join('\n')}\n`);
      }
    }
    const settings = {
      target: 'diagnosis',
      task: 'classify' as const,
      positiveClass: 'M',
      model: { kind: 'logreg' as const },
      hyperparameters: Hyperparameters.parse({ rounds: 10, seed: 42 }),
    };
    withSurnames = await simulate({ ...settings, data: join(root, 'data'), workspace: join(root, 'with') });
    without = await simulate({ ...settings, data: DEMO_DATA, workspace: join(root, 'without') });
  }, 600_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is left out of the features, and the model is the one trained without it', () => {
    expect(withSurnames.features).toEqual(without.features);
    expect(withSurnames.features.some((feature) => feature.includes('surname'))).toBe(false);
    const auc = (result: SimulationResult) => (result.evaluation!.aggregate.kind === 'binary' ? result.evaluation!.aggregate.rocAuc! : Number.NaN);
    expect(Math.abs(auc(withSurnames) - auc(without))).toBeLessThanOrEqual(0.005);
  });

  it('reaches neither the hub nor another clinic: no file they keep holds a surname', async () => {
    const workspace = withSurnames.artifacts.workspace;
    const byClinic = new Map<string, string[]>();
    let next = 0;
    for (const clinic of CLINICS) {
      const own: string[] = [];
      for (const kind of ['train', 'evaluate']) {
        const rows = (await readFile(join(root, 'data', clinic, `${kind}.csv`), 'utf8')).trimEnd().split('\n').length - 1;
        for (let r = 0; r < rows; r += 1) own.push(names[next++ % names.length]!);
      }
      byClinic.set(clinic, own);
    }
    const scan = async (dir: string, values: string[]) => {
      const found = new Set<string>();
      for (const file of await files(dir)) {
        if ((await stat(file)).size > 50_000_000) continue;
        const text = await readFile(file, 'latin1');
        for (const value of values) if (text.includes(value)) found.add(value);
      }
      return [...found];
    };
    expect(await scan(join(workspace, 'hub'), names)).toEqual([]);
    for (const clinic of CLINICS) {
      const others = CLINICS.filter((other) => other !== clinic).flatMap((other) => byClinic.get(other)!);
      const ownNames = new Set(byClinic.get(clinic));
      expect(await scan(join(workspace, 'parties', clinic), others.filter((name) => !ownNames.has(name)))).toEqual([]);
    }
    // The hub heard of the column by its name only, with the reason it was left out.
    const log = await readFile(join(workspace, 'parties', 'hospital-a', 'security-log.jsonl'), 'utf8');
    const declaration = log.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { disclosed?: { what: string; columns?: Array<{ name: string; use: string; levels?: string[] }> } }).find((event) => event.disclosed?.what === 'declaration');
    expect(declaration!.disclosed!.columns!.find((column) => column.name === 'surname')).toMatchObject({ use: 'left out' });
    expect(declaration!.disclosed!.columns!.find((column) => column.name === 'surname')!.levels).toBeUndefined();
  });
});
