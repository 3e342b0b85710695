// @vitest-environment jsdom
// The data owner's side of disclosure control in the participant app: its rules (k for this
// computer, k and privacy budget per project), using a likely identifier anyway only after a
// confirmation, what a consent covers and has used, and what was shared.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { ApiTypes, CommandInput } from '../../src-main/contract/api';
import type { ColumnProfile } from '../../src-main/contract/data';
import { DataPage } from '../../src-renderer/src/pages/participant/DataPage';
import { MembershipsPage } from '../../src-renderer/src/pages/participant/MembershipsPage';
import { RequestsPage } from '../../src-renderer/src/pages/participant/RequestsPage';
import { SharedPage } from '../../src-renderer/src/pages/participant/SharedPage';
import { SecurityPage } from '../../src-renderer/src/pages/security/SecurityPage';
import { appInfo, consent, membershipView, tag } from './participant-fixtures';
import { apiError, FakeApi, renderScreen } from './render';

// These screens must render without React or Mantine complaining.
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

function rules(overrides: Partial<ApiTypes['OwnerRules']> = {}): ApiTypes['OwnerRules'] {
  return {
    projectId: null,
    minCellCount: 5,
    minCellCountFrom: 'default',
    defaultMinCellCount: 5,
    installationMinCellCount: null,
    projectMinCellCount: null,
    epsilonBudget: null,
    epsilonSpent: null,
    ...overrides,
  };
}

describe('your rules', () => {
  it('shows the k in force with its meaning, and saves a new one for this computer', async () => {
    let stored = rules();
    const api = new FakeApi({
      'app.info': () => appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: '' }),
      'security.list': () => ({ events: [], total: 0, bytesSent: 0, refused: 0 }),
      'settings.get': () => stored,
      'settings.update': (input: CommandInput<'settings.update'>) => {
        if (input.minCellCount === 1) throw apiError('BAD_INPUT', 'k must be at least 2');
        stored = rules({ minCellCount: input.minCellCount ?? 5, minCellCountFrom: 'installation', installationMinCellCount: input.minCellCount ?? null });
        return stored;
      },
    });
    renderScreen(<SecurityPage />, { api });
    const user = userEvent.setup();
    const section = await screen.findByRole('region', { name: 'Your rules' });
    await waitFor(() => expect(within(section).getByTestId('installation-k').textContent).toBe('5'));
    expect(within(section).getByText('the default')).toBeTruthy();
    expect(within(section).getByText(/A count smaller than 5 is never sent on its own/)).toBeTruthy();

    const input = within(section).getByRole('textbox', { name: /Minimum cell count for this computer/ });
    await user.clear(input);
    await user.type(input, '8');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(section).getByTestId('installation-k').textContent).toBe('8'));
    expect(api.callsOf('settings.update')).toEqual([{ minCellCount: 8 }]);
    expect(within(section).getByText('set for this computer')).toBeTruthy();
    expect(within(section).getByText(/A count smaller than 8 is never sent on its own/)).toBeTruthy();
  });

  it("shows each project's k and budget beside it, and changes them", async () => {
    let stored = rules({ projectId: 'diagnosis', epsilonSpent: 0.4 });
    const api = new FakeApi({
      'app.info': () => appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: '' }),
      'memberships.list': () => [membershipView()],
      'tags.list': () => [],
      'settings.get': () => stored,
      'settings.update': (input: CommandInput<'settings.update'>) => {
        stored = rules({ projectId: 'diagnosis', minCellCount: input.minCellCount ?? 5, minCellCountFrom: 'project', projectMinCellCount: input.minCellCount ?? null, epsilonBudget: input.epsilonBudget ?? null });
        return stored;
      },
    });
    renderScreen(<MembershipsPage />, { api });
    const user = userEvent.setup();
    const table = await screen.findByRole('table', { name: 'Projects of Breast cancer network' });
    await waitFor(() => expect(within(table).getByText(/k = 5/)).toBeTruthy());
    expect(within(table).getByText('No privacy budget')).toBeTruthy();

    await user.click(within(table).getByRole('button', { name: 'Change your rules for Diagnosis' }));
    const dialog = await screen.findByRole('dialog', { name: 'Your rules for Diagnosis' });
    expect(within(dialog).getByText(/Spent so far by this project’s runs: ε 0.4/)).toBeTruthy();
    await user.type(within(dialog).getByRole('textbox', { name: /Minimum cell count for this project/ }), '10');
    expect(within(dialog).getByText(/A count smaller than 10 is never sent/)).toBeTruthy();
    await user.type(within(dialog).getByRole('textbox', { name: /Privacy budget/ }), '3');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.callsOf('settings.update')).toEqual([{ projectId: 'diagnosis', minCellCount: 10, epsilonBudget: 3 }]));
    await waitFor(() => expect(within(table).getByText(/k = 10/)).toBeTruthy());
    expect(within(table).getByText(/set for this project/)).toBeTruthy();
    expect(within(table).getByText('Privacy budget ε 3')).toBeTruthy();
  });
});

