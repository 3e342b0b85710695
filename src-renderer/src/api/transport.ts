// How the UI reaches the app's engines: Electron's preload, or a WebSocket in browser mode.
import type { AppEvent, Result } from '../../../src-main/contract/api';
import type { ChoosePath } from '../../../src-main/contract/bridge';

export interface Transport {
  readonly kind: 'electron' | 'browser' | 'memory';
  invoke(command: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** Told when the connection to the app is lost or back (browser mode). */
  onStatus?(listener: (connected: boolean) => void): () => void;
}

/** What the sandboxed Electron preload exposes (named functions only). */
export interface CohortPreload {
  transport: 'electron';
  invoke(command: string, input: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: unknown) => void): () => void;
  /** A native dialog: a file to open or save, of the types asked for, or a folder (null when cancelled). */
  choosePath: ChoosePath;
}
