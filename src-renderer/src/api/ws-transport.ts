// Browser mode: the API over a WebSocket to the app's 127.0.0.1 server. Reconnects with
// backoff; requests made while disconnected fail with a clear message instead of hanging.
import type { AppEvent, Result } from '../../../src-main/contract/api';
import { AppEvent as AppEventSchema } from '../../../src-main/contract/api';
import type { Transport } from './transport';

/** The parts of a WebSocket this transport uses (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;
const REQUEST_TIMEOUT_MS = 120_000;

export function createWebSocketTransport(url: string, open: SocketFactory): Transport & { close(): void } {
  const listeners = new Set<(event: AppEvent) => void>();
  const statusListeners = new Set<(connected: boolean) => void>();
  const pending = new Map<number, { resolve: (result: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;
  let socket: SocketLike | undefined;
  let ready: Promise<SocketLike> | undefined;
  let closed = false;
  let attempt = 0;

  const fail = (id: number, message: string) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve({ ok: false, error: { code: 'INTERNAL', message } });
  };

  const connect = (): Promise<SocketLike> => {
    ready ??= new Promise<SocketLike>((resolve, reject) => {
      const candidate = open(url);
      candidate.onopen = () => {
        socket = candidate;
        attempt = 0;
        statusListeners.forEach((listener) => listener(true));
        resolve(candidate);
      };
      candidate.onerror = () => undefined; // onclose follows
      candidate.onclose = () => {
        const wasOpen = socket === candidate;
        socket = undefined;
        ready = undefined;
        for (const id of [...pending.keys()]) fail(id, 'the connection to the Cohort app was lost; try again');
        if (wasOpen) statusListeners.forEach((listener) => listener(false));
        else reject(new Error('cannot reach the Cohort app'));
        if (!closed && (wasOpen || listeners.size > 0)) {
          const delay = Math.min(5_000, 250 * 2 ** attempt++);
          setTimeout(() => {
            if (!closed) connect().catch(() => undefined);
          }, delay);
        }
      };
      candidate.onmessage = ({ data }) => {
        let message: { id?: unknown; result?: unknown; event?: unknown };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          return;
        }
        if (typeof message.id === 'number') {
          const entry = pending.get(message.id);
          if (!entry) return;
          pending.delete(message.id);
          clearTimeout(entry.timer);
          entry.resolve(message.result as Result<unknown>);
        } else if (message.event !== undefined) {
          const parsed = AppEventSchema.safeParse(message.event);
          if (parsed.success) listeners.forEach((listener) => listener(parsed.data));
        }
      };
    });
    return ready;
  };

  return {
    kind: 'browser',
    async invoke(command, input) {
      let current: SocketLike;
      try {
        current = socket?.readyState === OPEN ? socket : await connect();
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: 'cannot reach the Cohort app: is it still running?' } };
      }
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        const timer = setTimeout(() => fail(id, `the app did not answer ${command} in time`), REQUEST_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
        current.send(JSON.stringify({ id, command, input }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      connect().catch(() => undefined);
      return () => listeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
