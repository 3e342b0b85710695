// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CommandInput } from '../../src-main/contract/api';
import { DataPage } from '../../src-renderer/src/pages/participant/DataPage';
import { membershipView, preview, tag } from './participant-fixtures';
import { apiError, FakeApi, renderScreen, type FakeHandlers } from './render';

function setup(handlers: FakeHandlers = {}, path = '/data?project=diagnosis') {
  const api = new FakeApi({
    'memberships.list': () => [membershipView()],
    'tags.list': () => [tag('train')],
    'data.preview': () => preview,
    'tags.register': (input: CommandInput<'tags.register'>) => tag(input.kind, { source: { type: 'file', path: input.path! } }),
    'connections.list': () => [],
    ...handlers,
  });
  renderScreen(<DataPage />, { api, path });
  return { api, user: userEvent.setup() };
}

async function previewFile(user: ReturnType<typeof userEvent.setup>, path = '/data/hospital/patients.csv') {
  await user.type(await screen.findByRole('textbox', { name: /CSV or Parquet file/ }), path);
  await user.click(screen.getByRole('button', { name: 'Preview' }));
}

describe('my data', () => {
  it('lists the files registered for the project named in the address', async () => {
    setup();
    const table = await screen.findByRole('table', { name: 'Files registered for Diagnosis' });
    const row = within(table).getByRole('row', { name: /train\.csv/ });
    expect(within(row).getByText('Training data')).toBeTruthy();
    expect(within(row).getByText('208')).toBeTruthy();
    expect(within(row).getByText(/1 left out/)).toBeTruthy();
  });

  it('asks to join a collaboration first when there is no project', async () => {
    setup({ 'memberships.list': () => [] }, '/data');
    expect(await screen.findByText('Join a collaboration first')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Join a collaboration' }).getAttribute('href')).toBe('/memberships');
  });

  it('previews a file locally: first rows and a summary of every column', async () => {
    const { api, user } = setup();
    await previewFile(user);
    expect(await screen.findByText('This preview stays on this computer')).toBeTruthy();
    expect(api.callsOf('data.preview')).toEqual([{ path: '/data/hospital/patients.csv', projectId: 'diagnosis', kind: 'train' }]);

    const rows = screen.getByRole('table', { name: 'First rows of patients.csv' });
    expect(within(rows).getByText('Oncology')).toBeTruthy();

    const summary = screen.getByRole('table', { name: 'Column summary' });
    const id = within(summary).getByRole('row', { name: /patient_id/ });
    expect(within(id).getByText(/Left out: looks like an identifier/)).toBeTruthy();
    expect((within(id).getByRole('checkbox') as HTMLInputElement).checked).toBe(false);
    const age = within(summary).getByRole('row', { name: /^Use age/ });
    expect(within(age).getByText('28 to 84 · mean 57.5 ± 16.7')).toBeTruthy();
    expect(within(age).getByText('1 (10%)')).toBeTruthy();
    const ward = within(summary).getByRole('row', { name: /ward/ });
    expect(within(ward).getByText('Oncology (5), Surgery (3), Radiology (2)')).toBeTruthy();
    const target = within(summary).getByRole('row', { name: /diagnosis/ });
    expect(within(target).getByText('target')).toBeTruthy();
    expect((within(target).getByRole('checkbox') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByText(/the orchestrator receives only the 5 column names, their kinds and the number of rows/)).toBeTruthy();
  });

  it('shows a problem in the file with its file, line and column', async () => {
    const { user } = setup({
      'data.preview': () => {
        throw apiError('TARGET_MISSING', '/data/hospital/patients.csv, line 1: the target column "diagnosis" is not in the header');
      },
    });
    await previewFile(user);
    const alert = (await screen.findByText('This file cannot be used as it is')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText('/data/hospital/patients.csv, line 1: the target column "diagnosis" is not in the header')).toBeTruthy();
    expect(within(alert).getByText(/must include the project’s target column/)).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Column summary' })).toBeNull();
  });

  it('registers the file with the kind, path and column changes shown', async () => {
    const { api, user } = setup();
    await user.click(await screen.findByRole('radio', { name: 'Evaluate' }));
    expect(screen.getByText(/kept aside to measure how well a model works/)).toBeTruthy();
    await previewFile(user);
    await screen.findByRole('table', { name: 'Column summary' });

    await user.click(screen.getByRole('button', { name: 'Change the kind of radius_mean' }));
    await user.click(await screen.findByRole('menuitem', { name: /Numeric/, hidden: true }, { timeout: 3000 }));
    await user.click(screen.getByRole('checkbox', { name: 'Use ward for training' }));
    const summary = screen.getByRole('table', { name: 'Column summary' });
    expect(within(within(summary).getByRole('row', { name: /ward/ })).getByText('Left out by you')).toBeTruthy();
    expect(within(within(summary).getByRole('row', { name: /radius_mean/ })).getByText(/You set it to numeric/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Register evaluation data' }));
    await waitFor(() =>
      expect(api.callsOf('tags.register')).toEqual([
        { projectId: 'diagnosis', kind: 'evaluate', path: '/data/hospital/patients.csv', columnKinds: [{ column: 'radius_mean', kind: 'numeric' }], exclude: ['ward'] },
      ]),
    );
    expect(await screen.findByText('Evaluation data registered')).toBeTruthy();
  });

  it('keeps the preview and shows why registering failed', async () => {
    const { user } = setup({
      'tags.register': () => {
        throw apiError('NOT_NUMERIC', '/data/hospital/patients.csv, line 4, column 4 ("radius_mean"): expected a number (the column is numeric), found "12,5"');
      },
    });
    await previewFile(user);
    await user.click(await screen.findByRole('button', { name: 'Change the kind of radius_mean' }));
    await user.click(await screen.findByRole('menuitem', { name: /Numeric/, hidden: true }, { timeout: 3000 }));
    await user.click(screen.getByRole('button', { name: 'Register training data' }));
    const alert = (await screen.findByText('The file was not registered')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText(/line 4, column 4 \("radius_mean"\): expected a number/)).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Column summary' })).toBeTruthy();
  });

  it('removes a registration after confirming', async () => {
    const { api, user } = setup({ 'tags.delete': () => ({ removed: [{ collection: 'dataTags', id: 'st-olaf.diagnosis.train' }] }) });
    await user.click(await screen.findByRole('button', { name: 'Remove the training data registration' }));
    const dialog = await screen.findByRole('dialog', {}, { timeout: 3000 });
    expect(within(dialog).getByText(/The data itself stays where it is/)).toBeTruthy();
    expect(api.callsOf('tags.delete')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(api.callsOf('tags.delete')).toEqual([{ id: 'st-olaf.diagnosis.train' }]));
  });
});
