// The main process's side of the utility process that hosts the engines: requests out with
// ids, results and events back.
import { safeStorage, utilityProcess, type UtilityProcess } from 'electron';
import type { AppEvent, Result } from '../contract/api';
import { answerSecret, type SecretRequest } from './secret-box';

export class HostProcess {
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private nextId = 1;
  private exited = false;

  private constructor(private readonly child: UtilityProcess) {
    child.on('message', (message: { id?: number; result?: Result<unknown>; event?: AppEvent } & Partial<SecretRequest>) => {
      if (message.secret) {
        // The engines ask the keychain, which only this process may use.
        child.postMessage(answerSecret(safeStorage, message.secret));
      } else if (typeof message.id === 'number' && message.result) {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      } else if (message.event) {
        for (const listener of this.listeners) listener(message.event);
      }
    });
    child.on('exit', (code) => {
      this.exited = true;
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message: `the app's engine process stopped (code ${code})` } });
      this.pending.clear();
    });
  }

  /** Forks the engine process and waits until it is ready. */
  static start(modulePath: string, args: string[]): Promise<HostProcess> {
    const child = utilityProcess.fork(modulePath, args, { serviceName: 'Cohort engines', stdio: 'inherit' });
    const host = new HostProcess(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the engine process exited while starting (code ${code})`)));
      const onReady = (message: { ready?: boolean }) => {
        if (message.ready) {
          child.off('message', onReady);
          resolve(host);
        }
      };
      child.on('message', onReady);
    });
  }

  request(command: string, input: unknown): Promise<Result<unknown>> {
    if (this.exited) return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: "the app's engine process is not running" } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.postMessage({ id, command, input });
    });
  }

  onEvent(listener: (event: AppEvent) => void): void {
    this.listeners.add(listener);
  }

  stop(): void {
    if (!this.exited) this.child.kill();
  }
}
