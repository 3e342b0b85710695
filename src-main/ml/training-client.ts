// The main-thread proxy of the training thread: the same operations as LocalTrainer, run in a
// worker thread so the process (a party's worker, the CLI, Electron's main process) keeps
// answering sockets, IPC and timers while a model trains.
//
// Loading the thread:
// - From source (tsx or vitest; this file's URL ends in .ts): the thread starts at
//   training-thread.bootstrap.mjs, which registers tsx in the thread and imports
//   training-thread.ts (tsx hooks registered with register() in the main thread do not reach
//   workers, and `--import tsx` in execArgv does not work for workers on Node 20).
// - Bundled (electron-vite): build training-thread.ts as a second entry of the main bundle, e.g.
//   `build.rollupOptions.input: { index: 'src-main/shell/main.ts', 'training-thread':
//   'src-main/ml/training-thread.ts' }`, so it lands beside this code as training-thread.js
//   (resolved from import.meta.url below); keep @tensorflow/* external (not bundled) so the
//   .wasm files stay in node_modules, unpacked from the asar archive. Or pass `entry` to start().
import { Worker } from 'node:worker_threads';
import { CohortError, ERROR_CODES, type ErrorCode } from '../contract/errors';
import type { GlmSpec } from '../core/glm/spec';
import type { GlmSums } from '../core/glm/sums';
import type { BackendPreference, BackendSelection } from './backend';
import type { DataRef, InitArgs, InitResult, Operation, Operations, Response, SavedModel } from './thread-protocol';
import { transferList } from './thread-protocol';
import type { ThreadOptions } from './training-thread';
import type { FitConfig, FitResult, LossName } from './trainer';

/**
 * The training thread's JavaScript heap (V8's old and young generations). A thread that needs
 * more is stopped by V8, not the machine: the call fails with a clear message and the process
 * goes on. (TF.js tensors live in WebAssembly memory, at most 4 GB per thread by its design;
 * the model and data limits in limits.ts keep those small.)
 */
export const THREAD_MEMORY_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 } as const;

export type ThreadMemoryLimits = { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };

export interface TrainingClientOptions {
  /** The thread's heap limits (default THREAD_MEMORY_LIMITS). */
  memory?: ThreadMemoryLimits;
  /** The backend the thread selects (default 'auto'). */
  backend?: BackendPreference;
  /** The thread's entry module, overriding the default (see the note at the top of this file). */
  entry?: URL;
  /** How long the thread may take to load before start() fails (default 60 s). */
  startTimeoutMs?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

// Names in constants, not literals: Vite rewrites `new URL('literal', import.meta.url)` into
// asset references at build time, and these files are resolved at run time on purpose.
const SOURCE_ENTRY = './training-thread.bootstrap.mjs';
const BUNDLED_ENTRY = './training-thread.js';

/** The thread's entry: the bootstrap beside the sources, or the bundled training-thread.js. */
export function defaultThreadEntry(moduleUrl: string = import.meta.url): URL {
  return new URL(moduleUrl.endsWith('.ts') ? SOURCE_ENTRY : BUNDLED_ENTRY, moduleUrl);
}

/** Options that load code or shape how modules resolve: the ones a thread needs and accepts. */
const VALUE_OPTIONS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);
const FLAG_OPTIONS = new Set(['--enable-source-maps', '--no-warnings', '--no-deprecation', '--trace-warnings', '--trace-uncaught']);

/**
 * The parent's Node options a worker thread accepts: module loading only. Workers refuse V8
 * options (--expose-gc, --max-old-space-size), process options (--title) and options about the
 * main script (-e CODE, --input-type), so those are left out.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    const name = arg.split('=')[0] as string;
    const takesValue = !arg.includes('=') && (VALUE_OPTIONS.has(name) || SCRIPT_VALUE_OPTIONS.has(name));
    if (VALUE_OPTIONS.has(name)) kept.push(...(takesValue ? [arg, execArgv[index + 1] as string] : [arg]));
    else if (FLAG_OPTIONS.has(name)) kept.push(arg);
    if (takesValue) index += 1;
  }
  return kept.filter((arg) => arg !== undefined);
}

/** Options about the main script that take a value, so their value is skipped too. */
const SCRIPT_VALUE_OPTIONS = new Set(['-e', '--eval', '-p', '--print', '--input-type', '--max-old-space-size', '--title']);

