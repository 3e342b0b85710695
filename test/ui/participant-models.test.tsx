// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LocalModelsPage } from '../../src-renderer/src/pages/participant/LocalModelsPage';
import { consent, localModel, membershipView, metrics, preview } from './participant-fixtures';
import { apiError, FakeApi, renderScreen, type FakeHandlers } from './render';

function setup(handlers: FakeHandlers = {}) {
  const api = new FakeApi({
    'local.models': () => [localModel('local'), localModel('global')],
    'requests.list': () => [consent({ state: 'approved', runId: 'fedavg-baseline', run: 'FedAvg baseline' })],
    'memberships.list': () => [membershipView()],
    'data.preview': () => preview,
    ...handlers,
  });
  renderScreen(<LocalModelsPage />, { api });
  return { api, user: userEvent.setup() };
}

describe('evaluate & predict', () => {
  it('say where models come from when there is none', async () => {
    setup({ 'local.models': () => [] });
    expect(await screen.findByText('No models yet')).toBeTruthy();
  });

  it('evaluate the chosen model on a local file and show metrics, confusion matrix and warnings', async () => {
    const { api, user } = setup({
      'local.evaluate': () => ({ metrics, labels: ['benign', 'malignant'], rows: 5, skippedRows: 2, unseenLevels: { ward: { Cardiology: 3 } } }),
    });
    const model = await screen.findByRole('combobox', { name: 'Model' });
    expect((model as HTMLInputElement).value).toBe('FedAvg baseline · global model');
    await user.type(screen.getByRole('textbox', { name: /File with known outcomes/ }), '/data/hospital/evaluate.csv');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));

    const table = await screen.findByRole('table', { name: 'Metrics' });
    await waitFor(() => expect(api.callsOf('local.evaluate')).toEqual([{ modelDir: '/home/cohort/data/runs/fedavg-baseline/global-model', path: '/data/hospital/evaluate.csv' }]));
    expect(within(table).getByRole('row', { name: /on evaluate\.csv/ })).toBeTruthy();
    expect(screen.getByText(/Computed on this computer from/)).toBeTruthy();
    expect(screen.getByText('2 rows were skipped')).toBeTruthy();
    expect(screen.getByText('Values the model has never seen')).toBeTruthy();
    expect(screen.getByText(/“Cardiology” \(3 rows\)/)).toBeTruthy();
    // Binary: the class names are the model's own, as the evaluation reports them (negative, positive).
    const matrix = await screen.findByRole('table', { name: 'Confusion matrix' });
    expect(within(matrix).getAllByRole('row').map((row) => row.textContent)).toEqual(['true ↓ / predicted →benignmalignant', 'benign11', 'malignant12']);
  });

  it('evaluate my local model when I choose it', async () => {
    const { api, user } = setup({ 'local.evaluate': () => ({ metrics, labels: ['B', 'M'], rows: 5, skippedRows: 0, unseenLevels: {} }) });
    await user.click(await screen.findByRole('combobox', { name: 'Model' }));
    await user.click(await screen.findByRole('option', { name: /FedAvg baseline · my local model/, hidden: true }, { timeout: 3000 }));
    await user.type(screen.getByRole('textbox', { name: /File with known outcomes/ }), '/data/e.csv');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    await waitFor(() => expect(api.callsOf('local.evaluate')).toEqual([{ modelDir: '/home/cohort/data/runs/fedavg-baseline/local-model', path: '/data/e.csv' }]));
  });

  it('show why an evaluation failed', async () => {
    const { user } = setup({
      'local.evaluate': () => {
        throw apiError('TARGET_MISSING', '/data/e.csv, line 1: the target column "diagnosis" is not in the header');
      },
    });
    await user.type(await screen.findByRole('textbox', { name: /File with known outcomes/ }), '/data/e.csv');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    const alert = (await screen.findByText('The model could not be evaluated on this file')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText(/line 1: the target column "diagnosis" is not in the header/)).toBeTruthy();
  });

  it('predict a local file into a new file and preview it', async () => {
    const { api, user } = setup({
      'local.predict': () => ({
        rows: 36,
        outputPath: '/data/new-predictions.csv',
        header: ['row', 'predicted_diagnosis', 'score_B', 'score_M'],
        preview: [
          ['1', 'B', '0.98', '0.02'],
          ['2', 'M', '0.01', '0.99'],
        ],
      }),
    });
    await user.click(await screen.findByRole('tab', { name: 'Predict' }));
    await user.type(screen.getByRole('textbox', { name: /Rows to predict/ }), '/data/new.csv');
    expect((screen.getByRole('textbox', { name: /Save predictions to/ }) as HTMLInputElement).value).toBe('/data/new-predictions.csv');
    await user.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() =>
      expect(api.callsOf('local.predict')).toEqual([{ modelDir: '/home/cohort/data/runs/fedavg-baseline/global-model', path: '/data/new.csv', outputPath: '/data/new-predictions.csv' }]),
    );
    expect(await screen.findByText('36 predictions written')).toBeTruthy();
    expect(screen.getByText('/data/new-predictions.csv')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'First rows of new-predictions.csv' });
    expect(within(table).getAllByRole('row').map((row) => row.textContent)).toEqual(['rowpredicted_diagnosisscore_Bscore_M', '1B0.980.02', '2M0.010.99']);
  });

  it('show why a prediction failed', async () => {
    const { user } = setup({
      'local.predict': () => {
        throw apiError('NOT_NUMERIC', '/data/new.csv, line 19, column 5 ("radius_mean"): expected a number (the column is numeric), found "12,5"');
      },
    });
    await user.click(await screen.findByRole('tab', { name: 'Predict' }));
    await user.type(screen.getByRole('textbox', { name: /Rows to predict/ }), '/data/new.csv');
    await user.click(screen.getByRole('button', { name: 'Predict' }));
    const alert = (await screen.findByText('The predictions could not be made')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText(/line 19, column 5 \("radius_mean"\)/)).toBeTruthy();
  });
});
