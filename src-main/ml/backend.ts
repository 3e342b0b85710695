// Chooses the TF.js backend: the native TensorFlow binding (@tensorflow/tfjs-node, optional and
// often absent), else WebAssembly, else the plain JavaScript CPU backend. One choice per
// JavaScript realm (the main thread and each worker thread choose for themselves).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { CohortError } from '../contract/errors';
import { tf } from './tf';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: string;
  /** Why this backend could not be used; absent for the one chosen. */
  error?: string;
}

export interface BackendSelection {
  /** The TF.js backend in use: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** Every backend tried, in order, with the reason each failed one was passed over. */
  tried: BackendAttempt[];
}

/** Fastest first. A preference starts the list at that backend; the slower ones remain fallbacks. */
const ORDER = ['tensorflow', 'wasm', 'cpu'] as const;
type BackendName = (typeof ORDER)[number];

/** Kept in a variable so neither TypeScript nor a bundler tries to resolve the optional package. */
const TFJS_NODE = '@tensorflow/tfjs-node';

let selected: BackendSelection | null = null;
let pending: Promise<BackendSelection> | null = null;
let pendingPreference: BackendPreference | null = null;

/**
 * Selects the backend and waits until it is ready. Idempotent: a second call returns the cached
 * choice (for 'auto' or for the preference already in use); a different explicit preference
 * switches backends if that one works. Never throws: the CPU backend always works.
 */
export function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendSelection> {
  if (pending && (preference === 'auto' || preference === pendingPreference)) return pending;
  if (selected && !pending && (preference === 'auto' || preference === selected.backend)) {
    return Promise.resolve(copy(selected));
  }
  const previous = pending ?? Promise.resolve(null);
  pendingPreference = preference;
  const attempt = previous
    .catch(() => null)
    .then(() => choose(preference))
    .then((selection) => {
      selected = selection;
      return copy(selection);
    })
    .finally(() => {
      if (pending === attempt) {
        pending = null;
        pendingPreference = null;
      }
    });
  pending = attempt;
  return attempt;
}

/** The backend in use, or null before selectBackend() has finished. */
export function currentBackend(): string | null {
  return selected?.backend ?? null;
}

/** The full record of the choice (with why faster backends were passed over), or null. */
export function backendReport(): BackendSelection | null {
  return selected ? copy(selected) : null;
}

/** Throws a clear error when no backend has been selected yet (TF.js would pick one itself). */
export function requireBackend(): string {
  if (!selected) {
    throw new CohortError('INTERNAL', 'no TensorFlow.js backend selected yet: await selectBackend() first');
  }
  return selected.backend;
}

function copy(selection: BackendSelection): BackendSelection {
  return { backend: selection.backend, tried: selection.tried.map((attempt) => ({ ...attempt })) };
}

async function choose(preference: BackendPreference): Promise<BackendSelection> {
  const start = preference === 'auto' ? 0 : ORDER.indexOf(preference);
  const tried: BackendAttempt[] = [];
  for (const name of ORDER.slice(start)) {
    if (selected?.backend === name && tf.getBackend() === name) {
      tried.push({ name });
      return { backend: name, tried };
    }
    const error = await tryBackend(name);
    if (error === null) {
      tried.push({ name });
      return { backend: name, tried };
    }
    tried.push({ name, error });
  }
  // The CPU backend is pure JavaScript and registered on import: reaching this means TF.js
  // itself is broken.
  throw new CohortError('INTERNAL', `no TensorFlow.js backend could be initialised: ${describe(tried)}`, { tried });
}

function describe(tried: BackendAttempt[]): string {
  return tried.map((attempt) => `${attempt.name}: ${attempt.error ?? 'ok'}`).join('; ');
}

/**
 * Why @tensorflow/tfjs-node cannot load, found without loading it: the package is not
 * installed, or its native binding (downloaded by its install script, which does not run on
 * machines without internet) is absent. Null when the binding file is there.
 */
function missingNativeBinding(): string | null {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${TFJS_NODE}/package.json`);
  } catch {
    return `${TFJS_NODE} is not installed`;
  }
  const lib = path.join(path.dirname(packageJson), 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((folder) => existsSync(path.join(lib, folder, 'tfjs_binding.node')));
  return found ? null : `${TFJS_NODE} is installed but its native binding (tfjs_binding.node) is not: its install script did not download it`;
}

/** Initialises one backend and makes it current; returns why it failed, or null. */
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      // The native binding is optional: importing it throws when its binary is missing.
      // TF_CPP_MIN_LOG_LEVEL=2 keeps TensorFlow's C++ start-up notes off stderr.
      process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
      // Importing the package loads all of TF.js before finding the binding missing (about
      // 0.3 s per process); look for the binding's file first.
      const missing = missingNativeBinding();
      if (missing) return missing;
      await captureWarnings(() => import(/* @vite-ignore */ TFJS_NODE));
      if (!tf.findBackendFactory('tensorflow')) {
        return `${TFJS_NODE} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs-core`;
      }
    } else if (name === 'wasm') {
      const problem = locateWasmFiles();
      if (problem) return problem;
    }
    const warnings = await captureWarnings(() => tf.setBackend(name));
    if (!warnings.result) {
      return `initialisation failed${warnings.messages.length ? `: ${warnings.messages.join(' ')}` : ''}`;
    }
    await tf.ready();
    return null;
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'unknown error';
}

let wasmPathsSet = false;

/**
 * Points the WASM backend at its .wasm files by absolute path. Emscripten would otherwise look
 * beside the script that contains it, which is wrong once the code is bundled (electron-vite);
 * an absolute path also works the same in worker threads. If the package cannot be resolved
 * (bundled without node_modules), Emscripten's default is left in place.
 */
function locateWasmFiles(): string | null {
  if (wasmPathsSet) return null;
  let folder: string;
  try {
    folder = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
  const binary = path.join(folder, 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(binary)) return `WebAssembly binaries not found in ${folder}`;
  wasmBackend.setWasmPaths(folder + path.sep);
  wasmPathsSet = true;
  return null;
}

/**
 * Runs `action` with console.warn collected instead of printed, and TF.js's warnings switched
 * on: the reason a backend failed to initialise is only ever given to console.warn, as
 * "Initialization of backend X failed" followed by the error. Those two lines are returned;
 * anything else warned meanwhile (by other code) is passed on to console.warn afterwards.
 */
async function captureWarnings<T>(action: () => Promise<T>): Promise<{ result: T; messages: string[] }> {
  const captured: unknown[][] = [];
  const originalWarn = console.warn;
  const wasProd = tf.env().getBool('PROD');
  console.warn = (...args: unknown[]) => {
    captured.push(args);
  };
  tf.env().set('PROD', false);
  let result: T;
  try {
    result = await action();
  } finally {
    tf.env().set('PROD', wasProd);
    console.warn = originalWarn;
  }
  const messages: string[] = [];
  for (let index = 0; index < captured.length; index++) {
    const args = captured[index] as unknown[];
    if (typeof args[0] === 'string' && args[0].startsWith('Initialization of backend')) {
      const reason = captured[index + 1];
      if (reason) messages.push(reason.map((arg) => firstLine(arg)).join(' '));
      index += 1;
    } else if (!isTfChatter(args)) {
      originalWarn(...args);
    }
  }
  return { result, messages };
}

/** TF.js's own notices (kernel and platform re-registrations, the CPU banner). */
function isTfChatter(args: unknown[]): boolean {
  const text = typeof args[0] === 'string' ? args[0] : '';
  return /is already registered|has already been set|looks like you are running TensorFlow\.js/.test(text);
}
