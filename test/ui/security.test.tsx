// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { ApiTypes, CommandInput } from '../../src-main/contract/api';
import { ChoosePathRequest, type ChoosePath } from '../../src-main/contract/bridge';
import type { SecurityEvent, SecurityLogQuery } from '../../src-main/contract/security';
import type { CohortPreload } from '../../src-renderer/src/api/transport';
import { App } from '../../src-renderer/src/app/App';
import { formatBytes } from '../../src-renderer/src/components/format';
import { joinPath } from '../../src-renderer/src/components/paths';
import { SecurityPage } from '../../src-renderer/src/pages/security/SecurityPage';
import { appInfo, CERTIFICATE, consent } from './participant-fixtures';
import { apiError, FakeApi, renderScreen, type FakeHandlers } from './render';

const ORCHESTRATOR: ApiTypes['AppInfo'] = {
  ...appInfo(null),
  role: 'orchestrator',
  dataDir: '/srv/cohort-hub',
  identity: { key: 'MCowBQYDK2VwAyEAhubkeyhubkeyhubkeyhubkeyhubkeyhubk', fingerprint: 'SHA256:9f3a 11c2 0be4 77d1 5a60 e2c8 4b19 d0f7' },
  hub: { url: 'wss://0.0.0.0:7800', publicUrl: 'wss://hub.example.org:7800', certificate: CERTIFICATE },
};
const PARTICIPANT = appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: 'North Trust' });
const RULES: ApiTypes['OwnerRules'] = {
  projectId: null,
  minCellCount: 5,
  minCellCountFrom: 'default',
  defaultMinCellCount: 5,
  installationMinCellCount: null,
  projectMinCellCount: null,
  epsilonBudget: null,
  epsilonSpent: null,
};

/** Event `index` of a log: one a minute from 9:00, alternating out and in. */
function event(index: number, overrides: Partial<SecurityEvent> = {}): SecurityEvent {
  const outbound = index % 2 === 0;
  return {
    at: new Date(Date.UTC(2026, 0, 10, 9, index)).toISOString(),
    direction: outbound ? 'outbound' : 'inbound',
    kind: 'message',
    peer: outbound ? 'hospital-a' : 'hospital-b (10.0.0.7)',
    what: outbound ? 'run.fit' : 'reply to run.fit',
    bytes: 1_000 + index,
    outcome: outbound ? 'sent' : 'accepted',
    run: 'fedavg-baseline',
    ...overrides,
  };
}

const { run: _run, ...third } = event(3);
const refused: SecurityEvent = { ...third, kind: 'connection', peer: '203.0.113.9', what: 'handshake', bytes: 0, outcome: 'refused', reason: 'unknown participant key' };

/** Answers security.list as the app does: filtered, newest first, paged, totals over the whole log. */
function answer(log: SecurityEvent[], input: SecurityLogQuery): ApiTypes['SecurityLogPage'] {
  const needle = input.search?.toLowerCase();
  const matching = log
    .filter((entry) => !input.direction || entry.direction === input.direction)
    .filter((entry) => !input.outcome || entry.outcome === input.outcome)
    .filter((entry) => !needle || [entry.peer, entry.what, entry.reason ?? '', entry.run ?? ''].some((text) => text.toLowerCase().includes(needle)))
    .reverse();
  const offset = input.offset ?? 0;
  return {
    events: matching.slice(offset, offset + (input.limit ?? 200)),
    total: matching.length,
    bytesSent: log.filter((entry) => entry.direction === 'outbound' && entry.outcome === 'sent').reduce((sum, entry) => sum + entry.bytes, 0),
    refused: log.filter((entry) => entry.outcome === 'refused').length,
  };
}

function setup(options: { info?: ApiTypes['AppInfo']; log?: SecurityEvent[]; handlers?: FakeHandlers } = {}) {
  let log = options.log ?? [event(0), event(1), event(2), refused];
  const api = new FakeApi({
    'app.info': () => options.info ?? PARTICIPANT,
    'security.list': (input: SecurityLogQuery) => answer(log, input),
    'security.export': ({ path }: CommandInput<'security.export'>) => ({ path, events: log.length }),
    'settings.get': () => RULES,
    ...options.handlers,
  });
  renderScreen(<SecurityPage />, { api });
  return { api, user: userEvent.setup(), setLog: (next: SecurityEvent[]) => (log = next) };
}