describe('registering data with likely identifiers', () => {
  const base: ColumnProfile[] = [
    { name: 'age', position: 1, kind: 'numeric', excluded: false, count: 40, missing: 0, distinct: 30, numeric: { min: 20, max: 80, mean: 50, std: 10, sum: 2000, sumSq: 0, m2: 4000 } },
    { name: 'ward', position: 2, kind: 'categorical', excluded: false, count: 40, missing: 0, distinct: 3, levels: { burns: 2, cardio: 20, icu: 18 }, rareLevels: { levels: 1, rows: 2 } },
    { name: 'diagnosis', position: 4, kind: 'categorical', excluded: false, count: 40, missing: 0, distinct: 2, levels: { B: 25, M: 15 } },
  ];
  const reason = 'its name says it holds a person’s name';
  const surname = (included: boolean): ColumnProfile => ({
    name: 'surname',
    position: 3,
    kind: 'categorical',
    excluded: !included,
    count: 40,
    missing: 0,
    distinct: 20,
    levels: { Smith: 3, Jones: 2 },
    quasiIdentifier: reason,
    note: included ? `included by the data owner, although ${reason}` : `left out because ${reason}; include it by name if the study needs it`,
    ...(included ? { rareLevels: { levels: 19, rows: 37 } } : {}),
  });
  const previewOf = (included: boolean): ApiTypes['DataPreview'] => ({
    profile: { file: '/data/clinic.csv', rows: 40, columns: [...base.slice(0, 2), surname(included), base[2]!], target: 'diagnosis' },
    header: ['age', 'ward', 'surname', 'diagnosis'],
    rows: [['50', 'icu', 'Smith', 'B']],
  });

  it('says why a column is left out, uses it only after a confirmation, and registers with it', async () => {
    const api = new FakeApi({
      'memberships.list': () => [membershipView()],
      'tags.list': () => [],
      'connections.list': () => [],
      'settings.get': () => rules({ projectId: 'diagnosis' }),
      'data.preview': (input: CommandInput<'data.preview'>) => previewOf((input.include ?? []).includes('surname')),
      'tags.register': (input: CommandInput<'tags.register'>) => tag(input.kind),
    });
    renderScreen(<DataPage />, { api, path: '/data?project=diagnosis' });
    const user = userEvent.setup();
    await user.type(await screen.findByRole('textbox', { name: /CSV or Parquet file/ }), '/data/clinic.csv');
    await user.click(screen.getByRole('button', { name: 'Preview' }));

    const summary = await screen.findByRole('alert', { name: 'Protecting your patients' });
    expect(within(summary).getByText(/Left out because it may identify patients: surname/)).toBeTruthy();
    expect(within(summary).getByText(/Categories held by fewer than 5 patients are shared only merged into “other”, in ward/)).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Column summary' });
    const row = within(table).getByRole('row', { name: /surname/ });
    expect(within(row).getByText(`Left out: it may identify patients, because ${reason}`)).toBeTruthy();
    expect((within(row).getByRole('checkbox') as HTMLInputElement).checked).toBe(false);
    expect(within(within(table).getByRole('row', { name: /ward/ })).getByText(/1 category is held by fewer than 5 patients \(2 rows in all\)/)).toBeTruthy();

    // Cancelling changes nothing.
    await user.click(within(row).getByRole('button', { name: 'Use surname anyway' }));
    let dialog = await screen.findByRole('dialog', { name: 'Use “surname” anyway?' });
    expect(within(dialog).getByText(new RegExp(`left this column out because ${reason}`))).toBeTruthy();
    expect(within(dialog).getByText(/names of its categories held by at least 5 patients are shared with the orchestrator/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('data.preview')).toHaveLength(1);

    await user.click(within(row).getByRole('button', { name: 'Use surname anyway' }));
    dialog = await screen.findByRole('dialog', { name: 'Use “surname” anyway?' });
    await user.click(within(dialog).getByRole('button', { name: 'Use anyway' }));
    await waitFor(() => expect(api.callsOf('data.preview')).toHaveLength(2));
    expect(api.callsOf('data.preview')[1]).toMatchObject({ include: ['surname'] });
    const used = await within(screen.getByRole('table', { name: 'Column summary' })).findByText(`Used because you chose to, although ${reason}`);
    const usedRow = used.closest('tr')!;
    expect((within(usedRow).getByRole('checkbox') as HTMLInputElement).checked).toBe(true);
    expect(within(usedRow).getByText(/19 categories are held by fewer than 5 patients \(37 rows in all\)/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: /Register training data/ }));
    await waitFor(() => expect(api.callsOf('tags.register')).toHaveLength(1));
    expect(api.callsOf('tags.register')[0]).toMatchObject({ projectId: 'diagnosis', include: ['surname'] });
  });
});

