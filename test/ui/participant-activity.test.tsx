// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ApiTypes } from '../../src-main/contract/api';
import { ActivityPage } from '../../src-renderer/src/pages/participant/ActivityPage';
import { activity, appInfo, consent } from './participant-fixtures';
import { FakeApi, renderScreen } from './render';

function setup(entries: Array<ApiTypes['ActivityEntry']>) {
  let current = entries;
  const api = new FakeApi({
    'activity.list': () => current,
    'requests.list': () => [consent({ state: 'approved', runId: 'fedavg-baseline', run: 'FedAvg baseline' }), consent({ id: 'c-2', state: 'approved', runId: 'live', run: 'Live run' })],
    'app.info': () => appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: '' }),
  });
  renderScreen(<ActivityPage />, { api });
  return { api, set: (next: Array<ApiTypes['ActivityEntry']>) => (current = next) };
}

describe('activity', () => {
  it('shows a running run with the rows it uses and the last metrics on my evaluate data', async () => {
    setup([activity({ run: 'live', state: 'running', endReason: null })]);
    const card = await screen.findByRole('article', { name: 'Live run' });
    expect(within(card).getByText('Training')).toBeTruthy();
    expect(within(card).getByText('208')).toBeTruthy();
    expect(within(card).getByText('2 of 20')).toBeTruthy();
    const table = within(card).getByRole('table', { name: 'Metrics' });
    expect(within(table).getByRole('row', { name: /on my evaluate data/ })).toBeTruthy();
  });

  it('lists past runs, the latest open, with why a run ended', async () => {
    setup([activity({ run: 'live', state: 'ended', endReason: 'cancelled by the orchestrator', predictedRows: null })]);
    expect(await screen.findByText('Past runs')).toBeTruthy();
    expect(screen.getByText('Ended early')).toBeTruthy();
    expect(screen.getByText('Cancelled by the orchestrator.')).toBeTruthy();
  });

  it('shows the predictions written, and where the app wrote them', async () => {
    setup([activity({ predictedRows: 36, predictionsPath: 'D:\\Cohort\\runs\\fedavg-baseline\\predictions.csv' })]);
    expect(await screen.findByText('36 rows')).toBeTruthy();
    expect(screen.getByText('D:\\Cohort\\runs\\fedavg-baseline\\predictions.csv')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the path of the predictions file' })).toBeTruthy();
  });

  it('shows no predictions file for a run that made none', async () => {
    setup([activity({ predictedRows: null, predictionsPath: null })]);
    expect(await screen.findByText('no prediction file registered')).toBeTruthy();
    expect(screen.queryByText(/Predictions file/)).toBeNull();
  });

  it('says when no run used my data, and fetches again when activity changes', async () => {
    const { api, set } = setup([]);
    expect(await screen.findByText('No run has used your data yet')).toBeTruthy();
    set([activity({ run: 'live', state: 'running', endReason: null })]);
    act(() => api.emit({ type: 'changed', what: 'activity' }));
    expect(await screen.findByRole('article', { name: 'Live run' })).toBeTruthy();
  });
});