/** The last query for the log's rows (not the one-row query for the figures over the whole log). */
const lastQuery = (api: FakeApi) => (api.callsOf('security.list') as SecurityLogQuery[]).filter((query) => query.limit !== 1).at(-1);
const logTable = () => screen.findByRole('table', { name: 'Security log' });
const bodyRows = (table: HTMLElement) => within(table).getAllByRole('row').slice(1);

// A screen a hospital relies on must render without React or Mantine complaining.
let consoleError: MockInstance;
let consoleWarn: MockInstance;
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
  consoleWarn = vi.spyOn(console, 'warn');
});
afterEach(() => {
  expect(consoleError).not.toHaveBeenCalled();
  expect(consoleWarn).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('security screen', () => {
  it('explains what is recorded and where the log is kept', async () => {
    setup();
    const about = await screen.findByRole('region', { name: 'What the security log records' });
    expect(about.textContent).toContain('Everything that left this computer: what it was, to whom, how many bytes, and when.');
    expect(about.textContent).toContain('accepted or refused, and why it was refused');
    expect(about.textContent).toContain('as soon as it arrives');
    expect(about.textContent).toContain('only ever added to');
    expect(within(about).getByText('/home/cohort/data/security-log.jsonl')).toBeTruthy();
  });

  it('shows this participant’s fingerprint and full key, and what to compare them with', async () => {
    setup();
    const section = await screen.findByRole('region', { name: 'This installation' });
    expect(within(section).getByText(PARTICIPANT.identity.fingerprint)).toBeTruthy();
    expect(within(section).getByText(PARTICIPANT.identity.key)).toBeTruthy();
    expect(within(section).getByRole('button', { name: 'Copy the full identity key' })).toBeTruthy();
    expect(section.textContent).toContain('The orchestrator sees this fingerprint beside your hospital on its Participants page');
    expect(within(section).queryByText(/Hub certificate/)).toBeNull();
  });

  it('shows the orchestrator’s certificate fingerprint and public address, and links runs to their page', async () => {
    setup({ info: ORCHESTRATOR });
    const section = await screen.findByRole('region', { name: 'This installation' });
    expect(within(section).getByText(ORCHESTRATOR.identity.fingerprint)).toBeTruthy();
    expect(within(section).getByText(CERTIFICATE)).toBeTruthy();
    expect(within(section).getByText('wss://hub.example.org:7800')).toBeTruthy();
    expect(within(section).getByText('Listening on wss://0.0.0.0:7800.')).toBeTruthy();
    expect(section.textContent).toContain('Each hospital’s own fingerprint is on your Participants page');
    const table = await logTable();
    expect(within(bodyRows(table)[1]!).getByRole('link', { name: 'fedavg-baseline' }).getAttribute('href')).toBe('/runs/fedavg-baseline');
  });

  it('shows the totals and every event, newest first', async () => {
    const { api } = setup();
    const table = await logTable();
    expect(lastQuery(api)).toEqual({ offset: 0, limit: 100 });
    const rows = bodyRows(table);
    expect(rows).toHaveLength(4);
    // Newest first: the refused handshake came last.
    const first = rows[0]!;
    expect(within(first).getByText('Inbound')).toBeTruthy();
    expect(within(first).getByText('203.0.113.9')).toBeTruthy();
    expect(within(first).getByText('handshake')).toBeTruthy();
    expect(within(first).getByText('Refused')).toBeTruthy();
    expect(within(first).getByText('unknown participant key')).toBeTruthy();
    expect(within(first).getByText('10 Jan 2026, 09:03:00')).toBeTruthy();
    const sent = rows[1]!;
    expect(within(sent).getByText('Outbound')).toBeTruthy();
    expect(within(sent).getByText('hospital-a')).toBeTruthy();
    expect(within(sent).getByText('run.fit')).toBeTruthy();
    expect(within(sent).getByText('1002 B')).toBeTruthy();
    expect(within(sent).getByText('Sent')).toBeTruthy();
    expect(within(rows[2]!).getByText('Accepted')).toBeTruthy();

    const summary = screen.getByRole('group', { name: 'Summary' });
    expect(within(summary).getByText('Events recorded').parentElement!.textContent).toContain('4');
    expect(within(summary).getByText('Sent to others').parentElement!.textContent).toContain('2.0 KB');
    expect(within(summary).getByText('Refused').parentElement!.textContent).toContain('1');
  });

  it('asks the app for the events matching the filters, and keeps the totals over the whole log', async () => {
    const { api, user } = setup();
    await logTable();

    await user.click(within(screen.getByRole('radiogroup', { name: 'Outcome' })).getByRole('radio', { name: 'Refused' }));
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 100, outcome: 'refused' }));
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: 'Security log' }))).toHaveLength(1));
    // The figures still count the whole log, not the matches.
    expect(api.callsOf('security.list')).toContainEqual({ offset: 0, limit: 1 });
    const summary = screen.getByRole('group', { name: 'Summary' });
    await waitFor(() => expect(within(summary).getByText('Events recorded').parentElement!.textContent).toContain('4'));

    await user.click(within(screen.getByRole('radiogroup', { name: 'Outcome' })).getByRole('radio', { name: 'Any outcome' }));
    await user.click(within(screen.getByRole('radiogroup', { name: 'Direction' })).getByRole('radio', { name: 'Outbound' }));
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 100, direction: 'outbound' }));

    const calls = api.callsOf('security.list').length;
    await user.type(screen.getByRole('textbox', { name: 'Search the log' }), 'hospital-a');
    // Debounced: one request for the whole word, not one per key.
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 100, direction: 'outbound', search: 'hospital-a' }));
    const searches = api.callsOf('security.list').slice(calls) as SecurityLogQuery[];
    expect(searches.filter((query) => query.limit === 100).length).toBeLessThanOrEqual(2);
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: 'Security log' }))).toHaveLength(2));

    await user.type(screen.getByRole('textbox', { name: 'Search the log' }), '-nowhere');
    expect(await screen.findByText('No event matches these filters.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear the filters' }));
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 100 }));
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: 'Security log' }))).toHaveLength(4));
  });

  it('loads more a page at a time, and refreshes live without losing the filters or the rows loaded', async () => {
    const many = Array.from({ length: 250 }, (_, index) => event(index));
    const { api, user, setLog } = setup({ log: many });
    let table = await logTable();
    expect(bodyRows(table)).toHaveLength(100);
    expect(screen.getByText('Showing the newest 100 of 250 events.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load 100 more' }));
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 200 }));
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: 'Security log' }))).toHaveLength(200));
    expect(screen.getByText('Showing the newest 200 of 250 events.')).toBeTruthy();

    await user.click(within(screen.getByRole('radiogroup', { name: 'Direction' })).getByRole('radio', { name: 'Outbound' }));
    // New filters start again at one page.
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 100, direction: 'outbound' }));
    await user.click(await screen.findByRole('button', { name: 'Load 25 more' }));
    await waitFor(() => expect(lastQuery(api)).toEqual({ offset: 0, limit: 200, direction: 'outbound' }));
    await waitFor(() => expect(bodyRows(screen.getByRole('table', { name: 'Security log' }))).toHaveLength(125));
    expect(screen.queryByRole('button', { name: /more/ })).toBeNull();

    setLog([...many, event(250, { peer: 'hospital-c', what: 'run.evaluate' })]);
    const before = api.callsOf('security.list').length;
    act(() => api.emit({ type: 'changed', what: 'security' }));
    table = await screen.findByRole('table', { name: 'Security log' });
    await waitFor(() => expect(within(bodyRows(table)[0]!).getByText('hospital-c')).toBeTruthy());
    expect(api.callsOf('security.list').slice(before)).toContainEqual({ offset: 0, limit: 200, direction: 'outbound' });
    expect(bodyRows(table)).toHaveLength(126);
    expect(screen.getByText('Showing the newest 126 of 126 matching events.')).toBeTruthy();
    expect(within(screen.getByRole('radiogroup', { name: 'Direction' })).getByRole('radio', { name: 'Outbound' })).toHaveProperty('checked', true);

    // Paused, it stops following; resumed, it catches up.
    await user.click(screen.getByRole('switch', { name: 'Live' }));
    setLog([...many, event(250), event(252, { peer: 'hospital-d' })]);
    const paused = api.callsOf('security.list').length;
    act(() => api.emit({ type: 'changed', what: 'security' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.callsOf('security.list')).toHaveLength(paused);
    await user.click(screen.getByRole('switch', { name: 'Live' }));
    await waitFor(() => expect(within(bodyRows(screen.getByRole('table', { name: 'Security log' }))[0]!).getByText('hospital-d')).toBeTruthy());
  }, 90_000);

  it('exports the whole log in the format chosen, and says where it went', async () => {
    const { api, user } = setup();
    await logTable();
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export the security log' }, { timeout: 3000 });
    const path = within(dialog).getByRole('textbox', { name: /Save as/ });
    await user.type(path, '/home/audit/security-log.csv');
    await user.click(within(dialog).getByRole('radio', { name: /JSON lines/ }));
    // The extension follows the format.
    expect((path as HTMLInputElement).value).toBe('/home/audit/security-log.jsonl');
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(api.callsOf('security.export')).toEqual([{ path: '/home/audit/security-log.jsonl', format: 'jsonl' }]));
    const done = await within(dialog).findByRole('alert');
    expect(done.textContent).toContain('4 events written to /home/audit/security-log.jsonl');
  });

  it('offers, in the desktop app’s save dialog, files of the format chosen', async () => {
    const asked: ChoosePathRequest[] = [];
    const choosePath: ChoosePath = async (request) => {
      asked.push(request);
      return request.filters?.[0]?.extensions[0] === 'jsonl' ? '/home/audit/chosen.jsonl' : '/home/audit/chosen.csv';
    };
    vi.stubGlobal('cohort', { transport: 'electron', invoke: () => Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not in this test' } }), onEvent: () => () => undefined, choosePath } satisfies CohortPreload);
    try {
      const { api, user } = setup();
      await logTable();
      await user.click(screen.getByRole('button', { name: 'Export…' }));
      const dialog = await screen.findByRole('dialog', { name: 'Export the security log' }, { timeout: 3000 });
      await user.click(within(dialog).getByRole('button', { name: 'Browse…' }));
      await user.click(within(dialog).getByRole('radio', { name: /JSON lines/ }));
      await user.click(within(dialog).getByRole('button', { name: 'Browse…' }));
      expect(asked).toEqual([
        { purpose: 'save-file', filters: [{ name: 'CSV files', extensions: ['csv'] }] },
        { purpose: 'save-file', filters: [{ name: 'JSON lines', extensions: ['jsonl'] }] },
      ]);
      // What the window asks for is what the main process accepts.
      for (const request of asked) expect(ChoosePathRequest.safeParse(request).success).toBe(true);
      expect((within(dialog).getByRole('textbox', { name: /Save as/ }) as HTMLInputElement).value).toBe('/home/audit/chosen.jsonl');
      await user.click(within(dialog).getByRole('button', { name: 'Export' }));
      await waitFor(() => expect(api.callsOf('security.export')).toEqual([{ path: '/home/audit/chosen.jsonl', format: 'jsonl' }]));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('will not export over the log itself, and shows why an export failed', async () => {
    const { api, user } = setup({ handlers: { 'security.export': () => Promise.reject(apiError('IO', 'EACCES: permission denied, open /root/log.csv')) } });
    await logTable();
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export the security log' }, { timeout: 3000 });
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(within(dialog).getByText('Choose the file to write')).toBeTruthy();

    const path = within(dialog).getByRole('textbox', { name: /Save as/ });
    await user.type(path, '/home/cohort/data/security-log.jsonl');
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(within(dialog).getByText('This is the log itself: choose another file')).toBeTruthy();
    expect(api.callsOf('security.export')).toEqual([]);

    await user.clear(path);
    await user.type(path, '/root/log.csv');
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(api.callsOf('security.export')).toEqual([{ path: '/root/log.csv', format: 'csv' }]));
    const failure = await within(dialog).findByRole('alert');
    expect(failure.textContent).toContain('The log could not be exported');
    expect(failure.textContent).toContain('EACCES: permission denied');
  });

  it('says when nothing is recorded yet', async () => {
    setup({ log: [] });
    expect(await screen.findByText('Nothing recorded yet')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Security log' })).toBeNull();
  });

  it('shows why the log could not be read, and tries again', async () => {
    let fail = true;
    const { api, user } = setup({
      handlers: { 'security.list': (input: SecurityLogQuery) => (fail ? Promise.reject(apiError('IO', 'EACCES: permission denied, open security-log.jsonl')) : answer([event(0)], input)) },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('EACCES: permission denied, open security-log.jsonl');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    const table = await logTable();
    expect(bodyRows(table)).toHaveLength(1);
    expect(api.callsOf('security.list').length).toBeGreaterThanOrEqual(2);
  });
});

describe('the app shell', () => {
  function renderApp(info: ApiTypes['AppInfo'], requests: () => unknown[]) {
    const api = new FakeApi({
      'app.info': () => info,
      'requests.list': requests,
      'security.list': (input: SecurityLogQuery) => answer([], input),
    });
    renderScreen(<App missingToken={false} />, { api, path: '/security' });
    return api;
  }

  it('counts the training requests waiting for a decision beside their menu item, and follows changes', async () => {
    let requests = [consent({ id: 'a', run: 'Run A' }), consent({ id: 'b', run: 'Run B' }), consent({ id: 'c', run: 'Run C', state: 'approved' })];
    const api = renderApp(PARTICIPANT, () => requests);
    const link = await screen.findByRole('link', { name: /Training requests/ });
    await waitFor(() => expect(within(link).getByLabelText('2 waiting').textContent).toBe('2'));

    requests = requests.map((request) => (request.id === 'a' ? { ...request, state: 'declined' as const } : request));
    act(() => api.emit({ type: 'changed', what: 'requests' }));
    await waitFor(() => expect(within(link).getByLabelText('1 waiting').textContent).toBe('1'));

    requests = requests.map((request) => ({ ...request, state: 'approved' as const }));
    act(() => api.emit({ type: 'changed', what: 'requests' }));
    await waitFor(() => expect(within(link).queryByLabelText(/waiting/)).toBeNull());
  });

  it('shows the identity fingerprint in the header and a Security menu item for both roles', async () => {
    renderApp(PARTICIPANT, () => []);
    expect(await screen.findByRole('link', { name: `Identity fingerprint ${PARTICIPANT.identity.fingerprint}: open Security` })).toBeTruthy();
    expect(screen.getByRole('link', { name: /^Security/ }).getAttribute('href')).toBe('/security');
    expect(await screen.findByRole('heading', { name: 'Security', level: 2 })).toBeTruthy();
  });

  it('does not ask an orchestrator for training requests', async () => {
    const api = renderApp(ORCHESTRATOR, () => []);
    expect(await screen.findByRole('link', { name: `Identity fingerprint ${ORCHESTRATOR.identity.fingerprint}: open Security` })).toBeTruthy();
    expect(screen.getByRole('link', { name: /^Security/ })).toBeTruthy();
    await screen.findByRole('heading', { name: 'Security', level: 2 });
    expect(api.callsOf('requests.list')).toEqual([]);
  });
});

describe('formatting', () => {
  it('reads byte counts as people do', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(30_720)).toBe('30 KB');
    expect(formatBytes(1_048_000)).toBe('1023 KB');
    expect(formatBytes(1_048_570)).toBe('1.0 MB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
  });

  it('joins paths with the separator the folder uses', () => {
    expect(joinPath('/srv/cohort/', 'security-log.jsonl')).toBe('/srv/cohort/security-log.jsonl');
    expect(joinPath('C:\\Cohort\\data', 'security-log.jsonl')).toBe('C:\\Cohort\\data\\security-log.jsonl');
  });
});
