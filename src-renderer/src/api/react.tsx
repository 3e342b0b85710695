// React glue for the API: the client in context, queries that fetch again when the app says
// what they show has changed, and the run events stream.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AppEvent, CommandInput, CommandName, CommandOutput } from '../../../src-main/contract/api';
import type { RunEvent } from '../../../src-main/contract/results';
import { ApiCallError, type ApiClient } from './client';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside ApiProvider');
  return client;
}

export type ChangeKind = Extract<AppEvent, { type: 'changed' }>['what'];

export interface QueryState<T> {
  data: T | undefined;
  error: ApiCallError | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs a command now, again when its input changes, and whenever one of `refreshOn` changes. */
export function useQuery<K extends CommandName>(command: K, input: CommandInput<K> | null, refreshOn: readonly ChangeKind[] = []): QueryState<CommandOutput<K>> {
  const client = useApi();
  const [state, setState] = useState<{ data?: CommandOutput<K>; error?: ApiCallError; loading: boolean }>({ loading: input !== null });
  const [tick, setTick] = useState(0);
  const key = input === null ? null : JSON.stringify(input);
  const reload = useCallback(() => setTick((value) => value + 1), []);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    client.call(command, JSON.parse(key) as CommandInput<K>).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) =>
        current && setState({ error: error instanceof ApiCallError ? error : new ApiCallError('INTERNAL', String(error)), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [client, command, key, tick]);

  const watched = refreshOn.join(',');
  useEffect(() => {
    if (!watched) return;
    const kinds = new Set(watched.split(','));
    return client.on((event) => {
      if (event.type === 'changed' && kinds.has(event.what)) reload();
    });
  }, [client, watched, reload]);

  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** A command run on demand (a form's submit), with its pending state and last error. */
export function useAction<K extends CommandName>(command: K) {
  const client = useApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiCallError | undefined>();
  const run = useCallback(
    async (input: CommandInput<K>): Promise<CommandOutput<K> | undefined> => {
      setPending(true);
      setError(undefined);
      try {
        return await client.call(command, input);
      } catch (caught) {
        setError(caught instanceof ApiCallError ? caught : new ApiCallError('INTERNAL', String(caught)));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [client, command],
  );
  return { run, pending, error, clearError: () => setError(undefined) };
}

/** Calls `listener` with every event of one run. */
export function useRunEvents(run: string | undefined, listener: (event: RunEvent) => void): void {
  const client = useApi();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    if (!run) return;
    return client.on((event) => {
      if (event.type === 'run' && event.event.run === run) latest.current(event.event);
    });
  }, [client, run]);
}

/** Whether the page is connected to the app (browser mode can lose it). */
export function useConnected(): boolean {
  const client = useApi();
  const [connected, setConnected] = useState(true);
  useEffect(() => client.transport.onStatus?.(setConnected), [client]);
  return connected;
}
