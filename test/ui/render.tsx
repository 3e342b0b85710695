// Renders a screen as the app does (Mantine, router, API client), with a fake API whose
// commands the test answers. Every call is recorded; events can be pushed.
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import type { AppEvent, CommandName, Result } from '../../src-main/contract/api';
import { ApiClient } from '../../src-renderer/src/api/client';
import { ApiProvider } from '../../src-renderer/src/api/react';
import type { Transport } from '../../src-renderer/src/api/transport';
import { theme } from '../../src-renderer/src/app/theme';

export type FakeHandlers = Partial<Record<CommandName, (input: never) => unknown>>;

export class FakeApi implements Transport {
  readonly kind = 'memory' as const;
  readonly calls: Array<{ command: string; input: unknown }> = [];
  private readonly listeners = new Set<(event: AppEvent) => void>();

  constructor(public handlers: FakeHandlers) {}

  async invoke(command: string, input: unknown): Promise<Result<unknown>> {
    this.calls.push({ command, input });
    const handler = this.handlers[command as CommandName] as ((input: unknown) => unknown) | undefined;
    if (!handler) return { ok: false, error: { code: 'INTERNAL', message: `the test did not expect ${command}` } };
    try {
      return { ok: true, value: await handler(input) };
    } catch (error) {
      const { code = 'VALIDATION', message, details } = error as { code?: string; message: string; details?: Record<string, unknown> };
      return { ok: false, error: { code: code as never, message, ...(details ? { details } : {}) } };
    }
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AppEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  callsOf(command: CommandName): unknown[] {
    return this.calls.filter((call) => call.command === command).map((call) => call.input);
  }
}

/** An error a fake handler throws, as the real app would answer it. */
export function apiError(code: string, message: string, details?: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { code }, details ? { details } : {});
}

/** `outside` is rendered in the router but outside the route (to watch where the screen navigates). */
export function renderScreen(element: ReactElement, options: { api: FakeApi; path?: string; route?: string; outside?: ReactElement }) {
  const client = new ApiClient(options.api);
  return render(
    <MantineProvider theme={theme}>
      <Notifications />
      <ApiProvider client={client}>
        <MemoryRouter initialEntries={[options.path ?? '/']}>
          <Routes>
            <Route path={options.route ?? '*'} element={element} />
            {options.route !== undefined && options.route !== '*' && <Route path="*" element={null} />}
          </Routes>
          {options.outside}
        </MemoryRouter>
      </ApiProvider>
    </MantineProvider>,
  );
}
