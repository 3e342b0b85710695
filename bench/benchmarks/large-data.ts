// Large data at one participant: a generated 5,000,000 x 50 Parquet file (numbers, categories,
// a boolean, an identifier, a binary outcome) registered (profiled by the engine), prepared for a
// run and trained for one epoch, in a process of its own whose peak resident size is measured.
// The encoded rows alone are 1 GB and the raw numbers 2 GB: the peak must stay well below both.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withConnection } from '../../src-main/datasource/engine/duckdb';
import { ROOT } from '../lib/federation';
import { figure } from '../lib/stats';
import type { Benchmark } from '../lib/types';

export const LARGE_ROWS = Number(process.env['COHORT_BENCH_LARGE_ROWS'] ?? 5_000_000);
const PEAK_TARGET_BYTES = 1.5 * 1024 ** 3;

/** Writes the file once (deterministic: seeded), and reuses it on later runs. */
async function largeParquet(rows: number): Promise<{ path: string; seconds: number }> {
  const dir = join(tmpdir(), 'cohort-bench-data');
  const path = join(dir, `large-${rows}.parquet`);
  if (existsSync(path)) return { path, seconds: 0 };
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const labs = Array.from({ length: 44 }, (_, i) => `round(100 + 15 * (random() + random() + random() - 1.5), 2) AS lab_${String(i + 1).padStart(2, '0')}`);
  await withConnection(async (connection) => {
    await connection.run('SELECT setseed(0.2024)');
    await connection.run(
      `COPY (SELECT *, CASE WHEN 0.04 * (age - 55) + 0.05 * (lab_01 - 100) - 0.05 * (lab_02 - 100) + CASE WHEN smoker THEN 0.8 ELSE 0 END + 2 * (random() - 0.5) > 0 THEN 'yes' ELSE 'no' END AS outcome FROM (
        SELECT range AS patient_id, 18 + CAST(floor(random() * 78) AS INTEGER) AS age,
          CASE WHEN random() < 0.5 THEN 'F' ELSE 'M' END AS sex,
          ['north', 'south', 'east', 'west', 'centre'][1 + CAST(floor(random() * 5) AS INTEGER)] AS site,
          random() < 0.3 AS smoker,
          ${labs.join(', ')}
        FROM range(${rows}))) TO '${path}.part' (FORMAT parquet, ROW_GROUP_SIZE 122880)`,
    );
  });
  await rename(`${path}.part`, path);
  return { path, seconds: (performance.now() - started) / 1000 };
}

export const largeData: Benchmark = {
  key: 'largeData',
  async run() {
    const { path, seconds: generateSeconds } = await largeParquet(LARGE_ROWS);
    // The participant runs from the sources (tsx), with the engine's memory limit at 512 MB.
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'large-data-party.ts'), path], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, COHORT_ENGINE_MEMORY: '512MB' },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`the participant failed: ${child.stderr.slice(-2000)}`);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      rows: number;
      columns: number;
      features: number;
      spooled: boolean;
      loss: number;
      stages: { register: number; declare: number; prepare: number; trainEpoch: number };
      peakRssBytes: number;
    };
    return {
      title: `large data: ${(out.rows / 1e6).toFixed(1)}M rows x ${out.columns} columns (Parquet) at one participant`,
      figures: {
        registerRowsPerSecond: figure([out.rows / out.stages.register], 'rows/s'),
        profileRowsPerSecond: figure([out.rows / out.stages.declare], 'rows/s'),
        prepareRowsPerSecond: figure([out.rows / out.stages.prepare], 'rows/s'),
        trainRowsPerSecond: figure([out.rows / out.stages.trainEpoch], 'rows/s'),
        peakRss: figure([out.peakRssBytes], 'bytes'),
      },
      target: `peak resident size <= ${PEAK_TARGET_BYTES / 1024 ** 3} GB (the encoded rows alone are ${((out.rows * (out.features + 1) * 4) / 1024 ** 3).toFixed(2)} GB)`,
      met: out.peakRssBytes <= PEAK_TARGET_BYTES && out.spooled,
      notes: `register = profile at registration; profile = the profile a run declares; prepare = rows streamed from the engine, encoded and spooled; train = one epoch of logistic regression, batch 1024, read a block at a time; the file took ${generateSeconds.toFixed(0)} s to generate (0: reused)`,
      details: { ...out, generateSeconds },
    };
  },
};
