// The run journal on disk: runs/<run>/journal/round-<N>/ holds checkpoint.json (everything but
// the tensors) and tensors.bin (the tensors, back to back, little-endian, listed in the JSON).
// Each checkpoint is written into a temporary folder, its files fsynced, then the folder is
// renamed into place: a crash leaves either the complete checkpoint or none. The last few are
// kept; reading takes the newest one that is complete and valid.
import { open, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Alignment } from '../contract/data';
import { Algorithm } from '../contract/records';
import { Dropout, RoundRecord } from '../contract/results';
import type { Checkpoint, RunJournal } from '../engines/run/journal';
import { runFolder } from './run-repository';

/** How many checkpoints each run keeps. */
export const KEPT_CHECKPOINTS = 3;

const TensorEntry = z.strictObject({
  name: z.string().min(1).max(200),
  dtype: z.enum(['float32', 'float64']),
  offset: z.int().min(0),
  length: z.int().min(0),
});

const StoredCheckpoint = z.strictObject({
  version: z.literal(1),
  run: z.string().min(1),
  round: z.int().min(0),
  settings: z.string().regex(/^[0-9a-f]{64}$/),
  workflow: z.string().min(1).max(100),
  startedAt: z.string(),
  alignment: Alignment,
  shape: z.strictObject({ inputSize: z.int().min(1), outputSize: z.int().min(1), target: z.enum(['binary', 'multiclass', 'regression']) }),
  parameterCount: z.int().min(0),
  strategy: z.strictObject({ algorithm: Algorithm, values: z.record(z.string(), z.number()) }),
  accountant: z.strictObject({ orders: z.array(z.number()), rdp: z.array(z.number().min(0)), steps: z.int().min(0) }).nullable(),
  pool: z.strictObject({
    approved: z.array(z.string()),
    prepared: z.array(z.strictObject({ party: z.string(), hasEvaluate: z.boolean(), trainRows: z.int().min(0) })),
    dropouts: z.array(Dropout),
  }),
  history: z.array(RoundRecord),
  state: z.record(z.string(), z.unknown()),
  tensors: z.array(TensorEntry).max(1_000),
});

export class FileRunJournal implements RunJournal {
  constructor(private readonly dataDir: string) {}

  private dir(run: string): string {
    return join(runFolder(this.dataDir, run), 'journal');
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    const dir = this.dir(checkpoint.run);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tensors: Array<[string, Float32Array | Float64Array]> = [
      ['weights', checkpoint.weights],
      ...Object.entries(checkpoint.strategy.buffers).map(([name, buffer]) => [`strategy.${name}`, buffer] as [string, Float64Array]),
      ...Object.entries(checkpoint.tensors).map(([name, tensor]) => [`state.${name}`, tensor] as [string, Float32Array]),
    ];
    const entries: Array<z.infer<typeof TensorEntry>> = [];
    let offset = 0;
    for (const [name, tensor] of tensors) {
      entries.push({ name, dtype: tensor instanceof Float64Array ? 'float64' : 'float32', offset, length: tensor.length });
      offset += tensor.byteLength;
    }
    const { weights: _weights, tensors: _tensors, strategy, ...rest } = checkpoint;
    const json = { ...rest, strategy: { algorithm: strategy.algorithm, values: strategy.values }, tensors: entries };
    const temporary = join(dir, `.round-${checkpoint.round}-${process.pid}-${Date.now()}`);
    await mkdir(temporary, { mode: 0o700 });
    await writeSynced(join(temporary, 'tensors.bin'), Buffer.concat(tensors.map(([, tensor]) => Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength))));
    await writeSynced(join(temporary, 'checkpoint.json'), Buffer.from(JSON.stringify(json)));
    const final = join(dir, `round-${checkpoint.round}`);
    await rm(final, { recursive: true, force: true });
    await rename(temporary, final);
    await this.prune(checkpoint.run);
  }

  async latest(run: string): Promise<Checkpoint | null> {
    for (const round of await this.rounds(run)) {
      const checkpoint = await this.read(run, round).catch(() => null);
      if (checkpoint) return checkpoint;
    }
    return null;
  }

  async clear(run: string): Promise<void> {
    await rm(this.dir(run), { recursive: true, force: true });
  }

  /** The rounds checkpointed, newest first. */
  private async rounds(run: string): Promise<number[]> {
    const names = await readdir(this.dir(run)).catch(() => [] as string[]);
    return names
      .map((name) => /^round-(\d+)$/.exec(name)?.[1])
      .filter((round): round is string => round !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
  }

  private async read(run: string, round: number): Promise<Checkpoint | null> {
    const dir = join(this.dir(run), `round-${round}`);
    const parsed = StoredCheckpoint.safeParse(JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')));
    if (!parsed.success || parsed.data.run !== run || parsed.data.round !== round) return null;
    const bytes = await readFile(join(dir, 'tensors.bin'));
    const tensors = new Map<string, Float32Array | Float64Array>();
    for (const entry of parsed.data.tensors) {
      const size = entry.dtype === 'float64' ? 8 : 4;
      if (entry.offset + entry.length * size > bytes.length) return null;
      const copy = bytes.subarray(entry.offset, entry.offset + entry.length * size);
      const aligned = new Uint8Array(copy).buffer; // a fresh, aligned buffer
      tensors.set(entry.name, entry.dtype === 'float64' ? new Float64Array(aligned) : new Float32Array(aligned));
    }
    const weights = tensors.get('weights');
    if (!(weights instanceof Float32Array)) return null;
    const { tensors: _entries, strategy, ...rest } = parsed.data;
    const buffers: Record<string, Float64Array> = {};
    const state: Record<string, Float32Array> = {};
    for (const [name, tensor] of tensors) {
      if (name.startsWith('strategy.') && tensor instanceof Float64Array) buffers[name.slice('strategy.'.length)] = tensor;
      if (name.startsWith('state.') && tensor instanceof Float32Array) state[name.slice('state.'.length)] = tensor;
    }
    return { ...rest, weights, strategy: { ...strategy, buffers }, tensors: state };
  }

  private async prune(run: string): Promise<void> {
    for (const round of (await this.rounds(run)).slice(KEPT_CHECKPOINTS)) {
      await rm(join(this.dir(run), `round-${round}`), { recursive: true, force: true });
    }
  }
}

async function writeSynced(path: string, data: Buffer): Promise<void> {
  await writeFile(path, data, { mode: 0o600 });
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
