// Streaming proof: a 100,000 x 50 CSV of about 45 MB is inspected and loaded by a child process
// whose JavaScript heap is capped well below the file's size, which only works if the text is
// never held whole. The control reads the same file whole under the same cap, and must die.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MB = 1024 * 1024;

const ROWS = 100_000;
const NUMERIC_COLUMNS = 48;
const SITES = ['site-a', 'site-b', 'site-c', 'site-d', 'site-e'];
const OUTCOMES = ['benign', 'malignant'];
/** The heap cap for both children: the ~43 MiB of text cannot be held once, let alone as lines. */
const HEAP_CAP_MB = 32;

let dir: string;
let file: string;
/** What the generator wrote, to check the child read it right. */
const written = { sumF01: 0, outcomes: { benign: 0, malignant: 0 } as Record<string, number> };

/** A small deterministic generator (mulberry32), so every run writes the same file. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Streams the CSV to disk 1,000 rows at a time, so the test never holds the text either. */
async function writeLargeCsv(path: string): Promise<void> {
  const next = random(20240601);
  const out = createWriteStream(path);
  const names = Array.from({ length: NUMERIC_COLUMNS }, (_, i) => `f${String(i + 1).padStart(2, '0')}`);
  out.write(`${names.join(',')},site,outcome\n`);
  for (let row = 0; row < ROWS; row += 1000) {
    let chunk = '';
    for (let k = 0; k < 1000; k += 1) {
      let line = '';
      for (let c = 0; c < NUMERIC_COLUMNS; c += 1) {
        const cell = (100 + next() * 900).toFixed(4); // 8 significant digits, e.g. 512.3456
        if (c === 0) written.sumF01 += Number(cell);
        line += `${cell},`;
      }
      const outcome = OUTCOMES[next() < 0.3 ? 1 : 0]!;
      written.outcomes[outcome]! += 1;
      chunk += `${line}${SITES[Math.floor(next() * SITES.length)]},${outcome}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a fixture script in a fresh Node process, with the heap cap unless `heapCapMb` is null. */
function runFixture(script: string, args: string[], heapCapMb: number | null = HEAP_CAP_MB): Promise<ChildResult> {
  const started = Date.now();
  const flags = heapCapMb === null ? [] : [`--max-old-space-size=${heapCapMb}`];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', script, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-large-csv-'));
  file = join(dir, 'large.csv');
  const started = Date.now();
  await writeLargeCsv(file);
  console.log(`generated ${file}: ${((await stat(file)).size / MB).toFixed(1)} MiB in ${Date.now() - started} ms`);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a large CSV under a heap cap below its size', () => {
  it('is about 45 MB: well over the heap cap', async () => {
    const { size } = await stat(file);
    expect(size).toBeGreaterThan(40e6);
    expect(size).toBeLessThan(50e6);
    expect(size).toBeGreaterThan(1.25 * HEAP_CAP_MB * MB);
  });

  it('is inspected and loaded in a streaming pass each', { timeout: 180_000 }, async () => {
    const result = await runFixture('test/fixtures/large-csv-stream.ts', [file, 'outcome', 'f01']);
    console.log(`inspect + load under a ${HEAP_CAP_MB} MB heap: ${result.ms} ms`);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as {
      rows: number;
      columns: number;
      profiledRows: number;
      kinds: Record<string, number>;
      targetLevels: Record<string, number>;
      sum: number;
    };
    expect(output).toMatchObject({ rows: ROWS, columns: 50, profiledRows: ROWS });
    expect(output.kinds).toEqual({ numeric: NUMERIC_COLUMNS, categorical: 2 });
    expect(output.targetLevels).toEqual(written.outcomes);
    expect(output.sum).toBeCloseTo(written.sumF01, 4);
  });

  it('the control, reading the file whole and splitting it, runs out of memory under the same cap', { timeout: 60_000 }, async () => {
    const result = await runFixture('test/fixtures/large-csv-naive.ts', [file]);
    console.log(`naive read under a ${HEAP_CAP_MB} MB heap: ${result.ms} ms, exit ${result.code ?? result.signal}`);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/heap out of memory/);

    // ...and it is the cap that kills it: without one, the same script reads the file fine.
    const uncapped = await runFixture('test/fixtures/large-csv-naive.ts', [file], null);
    expect(uncapped.stderr).toBe('');
    expect(uncapped.code).toBe(0);
    expect(JSON.parse(uncapped.stdout)).toEqual({ lines: ROWS + 2 }); // header, rows, and '' after the last newline
  });
});
