// A lowdb adapter that never leaves a half-written file: each write goes to a temporary file,
// is flushed to disk (fsync) and renamed over the old one. A crash at any moment leaves either
// the previous complete file or the new complete file.
import writeFileAtomic from 'write-file-atomic';
import type { Adapter } from 'lowdb';
import { readJson } from './json-files';

export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    /** Checks and converts what was read; throws a CohortError on a bad file. */
    private readonly parse: (raw: unknown) => T,
  ) {}

  async read(): Promise<T | null> {
    const raw = await readJson(this.path);
    return raw === undefined ? null : this.parse(raw);
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(data, null, 2)}\n`, { fsync: true, mode: 0o600 });
  }
}
