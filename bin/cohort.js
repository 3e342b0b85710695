#!/usr/bin/env node
// The `cohort` command. Runs the bundle in out/cli when `npm run build` made one and no source
// file changed since; otherwise the TypeScript sources directly through tsx, so a fresh clone
// works after `npm install` with no build step, and an edited source is never shadowed by a
// stale bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'out', 'cli', 'cohort.js');

/** The newest modification time of the files the bundle was built from. */
function newestSource() {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  for (const entry of readdirSync(join(root, 'src-main'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

if (process.env['COHORT_FROM_SOURCE'] !== '1' && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli/main.ts');
}
