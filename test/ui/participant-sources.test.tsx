// @vitest-environment jsdom
// My data beyond files: a SQL query on a database connection (its progress shown, cancellable),
// the OMOP CDM helper, and the connections themselves (passwords never shown).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiTypes, CommandInput } from '../../src-main/contract/api';
import { DataPage } from '../../src-renderer/src/pages/participant/DataPage';
import { membershipView, preview, tag } from './participant-fixtures';
import { FakeApi, renderScreen, type FakeHandlers } from './render';

const connection: ApiTypes['ConnectionView'] = {
  id: 'warehouse',
  name: 'Clinical warehouse',
  engine: 'postgres',
  host: 'db.local',
  port: 5432,
  database: 'cdw',
  user: 'cohort_ro',
  ssl: 'disable',
  statementTimeoutSeconds: 3600,
  hasPassword: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function setup(handlers: FakeHandlers = {}) {
  const api = new FakeApi({
    'memberships.list': () => [membershipView()],
    'tags.list': () => [tag('train', { source: { type: 'query', connectionId: 'warehouse', query: 'SELECT * FROM research.train' } })],
    'connections.list': () => [connection],
    'data.preview': () => preview,
    'tags.register': (input: CommandInput<'tags.register'>) => tag(input.kind, { source: input.source! }),
    ...handlers,
  });
  renderScreen(<DataPage />, { api, path: '/data?project=diagnosis' });
  return { api, user: userEvent.setup() };
}

describe('data from a database', { timeout: 60_000 }, () => {
  it('names a registered query by its connection, never showing a password', async () => {
    setup();
    const table = await screen.findByRole('table', { name: 'Files registered for Diagnosis' });
    expect(within(table).getByText('SQL query on Clinical warehouse')).toBeTruthy();
    expect(within(table).getByText('SELECT * FROM research.train')).toBeTruthy();
    const connections = await screen.findByRole('table', { name: 'Database connections' });
    expect(within(connections).getByText('sealed')).toBeTruthy();
  });

  it('previews a query with its progress, can cancel it, and registers it', async () => {
    let finish: (value: ApiTypes['DataPreview']) => void = () => undefined;
    const { api, user } = setup({ 'data.preview': () => new Promise((resolve) => (finish = resolve)), 'data.cancel': () => ({ cancelled: true }) });
    await user.click(await screen.findByRole('radio', { name: 'SQL query' }));
    await user.type(screen.getByRole('textbox', { name: 'SQL query' }), 'SELECT * FROM research.patients');
    await user.click(screen.getByRole('button', { name: 'Run and preview' }));
    await waitFor(() => expect(api.callsOf('data.preview')).toHaveLength(1));
    const call = api.callsOf('data.preview')[0] as CommandInput<'data.preview'>;
    expect(call).toMatchObject({ source: { type: 'query', connectionId: 'warehouse', query: 'SELECT * FROM research.patients' }, projectId: 'diagnosis', kind: 'train' });
    expect(await screen.findByText('The query is running on the database server…')).toBeTruthy();
    api.emit({ type: 'progress', requestId: call.requestId!, rows: 15000 });
    expect(await screen.findByText('15,000 rows read so far…')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel query' }));
    expect(api.callsOf('data.cancel')).toEqual([{ requestId: call.requestId }]);

    finish(preview);
    expect(await screen.findByText('This preview stays on this computer')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Register training data' }));
    await waitFor(() =>
      expect(api.callsOf('tags.register')).toEqual([
        { projectId: 'diagnosis', kind: 'train', source: { type: 'query', connectionId: 'warehouse', query: 'SELECT * FROM research.patients' } },
      ]),
    );
  });

  it('builds an OMOP cohort from concept ids (found by a search), previews and registers its query', async () => {
    const { api, user } = setup({
      'omop.schemas': () => ['cdm54'],
      'omop.concepts': () => [{ conceptId: 3004410, name: 'Hemoglobin A1c', domain: 'Measurement', vocabulary: 'LOINC', code: '4548-4', standard: true }],
      'omop.build': () => ({ query: 'WITH c AS (…) SELECT …', preview }),
    });
    await user.click(await screen.findByRole('radio', { name: 'OMOP CDM cohort' }));
    await user.type(screen.getByRole('textbox', { name: /Cohort: condition of interest/ }), '201826');
    await user.type(screen.getByRole('textbox', { name: /^Outcome( \*)?$/ }), '4329847, 312327');
    await user.type(screen.getByRole('textbox', { name: 'Name, code or id' }), 'a1c');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await user.click(await screen.findByRole('button', { name: 'Add 3004410 to Lab values' }));
    expect((screen.getByRole('textbox', { name: 'Lab values' }) as HTMLInputElement).value).toBe('3004410');
    expect(api.callsOf('omop.concepts')).toEqual([{ connectionId: 'warehouse', schema: 'cdm54', search: 'a1c' }]);

    await user.click(screen.getByRole('button', { name: 'Build the table and preview it' }));
    await waitFor(() => expect(api.callsOf('omop.build')).toHaveLength(1));
    expect(api.callsOf('omop.build')[0]).toMatchObject({
      connectionId: 'warehouse',
      projectId: 'diagnosis',
      definition: {
        schema: 'cdm54',
        cohort: { conceptIds: [201826] },
        lookbackDays: 365,
        features: { measurements: [{ conceptIds: [3004410] }], conditions: [], drugs: [] },
        outcome: { name: 'diagnosis', conceptIds: [4329847, 312327], windowDays: 365 },
      },
    });
    expect(await screen.findByText('This preview stays on this computer')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Register training data' }));
    await waitFor(() =>
      expect(api.callsOf('tags.register')).toEqual([{ projectId: 'diagnosis', kind: 'train', source: { type: 'query', connectionId: 'warehouse', query: 'WITH c AS (…) SELECT …' } }]),
    );
  });

  it('saves a connection, sending the password once and showing it sealed', async () => {
    const { api, user } = setup({ 'connections.list': () => [], 'connections.save': () => connection });
    await user.click(await screen.findByRole('button', { name: 'Add a connection' }));
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Clinical warehouse');
    await user.type(screen.getByRole('textbox', { name: 'Database' }), 'cdw');
    await user.type(screen.getByRole('textbox', { name: 'User' }), 'cohort_ro');
    await user.type(screen.getByLabelText(/^Password/), 'pw');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    await waitFor(() =>
      expect(api.callsOf('connections.save')).toEqual([{ name: 'Clinical warehouse', host: 'localhost', port: 5432, database: 'cdw', user: 'cohort_ro', password: 'pw', ssl: 'disable' }]),
    );
    expect(await screen.findByText(/its password is sealed on this computer/)).toBeTruthy();
  });
});
