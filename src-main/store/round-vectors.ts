// A worker's own state for one run, per round: float32 vectors it must keep between rounds and
// across restarts (SCAFFOLD's control variate c_i). Each is a file <name>.<round>.f32 written
// atomically (fsynced, then renamed into place) and readable by this user only; the last few
// rounds are kept so that a round the hub redoes after a crash starts from the same state.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CohortError } from '../contract/errors';
import type { RoundVectors } from '../engines/ports';

/** Rounds kept per vector name. */
export const KEPT_ROUNDS = 3;

const NAME = /^[a-z][a-zA-Z0-9-]{0,63}$/;

export class RoundVectorFiles implements RoundVectors {
  constructor(private readonly dir: string) {}

  async save(name: string, round: number, values: Float32Array): Promise<void> {
    checkName(name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    await writeFileAtomic(join(this.dir, `${name}.${round}.f32`), bytes, { fsync: true, mode: 0o600 });
    const rounds = await this.rounds(name);
    for (const old of rounds.slice(0, Math.max(0, rounds.length - KEPT_ROUNDS))) await rm(join(this.dir, `${name}.${old}.f32`), { force: true });
  }

  async latestBefore(name: string, round: number, length: number): Promise<Float32Array | null> {
    checkName(name);
    const earlier = (await this.rounds(name)).filter((saved) => saved < round);
    const last = earlier.at(-1);
    if (last === undefined) return null;
    const file = join(this.dir, `${name}.${last}.f32`);
    const bytes = await readFile(file);
    if (bytes.byteLength !== length * 4) {
      throw new CohortError('STORE_CORRUPT', `${file} holds ${bytes.byteLength} bytes; this run's model needs ${length * 4}`);
    }
    const values = new Float32Array(length);
    new Uint8Array(values.buffer).set(bytes);
    if (!values.every(Number.isFinite)) throw new CohortError('STORE_CORRUPT', `${file} holds a value that is not a finite number`);
    return values;
  }

  /** The rounds saved under `name`, in increasing order. */
  private async rounds(name: string): Promise<number[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const pattern = new RegExp(`^${name}\\.(\\d{1,9})\\.f32$`);
    return files.flatMap((file) => {
      const match = pattern.exec(file);
      return match ? [Number(match[1])] : [];
    }).sort((a, b) => a - b);
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new CohortError('INTERNAL', `"${name}" is not a usable state name`);
}
