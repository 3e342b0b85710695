import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root';

/** The version in package.json, read once when asked. */
export function version(): string {
  const raw: unknown = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8'));
  return typeof raw === 'object' && raw !== null && 'version' in raw ? String(raw.version) : 'unknown';
}
