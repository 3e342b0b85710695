// `cohort worker settings` and `cohort data inspect --include / --min-cell-count`, run as a user
// would: the owner's k and privacy budget shown, set, cleared and refused when out of range;
// a quasi-identifier included by name, and rare categories stated.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStore } from '../../src-main/store/metadata-store';
import { runCli } from '../support/cli';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-cli-settings-'));
  const store = await MetadataStore.open(join(dir, 'party'));
  await store.create('collaborations', { id: 'heart', name: 'Heart study' });
  await store.create('projects', { id: 'stroke', collaborationId: 'heart', name: 'Stroke', targetColumn: 'outcome', task: 'classify' });
  // 60 patients: surnames shared by two or three (a quasi-identifier by name and by count), one rare ward.
  const lines = ['age,surname,ward,outcome'];
  for (let i = 0; i < 60; i += 1) lines.push(`${30 + (i % 40)},Surname${i % 25},${i === 3 ? 'burns' : i % 2 ? 'icu' : 'cardio'},${i % 3 ? 'yes' : 'no'}`);
  await writeFile(join(dir, 'clinic.csv'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cohort worker settings', () => {
  const settings = (...args: string[]) => runCli(['worker', 'settings', '--data-dir', join(dir, 'party'), ...args]);

  it('shows, sets and clears k and a project budget, saying where k comes from', async () => {
    const fresh = await settings();
    expect(fresh.stderr).toBe('');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/minimum cell count k\s+5 \(the default\)/);
    expect(fresh.stdout).toContain('A count smaller than 5 is never sent on its own');

    const installation = await settings('--min-cell-count', '8', '--json');
    expect(installation.code).toBe(0);
    expect(JSON.parse(installation.stdout)).toMatchObject({ projectId: null, minCellCount: 8, minCellCountFrom: 'installation' });

    const project = await settings('--project', 'stroke', '--min-cell-count', '3', '--epsilon-budget', '2.5', '--json');
    expect(project.code).toBe(0);
    expect(JSON.parse(project.stdout)).toMatchObject({ projectId: 'stroke', minCellCount: 3, minCellCountFrom: 'project', installationMinCellCount: 8, epsilonBudget: 2.5 });

    const shown = await settings('--project', 'stroke');
    expect(shown.stdout).toMatch(/minimum cell count k\s+3 \(this project's own setting\)/);
    expect(shown.stdout).toMatch(/privacy budget\s+epsilon 2.5/);

    const cleared = await settings('--project', 'stroke', '--min-cell-count', 'none', '--json');
    expect(JSON.parse(cleared.stdout)).toMatchObject({ minCellCount: 8, minCellCountFrom: 'installation', projectMinCellCount: null, epsilonBudget: 2.5 });
  }, 60_000);

  it('refuses values out of range and a budget without a project, with a clear message', async () => {
    const low = await settings('--min-cell-count', '1');
    expect(low.code).toBe(1);
    expect(low.stderr).toBe('cohort: error: k must be at least 2\n');
    const budget = await settings('--epsilon-budget', '3');
    expect(budget.code).toBe(1);
    expect(budget.stderr).toContain('a privacy budget is set per project: name the project');
    const word = await settings('--min-cell-count', 'many');
    expect(word.code).not.toBe(0);
    expect(word.stderr).toContain('expected a number, or "none" to clear it');
    const unknown = await settings('--project', 'nowhere');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no project with id "nowhere"');
  }, 60_000);
});

describe('cohort data inspect with the disclosure rules', () => {
  type Column = { name: string; excluded: boolean; quasiIdentifier?: string; note?: string; rareLevels?: { levels: number; rows: number } };
  const inspect = async (...args: string[]) => {
    const result = await runCli(['data', 'inspect', join(dir, 'clinic.csv'), '--target', 'outcome', '--json', ...args]);
    expect(result.stderr).toBe('');
    return (JSON.parse(result.stdout) as { columns: Column[] }).columns;
  };

  it('leaves a quasi-identifier out unless included, and states rare categories at the k given', async () => {
    const plain = await inspect();
    const surname = plain.find((column) => column.name === 'surname')!;
    expect(surname).toMatchObject({ excluded: true, quasiIdentifier: 'its name says it holds a person’s name' });
    expect(plain.find((column) => column.name === 'ward')?.rareLevels).toEqual({ levels: 1, rows: 1 });

    const included = await inspect('--include', 'surname', '--min-cell-count', '2');
    expect(included.find((column) => column.name === 'surname')).toMatchObject({ excluded: false, note: expect.stringContaining('included by the data owner') });
    expect(included.find((column) => column.name === 'ward')?.rareLevels).toEqual({ levels: 1, rows: 1 });
    const strict = await inspect('--include', 'surname', '--min-cell-count', '3');
    // At k = 3 every surname (held by 2 or 3 rows) under 3 is rare.
    expect(strict.find((column) => column.name === 'surname')?.rareLevels?.levels).toBeGreaterThan(10);

    const table = await runCli(['data', 'inspect', join(dir, 'clinic.csv'), '--target', 'outcome']);
    expect(table.stdout).toContain('1 category held by fewer than k rows (1 row in all) leaves merged into "other"');
    const bad = await runCli(['data', 'inspect', join(dir, 'clinic.csv'), '--min-cell-count', '1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('k must be at least 2');
  }, 60_000);
});