/** Why the thread died: out of its memory (said plainly), or another crash. */
function threadFailure(error: Error & { code?: string }, memory: ThreadMemoryLimits): Error {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new CohortError(
      'OVER_LIMIT',
      `the training thread ran out of memory (its limit is ${memory.maxOldGenerationSizeMb} MB of heap) and was stopped: the model or the data is too large for this party`,
      { limitMb: memory.maxOldGenerationSizeMb },
    );
  }
  return new Error(`the training thread crashed: ${error.message}`);
}

function reviveError(serialized: { message: string; name: string; code?: string; details?: Record<string, unknown>; stack?: string }): Error {
  let error: Error;
  if (serialized.code && (ERROR_CODES as readonly string[]).includes(serialized.code)) {
    error = new CohortError(serialized.code as ErrorCode, serialized.message, serialized.details ?? {});
  } else {
    error = new Error(serialized.message);
    error.name = serialized.name;
  }
  if (serialized.stack) error.stack = `${error.name}: ${error.message}\n    [in the training thread]\n${serialized.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

/**
 * Owns one training thread. Float32Arrays given to its methods are transferred to the thread:
 * afterwards they are detached (empty) in the caller; copy them first (`array.slice()`) to keep
 * them. Calls are answered in order. If the thread dies, every pending and later call rejects.
 */
export class TrainingClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly memoryLimits: ThreadMemoryLimits,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: Response) => this.receive(message));
    worker.on('error', (error) => this.fail(threadFailure(error, memoryLimits)));
    worker.on('messageerror', (error) => this.fail(new Error(`a training-thread message could not be read: ${error.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the training thread exited (code ${code})`)));
  }

  /** Starts a thread and waits until it has loaded (TypeScript, TF.js). */
  static async start(options: TrainingClientOptions = {}): Promise<TrainingClient> {
    const workerData: ThreadOptions = { cohortTrainingThread: true, ...(options.backend ? { backend: options.backend } : {}) };
    const memory = options.memory ?? THREAD_MEMORY_LIMITS;
    const worker = new Worker(options.entry ?? defaultThreadEntry(), { workerData, execArgv: workerExecArgv(process.execArgv), resourceLimits: { ...memory } });
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        reject(new Error(`the training thread did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'ready' in message) {
          cleanup();
          resolve();
        }
      };
      const onError = (error: Error) => {
        cleanup();
        const failure = threadFailure(error, memory);
        reject(failure instanceof CohortError ? failure : new Error(`the training thread failed to start: ${error.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the training thread exited while starting (code ${code})`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    const client = new TrainingClient(worker, memory);
    // An idle thread does not keep the process alive; a busy one does (see call()).
    worker.unref();
    return client;
  }

  /** Builds the model and keeps the data in the thread. Returns the seeded initial weights. */
  init(args: InitArgs): Promise<InitResult> {
    return this.call('init', args);
  }

  fit(global: Float32Array, cfg: FitConfig): Promise<FitResult> {
    return this.call('fit', { global, cfg });
  }

  /** Outputs for the train or evaluate rows given to init(), or for other rows. */
  predict(weights: Float32Array, which: DataRef): Promise<Float32Array> {
    return this.call('predict', { weights, which });
  }

  /** The exact regression solver's sums over the train rows at coefficients theta. */
  regressionSums(spec: GlmSpec, theta: Float64Array): Promise<GlmSums> {
    return this.call('regressionSums', { spec, theta });
  }

  evaluateLoss(weights: Float32Array, which: DataRef, loss?: LossName): Promise<number> {
    return this.call('evaluateLoss', { weights, which, ...(loss ? { loss } : {}) });
  }

  saveModel(weights: Float32Array, dir: string, metadata: Record<string, unknown> = {}): Promise<SavedModel> {
    return this.call('saveModel', { weights, dir, metadata });
  }

  /** The backend the thread uses (null before init()). */
  backend(): Promise<BackendSelection | null> {
    return this.call('backend', {});
  }

  /** TF.js memory in the thread, to check for leaks. */
  memory(): Promise<{ numTensors: number; numBytes: number }> {
    return this.call('memory', {});
  }

  /** Stops the thread and frees everything in it; pending calls reject. Idempotent. */
  async close(): Promise<void> {
    if (!this.failure) this.fail(new Error('the training thread was closed'));
    await this.worker.terminate();
    await this.exited;
  }

  private call<K extends Operation>(op: K, args: Operations[K]['args']): Promise<Operations[K]['result']> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Operations[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ id, op, args }, transferList(args, 3));
      } catch (error) {
        this.settle(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private receive(message: Response): void {
    const entry = this.settle(message.id);
    if (!entry) return;
    if (message.ok) entry.resolve(message.result);
    else entry.reject(reviveError(message.error));
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.failure) this.worker.unref();
    return entry;
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(this.failure);
  }
}
