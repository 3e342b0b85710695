// Bundles the `cohort` command into out/cli (one ES module per entry plus shared chunks, npm
// packages left as imports), so each process skips compiling ~250 TypeScript modules through
// tsx: a simulation starts five processes and three training threads. bin/cohort.js uses the
// bundle only while it is newer than every source file; otherwise it runs the sources.
import { build } from 'esbuild';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'out', 'cli');
// Built aside, then swapped in: a `cohort` process starting meanwhile sees the old bundle or the
// new one (or none, and runs the sources), never half of one.
const outdir = `${target}.${process.pid}.new`;
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cohort: 'src-main/cli/main.ts', 'training-thread': 'src-main/ml/training-thread.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const old = `${target}.${process.pid}.old`;
await rename(target, old).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(outdir, target);
await rm(old, { recursive: true, force: true });
