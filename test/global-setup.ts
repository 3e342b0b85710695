// Before any test: bundle the `cohort` command (esbuild, about a second), so that the many
// processes the tests start (hubs, workers, the command line) skip compiling the TypeScript
// sources through tsx each time. bin/cohort.js runs the bundle only while no source is newer,
// and the bundle is swapped in whole, so a test never runs a stale or half-written one.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`could not bundle the command line for the tests: ${result.stderr}`);
}