describe('what a consent covers', () => {
  it('names the collaboration and project as this participant knows them, the parties, the plan, and what an approved run used', async () => {
    const roster = [
      { id: 'st-olaf', name: 'St Olaf', key: 'k'.repeat(43) },
      { id: 'north', name: 'North General' },
    ];
    const pending: ApiTypes['ConsentView'] = {
      ...consent({ planHash: 'ab'.repeat(32) }),
      summary: { ...consent().summary, collaboration: 'Network (hub name)', roster },
      local: { collaboration: 'Breast cancer network', project: 'Diagnosis' },
      allowed: { rounds: 20, evaluations: 21 },
    };
    const approved: ApiTypes['ConsentView'] = {
      ...consent({ id: 'c-0', runId: 'earlier', run: 'Earlier run', state: 'approved', decidedAt: '2026-01-09T09:00:00.000Z', usage: { fits: 7, lastRound: 7, evaluations: 8 } }),
      local: { collaboration: 'Breast cancer network', project: 'Diagnosis' },
      allowed: { rounds: 20, evaluations: 21 },
    };
    const api = new FakeApi({ 'requests.list': () => [pending, approved], 'tags.list': () => [tag('train')], 'memberships.list': () => [membershipView()] });
    renderScreen(<RequestsPage />, { api });
    const card = await screen.findByRole('article', { name: 'Training request: FedAvg baseline' });
    expect(within(card).getByText(/^Breast cancer network › Diagnosis › Two-layer network \(the orchestrator calls it Network \(hub name\) › Diagnosis\)$/)).toBeTruthy();
    expect(within(card).getByText('2 parties take part:')).toBeTruthy();
    expect(within(card).getByText(/st-olaf, identity key on record/)).toBeTruthy();
    expect(within(card).getByText(/north, no identity key/)).toBeTruthy();
    expect(within(card).getByText(/trained for at most 20 rounds/)).toBeTruthy();
    expect(within(card).getByText(/evaluated on your data at most 21 times/)).toBeTruthy();
    expect(within(card).getByText('abababababab')).toBeTruthy();

    const past = screen.getByRole('table', { name: 'Past decisions' });
    const row = within(past).getByRole('row', { name: /Earlier run/ });
    expect(within(row).getByText('Rounds 7 of 20')).toBeTruthy();
    expect(within(row).getByText('Evaluations 8 of 21')).toBeTruthy();
  });
});

describe('what was shared', () => {
  it('says, per project and in plain words, what the description of the data held and what each run sent', async () => {
    const summary: ApiTypes['SharedSummary'] = {
      projectId: 'diagnosis',
      declaration: {
        at: '2026-01-10T09:00:00.000Z',
        rows: 208,
        columns: [
          { name: 'age', kind: 'numeric', use: 'feature', sums: true, count: 200, missing: 8 },
          { name: 'ward', kind: 'categorical', use: 'feature', levels: ['cardio', 'icu', 'other'], count: 208, missing: 0 },
          { name: 'surname', kind: 'categorical', use: 'left out', count: 208, missing: 0 },
          { name: 'diagnosis', kind: 'categorical', use: 'target', labelCounts: { B: 130, M: 78 }, count: 208, missing: 0 },
        ],
      },
      declarations: 1,
      tags: { at: '2026-01-10T08:00:00.000Z', tags: [{ kind: 'train', rows: 208, columns: 4 }] },
      runs: [
        {
          run: 'fedavg-baseline',
          firstAt: '2026-01-10T09:00:00.000Z',
          lastAt: '2026-01-10T09:05:00.000Z',
          messages: 12,
          bytes: 48_000,
          updates: 5,
          protection: 'secure aggregation',
          evaluations: 6,
          withheld: ['confusion matrix'],
          preparation: { trainRows: 208, evaluateRows: 52, predictRows: 0, unseenRows: 0 },
        },
      ],
      messages: 12,
      bytes: 48_000,
    };
    const api = new FakeApi({ 'memberships.list': () => [membershipView()], 'shared.summary': () => summary });
    renderScreen(<SharedPage />, { api, path: '/shared' });
    expect(await screen.findByText('No row of your data was sent')).toBeTruthy();
    expect(api.callsOf('shared.summary')).toEqual([{ projectId: 'diagnosis' }]);
    const columns = screen.getByRole('table', { name: 'What was sent about each column' });
    expect(within(within(columns).getByRole('row', { name: /^age/ })).getByText('the count, sum and spread of its 200 values')).toBeTruthy();
    expect(within(within(columns).getByRole('row', { name: /^ward/ })).getByText('its category names: cardio, icu, other')).toBeTruthy();
    expect(within(within(columns).getByRole('row', { name: /^surname/ })).getByText('Only its name and kind')).toBeTruthy();
    expect(within(within(columns).getByRole('row', { name: /^diagnosis/ })).getByText('how many rows hold each label: B 130, M 78')).toBeTruthy();
    const runs = screen.getByRole('table', { name: 'What each run sent' });
    const run = within(runs).getByRole('row', { name: /fedavg-baseline/ });
    expect(within(run).getByText('12')).toBeTruthy();
    expect(within(run).getByText('47 KB')).toBeTruthy();
    expect(within(run).getByText('5, secure aggregation')).toBeTruthy();
    expect(within(run).getByText(/Held back \(too few patients\): confusion matrix/)).toBeTruthy();
  });
});
