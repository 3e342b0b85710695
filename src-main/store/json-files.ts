// Small JSON files beside the store (run history and results, hub.json): written atomically,
// read back through a schema.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { z } from 'zod';
import { CohortError } from '../contract/errors';

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The parsed content of a JSON file, undefined if there is no such file, or a STORE_CORRUPT
 * error naming the file (which is left untouched).
 */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CohortError(
      'STORE_CORRUPT',
      `${path} is not valid JSON (${(error as Error).message}). It was left untouched: restore it from a backup or move it away.`,
      { path },
    );
  }
}

/** The file's content checked by a schema, or undefined if there is no such file. */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | undefined> {
  const raw = await readJson(path);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CohortError('STORE_CORRUPT', `${path} is not valid: ${parsed.error.issues[0]?.message ?? ''}`, { path });
  return parsed.data as z.infer<S>;
}
