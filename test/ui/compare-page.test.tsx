// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src-main/contract/records';
import { ComparePage, bestIndexes } from '../../src-renderer/src/pages/runs/ComparePage';
import { FakeApi, renderScreen } from './render';
import { detail, evaluation, experiment, makeResult, makeRun, project, round } from './run-fixtures';

function Location() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

const baseline = makeRun({ id: 'baseline', name: 'FedAvg baseline', status: 'completed', round: 3 });
const fedprox = makeRun({ id: 'fedprox', name: 'FedProx', status: 'completed', round: 3, hyperparameters: { algorithm: 'fedprox', learningRate: 0.05 } });
const adam = makeRun({ id: 'adam', name: 'FedAdam', status: 'completed', round: 3, hyperparameters: { algorithm: 'fedadam' } });
const pending = makeRun({ id: 'pending', name: 'Still training', status: 'training', round: 1 });

/** baseline evaluates worse (hospital-a's scores overlap), fedprox perfectly at hospital-a. */
const quality: Record<string, number> = { baseline: 0.2, fedprox: 1, adam: 0.6 };

function api(runs: Run[]) {
  return new FakeApi({
    'runs.list': () => runs,
    'experiments.list': () => [experiment],
    'projects.list': () => [project],
    'runs.get': ({ id }: { id: string }) => {
      const run = runs.find((entry) => entry.id === id)!;
      const rounds = [1, 2, 3].map((number) => ({ ...round(number, 2), evaluate: evaluation(quality[id]! * (number / 3)) }));
      return detail(run, { history: rounds, result: makeResult(run, { rounds, evaluation: evaluation(quality[id]) }) });
    },
  });
}

function open(fake: FakeApi, path = '/compare') {
  return renderScreen(
    <>
      <ComparePage />
      <Location />
    </>,
    { api: fake, path, route: '/compare' },
  );
}

const columnOf = (table: HTMLElement, runName: string) =>
  within(table)
    .getAllByRole('columnheader')
    .findIndex((header) => within(header).queryByRole('link', { name: runName }));

describe('compare page', () => {
  it('puts the runs side by side and marks the best value of each metric', async () => {
    open(api([baseline, fedprox, pending]), '/compare?runs=baseline,fedprox');
    const table = await screen.findByRole('table', { name: 'Runs side by side' });
    const base = columnOf(table, 'FedAvg baseline');
    const prox = columnOf(table, 'FedProx');
    expect([base, prox]).toEqual([1, 2]);

    const cells = (metric: string) => [...table.querySelectorAll(`tr[data-metric="${metric}"] td`)];
    const best = (metric: string) => cells(metric).flatMap((cell, index) => (cell.hasAttribute('data-best') ? [index + 1] : []));

    const worse = evaluation(quality.baseline).aggregate;
    const better = evaluation(quality.fedprox).aggregate;
    if (worse.kind !== 'binary' || better.kind !== 'binary') throw new Error('binary fixtures expected');
    expect(better.rocAuc!).toBeGreaterThan(worse.rocAuc!);
    expect(best('rocAuc')).toEqual([prox]);
    expect(cells('rocAuc')[prox - 1]!.textContent).toContain('(best)');
    // Lower is better for the log loss.
    expect(better.logLoss).toBeLessThan(worse.logLoss);
    expect(best('logLoss')).toEqual([prox]);

    const algorithm = within(table).getByRole('rowheader', { name: 'Algorithm' }).closest('tr')!;
    expect([...algorithm.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['FedAvg', 'FedProx']);
    expect(screen.getByRole('region', { name: 'ROC AUC per round' })).toBeTruthy();
  });

  it('marks nothing when the values are equal, and every tie otherwise', () => {
    expect([...bestIndexes([0.9, 0.9], true)]).toEqual([]);
    expect([...bestIndexes([0.9, null], true)]).toEqual([]);
    expect([...bestIndexes([0.3, 0.1, 0.1], false)]).toEqual([1, 2]);
    expect([...bestIndexes([0.8, null, 0.95], true)]).toEqual([2]);
  });

  it('keeps the chosen runs in the address, and offers only completed runs', async () => {
    open(api([baseline, fedprox, adam, pending]));
    expect(await screen.findByText('Choose the runs to compare')).toBeTruthy();
    const user = userEvent.setup();
    const input = screen.getByRole('combobox', { name: 'Runs to compare' });
    await user.click(input);
    // (jsdom cannot place the dropdown, so Mantine keeps it hidden: its options are found as hidden.)
    const unfinished = screen.getByRole('option', { name: /Logistic regression \/ Still training/, hidden: true });
    expect(unfinished.getAttribute('data-combobox-disabled')).toBe('true');
    // Chosen with the keyboard: type to filter, arrow to the option, Enter.
    await user.type(input, 'baseline');
    await user.keyboard('{ArrowDown}{Enter}');
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/compare?runs=baseline'));
    expect(screen.getByText('Choose one more run')).toBeTruthy();
    await user.type(input, 'FedAdam');
    await user.keyboard('{ArrowDown}{Enter}');
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/compare?runs=baseline%2Cadam'));
    const table = await screen.findByRole('table', { name: 'Runs side by side' });
    expect(columnOf(table, 'FedAdam')).toBe(2);
  });

  it('reads the runs from the address, and says which of them cannot be shown', async () => {
    open(api([baseline, fedprox, pending]), '/compare?runs=fedprox,pending,ghost,baseline');
    const table = await screen.findByRole('table', { name: 'Runs side by side' });
    expect([columnOf(table, 'FedProx'), columnOf(table, 'FedAvg baseline')]).toEqual([1, 2]);
    const notice = screen.getByText('Some runs in the link are not shown').closest('.mantine-Alert-root')!;
    expect(notice.textContent).toContain('“Logistic regression / Still training” has not completed');
    expect(notice.textContent).toContain('“ghost” does not exist');
  });

  it('explains that comparing needs two completed runs', async () => {
    open(api([baseline, pending]));
    expect(await screen.findByText('Nothing to compare yet')).toBeTruthy();
    expect(screen.getByText(/only one has completed so far/)).toBeTruthy();
    expect(screen.queryByRole('combobox', { name: 'Runs to compare' })).toBeNull();
  });

  it('shows an error when the runs cannot be listed', async () => {
    const fake = api([baseline, fedprox]);
    fake.handlers['runs.list'] = () => {
      throw Object.assign(new Error('the store is locked'), { code: 'INTERNAL' });
    };
    open(fake);
    expect(await screen.findByText('The runs could not be loaded')).toBeTruthy();
    expect(screen.getByText('the store is locked')).toBeTruthy();
  });
});
