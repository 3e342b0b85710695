// A lowdb adapter that never leaves a half-written file: each write goes to a temporary file,
// is flushed to disk (fsync) and renamed over the old one. A crash at any moment leaves either
// the previous complete file or the new complete file.
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { Adapter } from 'lowdb';
import { CohortError } from '../contract/errors';

export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    /** Checks and converts what was read; throws a CohortError on a bad file. */
    private readonly parse: (raw: unknown) => T,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new CohortError(
        'STORE_CORRUPT',
        `${this.path} is not valid JSON (${(error as Error).message}). It was left untouched: restore it from a backup or move it away.`,
        { path: this.path },
      );
    }
    return this.parse(raw);
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { fsync: true, mode: 0o600 });
  }
}
