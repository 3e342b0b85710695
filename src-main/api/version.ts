import { readFileSync } from 'node:fs';

/** The version in package.json, read once when asked. */
export function version(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof raw === 'object' && raw !== null && 'version' in raw ? String(raw.version) : 'unknown';
}
