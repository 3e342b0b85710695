// Kills a process that is writing the metadata store (SIGKILL, so no cleanup runs) at a few
// different moments, then checks the store opens and holds the last completed write.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore, STORE_FILE } from '../../src-main/store/metadata-store';
import { SCHEMA_VERSION } from '../../src-main/store/database';

const ROOT = resolve(import.meta.dirname, '../..');

let dir: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-crash-'));
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child!.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface KilledWriter {
  /** Every counter the writer printed, in order. */
  printed: number[];
  signal: NodeJS.Signals | null;
}

/**
 * Starts the writer and kills it with SIGKILL once it has printed `killAfter` counters and a
 * further `delayMs` has passed. Killing the moment a line arrives would nearly always land at
 * the same point of the writer's loop (just after a print); the delay moves the kill around
 * its lock / read / write / rename cycle.
 */
function runAndKill(killAfter: number, delayMs: number): Promise<KilledWriter> {
  return new Promise((resolvePromise, reject) => {
    const writer = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/store-writer.ts', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = writer;
    let stdout = '';
    let stderr = '';
    let killed = false;
    writer.stdout.setEncoding('utf8');
    writer.stderr.setEncoding('utf8');
    writer.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!killed && stdout.split('\n').length - 1 >= killAfter) {
        killed = true;
        if (delayMs === 0) writer.kill('SIGKILL');
        else setTimeout(() => writer.kill('SIGKILL'), delayMs);
      }
    });
    writer.stderr.on('data', (chunk: string) => (stderr += chunk));
    writer.on('error', reject);
    writer.on('close', (code, signal) => {
      if (!killed) {
        reject(new Error(`the writer exited by itself (code ${code}, signal ${signal}) after printing:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      // Only complete lines count: a line cut short by the kill was not printed.
      const lines = stdout.split('\n').slice(0, -1);
      resolvePromise({ printed: lines.map(Number), signal });
    });
  });
}

describe('the metadata store survives a writer killed mid-write', () => {
  const moments = [
    { killAfter: 30, delayMs: 0 },
    { killAfter: 57, delayMs: 1 },
    { killAfter: 91, delayMs: 2 },
    { killAfter: 44, delayMs: 3 },
    { killAfter: 73, delayMs: 5 },
  ];
  for (const { killAfter, delayMs } of moments) {
    // A writer killed while holding the lock leaves it behind; the next open waits until it is
    // stale (10 s by default), hence the longer timeout.
    it(`after at least ${killAfter} writes, plus ${delayMs} ms`, { timeout: 60_000 }, async () => {
      const { printed, signal } = await runAndKill(killAfter, delayMs);
      expect(signal).toBe('SIGKILL');
      expect(printed.length).toBeGreaterThanOrEqual(killAfter);
      // The writer printed 1, 2, 3, ... with nothing skipped or garbled.
      expect(printed).toEqual(Array.from({ length: printed.length }, (_, i) => i + 1));
      const last = printed[printed.length - 1]!;

      // The file is whole JSON (never half-written)...
      const onDisk = JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8')) as { schemaVersion: number };
      expect(onDisk.schemaVersion).toBe(SCHEMA_VERSION);

      // ...and the store opens (taking over the dead writer's lock) with the last write in it.
      const store = await MetadataStore.open(dir);
      const collaboration = await store.get('collaborations', 'crash-test');
      expect([String(last), String(last + 1)]).toContain(collaboration.description);
      expect(await store.list('collaborations')).toHaveLength(1);

      // And it can be written again.
      const updated = await store.update('collaborations', 'crash-test', { description: 'after the crash' });
      expect(updated.description).toBe('after the crash');
    });
  }
});
