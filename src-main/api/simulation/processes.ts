// The OS processes of a simulation: the hub and one worker per party, each a real `cohort`
// process talking over 127.0.0.1. Their logs go to files in the workspace; they are stopped
// (SIGTERM, then SIGKILL) when the simulation ends, fails or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root';

export const COHORT_BIN = join(projectRoot(), 'bin', 'cohort.js');

export interface ManagedProcess {
  label: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves with the first line the process prints on stdout. */
  firstLine: Promise<string>;
}

export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  private readonly killOnExit = () => {
    for (const { child } of this.processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
    process.on('exit', this.killOnExit);
  }

  spawn(label: string, args: string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
    const child = spawn(process.execPath, [COHORT_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(this.logDir, `${label}.log`));
    child.stderr!.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const firstLine = new Promise<string>((resolve, reject) => {
      let buffer = '';
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        const end = buffer.indexOf('\n');
        if (end >= 0) {
          child.stdout!.off('data', onData);
          child.stdout!.pipe(log);
          resolve(buffer.slice(0, end));
        }
      };
      child.stdout!.on('data', onData);
      void exited.then((code) => reject(new Error(`${label} exited (code ${code}) before it was ready; see ${join(this.logDir, `${label}.log`)}`)));
    });
    firstLine.catch(() => undefined);
    const managed = { label, child, exited, firstLine };
    this.processes.push(managed);
    return managed;
  }

  /** Asks every process to stop, and kills those that do not within the grace period. */
  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all(
      this.processes.map(async ({ child, exited }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    process.off('exit', this.killOnExit);
  }

  pids(): number[] {
    return this.processes.map(({ child }) => child.pid).filter((pid): pid is number => pid !== undefined);
  }
}
