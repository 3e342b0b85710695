// @vitest-environment jsdom
// The run form's robust-aggregation settings (trimmed mean's share, Krum's faulty hospitals,
// the norm bound), the combinations the contract refuses shown before the form is sent, and the
// warm start ("start from the model of a finished run").
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Hyperparameters, type Run } from '../../src-main/contract/records';
import { ExperimentPage } from '../../src-renderer/src/pages/orchestrator/ExperimentPage';
import { CurrentPath } from './location';
import { collaboration, description, experiment, participant, project, run } from './orchestrator-fixtures';
import { FakeApi, renderScreen } from './render';

const other = { ...experiment, id: 'mlp', name: 'Small network', model: { kind: 'mlp' as const, hidden: [8], activation: 'relu' as const, dropout: 0 } };

function api(runs: Run[] = [run()]) {
  return new FakeApi({
    'experiments.list': () => [experiment, other],
    'projects.list': () => [project],
    'collaborations.list': () => [collaboration],
    'runs.list': () => runs,
    'participants.list': () => [participant('hospital-a', true), participant('hospital-b', true)],
    'models.describe': () => description,
    'runs.create': (input: { name: string; id?: string; hyperparameters?: object; initialRunId?: string }) =>
      run({ id: input.id ?? 'r', name: input.name, hyperparameters: Hyperparameters.parse(input.hyperparameters ?? {}), ...(input.initialRunId ? { initialRunId: input.initialRunId } : {}) }),
  });
}

async function openForm(fake: FakeApi) {
  renderScreen(<ExperimentPage />, { api: fake, path: `/experiments/${experiment.id}`, route: '/experiments/:id', outside: <CurrentPath /> });
  await userEvent.click(await screen.findByRole('button', { name: 'New run' }));
  const dialog = await screen.findByRole('dialog', { name: /New run/ });
  await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Robust');
  return dialog;
}

const field = (dialog: HTMLElement, name: string) => within(dialog).getByRole('textbox', { name }) as HTMLInputElement;

async function setNumber(dialog: HTMLElement, name: string, value: string) {
  await userEvent.clear(field(dialog, name));
  if (value !== '') await userEvent.type(field(dialog, name), value);
}

const create = (fake: FakeApi) => fake.callsOf('runs.create') as Array<{ hyperparameters: Record<string, unknown>; initialRunId?: string }>;

describe('robust aggregation settings', () => {
  it("shows each robust algorithm's own setting, within the contract's limits, and sends it", async () => {
    const fake = api();
    const dialog = await openForm(fake);
    expect(within(dialog).queryByRole('textbox', { name: 'Share trimmed from each end' })).toBeNull();

    await userEvent.click(within(dialog).getByRole('radio', { name: /^Multi-Krum/ }));
    expect(field(dialog, 'Faulty hospitals tolerated').value).toBe('1');
    expect(dialog.textContent).toContain('Each round then needs at least 5 participants.');
    await setNumber(dialog, 'Faulty hospitals tolerated', '2');
    expect(dialog.textContent).toContain('Each round then needs at least 7 participants.');

    await userEvent.click(within(dialog).getByRole('radio', { name: /^Trimmed mean/ }));
    expect(within(dialog).queryByRole('textbox', { name: 'Faulty hospitals tolerated' })).toBeNull();
    expect(field(dialog, 'Share trimmed from each end').value).toBe('0.2');
    await setNumber(dialog, 'Share trimmed from each end', '0.5');
    await setNumber(dialog, 'Update size limit (norm bound)', '0');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    expect(await within(dialog).findByText('Must be a number at least 0 and less than 0.5')).toBeTruthy();
    expect(within(dialog).getByText('Must be a number more than 0 and at most 1,000,000, or empty for no bound')).toBeTruthy();
    expect(create(fake)).toEqual([]);

    await setNumber(dialog, 'Share trimmed from each end', '0.1');
    await setNumber(dialog, 'Update size limit (norm bound)', '5');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(create(fake)).toHaveLength(1));
    const sent = create(fake)[0]!.hyperparameters;
    expect(sent).toMatchObject({ algorithm: 'trimmedmean', trimBeta: 0.1, normBound: 5 });
    // Krum's setting is not sent for trimmed mean; no warm start either.
    expect(sent).not.toHaveProperty('byzantine');
    expect(create(fake)[0]).not.toHaveProperty('initialRunId');
  });

  it('refuses a robust algorithm with secure aggregation, saying why, before the form is sent', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.click(within(dialog).getByRole('radio', { name: /^Krum/ }));
    expect(within(dialog).queryByText('These settings cannot be used together')).toBeNull();
    await userEvent.click(within(dialog).getByRole('switch', { name: 'Secure aggregation' }));
    const alert = (await within(dialog).findByText('These settings cannot be used together')).closest<HTMLElement>('[role="alert"]')!;
    expect(alert.textContent).toContain("Krum compares each participant's own update, which secure aggregation hides");
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    // The section opens with a transition: its fields are there once it has.
    await within(dialog).findByRole('textbox', { name: 'Minimum participants' });
    await setNumber(dialog, 'Minimum participants', '2');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(create(fake)).toEqual([]);

    // Norm bounding goes with secure aggregation (each hospital clips its own update).
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedAvg Averages/ }));
    expect(within(dialog).queryByText('These settings cannot be used together')).toBeNull();
    expect(dialog.textContent).toContain('with secure aggregation each hospital clips its own');
    await setNumber(dialog, 'Update size limit (norm bound)', '2.5');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(create(fake)).toHaveLength(1));
    expect(create(fake)[0]!.hyperparameters).toMatchObject({ algorithm: 'fedavg', normBound: 2.5, privacy: { secureAggregation: true } });
  });
});

describe('warm start', () => {
  const finished = run({ id: 'first', name: 'First try', status: 'completed', finishedAt: '2026-03-03T10:00:00.000Z' });
  const failed = run({ id: 'broken', name: 'Broken one', status: 'failed' });
  const otherModel = run({ id: 'mlp-run', name: 'Network run', experimentId: 'mlp', status: 'completed' });

  it('offers the completed runs of the same model, and sends the one chosen', async () => {
    const fake = api([finished, failed, otherModel]);
    const dialog = await openForm(fake);
    const select = within(dialog).getByRole('combobox', { name: 'Start from the model of a finished run' });
    expect((select as HTMLInputElement).value).toBe('No: start from fresh weights');
    await userEvent.click(select);
    await waitFor(() => expect(document.getElementById(select.getAttribute('aria-controls') ?? '')).toBeTruthy());
    const listbox = document.getElementById(select.getAttribute('aria-controls')!)!;
    const options = within(listbox).getAllByRole('option', { hidden: true }).map((option) => option.textContent);
    expect(options).toEqual(['No: start from fresh weights', expect.stringMatching(/^First try, finished /)]);
    await userEvent.click(screen.getByRole('option', { name: /^First try/, hidden: true }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(create(fake)).toHaveLength(1));
    expect(create(fake)[0]!.initialRunId).toBe('first');
  });

  it('says when no finished run can be started from yet', async () => {
    const dialog = await openForm(api([failed, otherModel]));
    const select = within(dialog).getByRole('combobox', { name: 'Start from the model of a finished run' });
    await waitFor(() => expect((select as HTMLInputElement).disabled).toBe(true));
    expect(dialog.textContent).toContain('No finished run of this project has the same model yet');
  });
});
