// The folder of Cohort's package.json, found from wherever this code runs: the TypeScript
// sources (src-main/…) or a bundle (out/cli/…) sit at different depths below it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'cohort') return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`Cohort's package.json was not found above ${fileURLToPath(import.meta.url)}`);
  }
}
