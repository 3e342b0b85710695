import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src-main/cli/program';
import { DEMO_DATA, runCli } from '../support/cli';

describe('cohort data inspect', () => {
  it('reports the demo file: 569 rows, 30 numeric features, diagnosis categorical with B and M', async () => {
    const result = await runCli(['data', 'inspect', join(DEMO_DATA, 'breast-cancer.csv'), '--target', 'diagnosis', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const profile = JSON.parse(result.stdout) as {
      rows: number;
      columns: Array<{ name: string; kind: string; missing: number; levels?: Record<string, number>; mean?: number }>;
    };
    expect(profile.rows).toBe(569);
    const features = profile.columns.filter((column) => column.name !== 'diagnosis');
    expect(features).toHaveLength(30);
    expect(features.every((column) => column.kind === 'numeric' && column.missing === 0)).toBe(true);
    const diagnosis = profile.columns.find((column) => column.name === 'diagnosis');
    expect(diagnosis).toMatchObject({ kind: 'categorical', levels: { B: 357, M: 212 } });
    expect(features[0]).toMatchObject({ name: 'radius_mean' });
    expect(features[0]!.mean).toBeCloseTo(14.1273, 3);
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['data', 'inspect', join(DEMO_DATA, 'breast-cancer.csv'), '--target', 'diagnosis']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('569 rows, 31 columns (30 numeric, 1 categorical)');
    expect(result.stdout).toMatch(/diagnosis \(target\)\s*│ categorical/);
  });

  it('fails with a clear message and non-zero exit on a bad file', async () => {
    const missing = await runCli(['data', 'inspect', 'no-such-file.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('cohort: error: no-such-file.csv: no such file\n');
    expect(missing.stdout).toBe('');
    const target = await runCli(['data', 'inspect', join(DEMO_DATA, 'breast-cancer.csv'), '--target', 'outcome']);
    expect(target.code).toBe(1);
    expect(target.stderr).toContain('line 1: the target column "outcome" is not in the header');
  });
});

describe('cohort data align', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cohort-align-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('aligns the three demo hospitals into one feature space', async () => {
    const result = await runCli(['data', 'align', DEMO_DATA, '--target', 'diagnosis', '--positive', 'M', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      ok: boolean;
      features: string[];
      target: { kind: string; positive: string };
      parties: Record<string, { rows: number; missingColumns: string[]; unseenLevels: object; files: { evaluate?: { usableRows: number } } }>;
    };
    expect(out.ok).toBe(true);
    expect(out.features).toHaveLength(30);
    expect(out.features[0]).toBe('radius_mean');
    expect(out.target).toMatchObject({ kind: 'binary', positive: 'M' });
    expect(Object.keys(out.parties)).toEqual(['hospital-a', 'hospital-b', 'hospital-c']);
    expect(out.parties['hospital-a']).toMatchObject({ rows: 208, missingColumns: [], unseenLevels: {} });
    expect(out.parties['hospital-a']!.files.evaluate?.usableRows).toBe(52);
  });

  it('reports which party lacks what, and refuses drift in an evaluate file', async () => {
    const write = async (party: string, file: string, text: string) => {
      await mkdir(join(dir, party), { recursive: true });
      await writeFile(join(dir, party, file), text);
    };
    // Five rows at least in every file and behind every level: what each party may disclose (k = 5).
    const rows = (count: number, row: (index: number) => string) => Array.from({ length: count }, (_, index) => `${row(index)}\n`).join('');
    await write('north', 'train.csv', `age,ward,outcome\n${rows(10, (i) => `${40 + i},${i % 2 === 0 ? 'icu' : 'cardio'},${i % 3 === 0 ? 'yes' : 'no'}`)}`);
    await write('south', 'train.csv', `age,outcome\n${rows(6, (i) => `${50 + i},${i % 2 === 0 ? 'yes' : 'no'}`)}`);
    await write('south', 'evaluate.csv', `age,outcome,bmi\n${rows(5, (i) => `${70 + i},no,${22 + i}`)}`);
    await write('north', 'evaluate.csv', `age,ward,outcome\n${rows(5, (i) => `${61 + i},oncology,yes`)}`);
    const result = await runCli(['data', 'align', dir, '--target', 'outcome', '--positive', 'yes', '--json']);
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as {
      features: string[];
      parties: Record<string, { missingColumns: string[]; unseenLevels: object; files: { evaluate: { drift: string[] } } }>;
    };
    expect(out.features).toEqual(['age', 'ward=cardio', 'ward=icu']);
    expect(out.parties['south']!.missingColumns).toEqual(['ward']);
    expect(out.parties['north']!.unseenLevels).toEqual({ ward: { oncology: 5 } });
    expect(out.parties['south']!.files.evaluate.drift).toEqual([
      'the file has column "bmi" that the alignment does not know (exclude them, or align and train again)',
    ]);
  });
});

describe('cohort --help', () => {
  function allCommands(command: Command, path: string[] = []): string[][] {
    return command.commands.flatMap((child) => [[...path, child.name()], ...allCommands(child, [...path, child.name()])]);
  }

  /** What `cohort ...path --help` prints, through commander's own output hook. */
  async function helpOf(path: string[]): Promise<string> {
    let out = '';
    const program = buildProgram();
    const capture = (command: Command): void => {
      command.exitOverride().configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (out += text) });
      command.commands.forEach(capture);
    };
    capture(program);
    await expect(program.parseAsync(['node', 'cohort', ...path, '--help'])).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
    return out;
  }

  it('is available on every command, with a description of every option', async () => {
    const commands = allCommands(buildProgram());
    expect(commands.length).toBeGreaterThan(20);
    for (const command of commands) {
      const help = await helpOf(command);
      expect(help, `cohort ${command.join(' ')} --help`).toContain(`Usage: cohort ${command.join(' ')}`);
      const options = help.split('Options:')[1] ?? '';
      for (const line of options.split('\n').filter((text) => /^\s+-/.test(text))) {
        expect(line.trim(), `an option of cohort ${command.join(' ')} lacks a description`).toMatch(/\s{2,}\S/);
      }
    }
  });

  it('works from the real command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cohort [options] [command]');
    expect(result.stdout).toContain('simulate');
  });
});
