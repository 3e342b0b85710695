// A worker's per-round vectors on disk: the latest before a round, the last few kept, private
// files, and a damaged file refused rather than trained with.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { KEPT_ROUNDS, RoundVectorFiles } from '../../../src-main/store/round-vectors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-vectors-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('returns the vector of the latest round before the one asked, keeps the last few, readable by its owner only', async () => {
  const files = new RoundVectorFiles(join(dir, 'state'));
  expect(await files.latestBefore('control', 1, 2)).toBeNull();
  for (let round = 1; round <= 5; round += 1) await files.save('control', round, Float32Array.from([round, -round]));
  expect(Array.from((await files.latestBefore('control', 4, 2))!)).toEqual([3, -3]);
  expect(Array.from((await files.latestBefore('control', 99, 2))!)).toEqual([5, -5]);
  expect((await readdir(join(dir, 'state'))).sort()).toHaveLength(KEPT_ROUNDS);
  expect(await files.latestBefore('control', 3, 2)).toBeNull(); // rounds 1 and 2 are gone
  if (process.platform !== 'win32') expect((await stat(join(dir, 'state', 'control.5.f32'))).mode & 0o777).toBe(0o600);
});

it('refuses a file of the wrong size or holding a non-finite value', async () => {
  const files = new RoundVectorFiles(dir);
  await files.save('control', 1, Float32Array.from([1, 2]));
  await expect(files.latestBefore('control', 2, 3)).rejects.toThrow(/holds 8 bytes; this run's model needs 12/);
  await writeFile(join(dir, 'control.1.f32'), Buffer.from(Float32Array.from([1, Number.NaN]).buffer));
  await expect(files.latestBefore('control', 2, 2)).rejects.toThrow(/not a finite number/);
});
