// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { EXACT_ROUNDS, HyperparameterFields, Hyperparameters, modelDefaults } from '../../src-main/contract/records';
import { ExperimentPage } from '../../src-renderer/src/pages/orchestrator/ExperimentPage';
import { checkNumber, DEFAULTS, LIMITS } from '../../src-renderer/src/pages/orchestrator/run-form';
import { CurrentPath } from './location';
import { collaboration, description, experiment, participant, project, run } from './orchestrator-fixtures';
import { FakeApi, renderScreen } from './render';

function api(runs = [run()]) {
  return new FakeApi({
    'experiments.list': () => [experiment],
    'projects.list': () => [project],
    'collaborations.list': () => [collaboration],
    'runs.list': () => runs,
    'participants.list': () => [participant('hospital-a', true), participant('hospital-b', true)],
    'models.describe': () => description,
    'runs.create': (input: { name: string; id?: string; hyperparameters?: object }) =>
      run({ id: input.id ?? 'r', name: input.name, hyperparameters: Hyperparameters.parse(input.hyperparameters ?? {}) }),
  });
}

function show(fake: FakeApi) {
  return renderScreen(<ExperimentPage />, { api: fake, path: `/experiments/${experiment.id}`, route: '/experiments/:id', outside: <CurrentPath /> });
}

async function openForm(fake: FakeApi) {
  show(fake);
  await userEvent.click(await screen.findByRole('button', { name: 'New run' }));
  return screen.findByRole('dialog', { name: /New run/ });
}

const field = (dialog: HTMLElement, name: string) => within(dialog).getByRole('textbox', { name }) as HTMLInputElement;

async function setNumber(dialog: HTMLElement, name: string, value: string) {
  const input = field(dialog, name);
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

describe('experiment screen', () => {
  it('lists the runs with their algorithm, status and progress, linking to each', async () => {
    const fake = api([run({ status: 'training', round: 3, startedAt: '2026-03-02T09:31:00.000Z' })]);
    show(fake);
    const table = await screen.findByRole('table', { name: 'Runs' });
    const row = within(table).getByRole('row', { name: /FedAvg baseline/ });
    expect(within(row).getByRole('link', { name: 'FedAvg baseline' }).getAttribute('href')).toBe('/runs/fedavg-baseline');
    expect(within(row).getByText('Training')).toBeTruthy();
    expect(within(row).getByText('3 / 10')).toBeTruthy();

    // A round event moves the progress on without fetching again.
    act(() => fake.emit({ type: 'run', event: { kind: 'status', run: 'fedavg-baseline', status: 'evaluating', round: 4, rounds: 10 } }));
    expect(await within(row).findByText('4 / 10')).toBeTruthy();
    expect(within(row).getByText('Evaluating')).toBeTruthy();

    // The model, described for the project.
    expect(await screen.findByRole('table', { name: 'Model layers' })).toBeTruthy();
  });

  it('fetches the runs again when the app says they changed', async () => {
    const fake = api();
    show(fake);
    await screen.findByRole('table', { name: 'Runs' });
    const before = fake.callsOf('runs.list').length;
    act(() => fake.emit({ type: 'changed', what: 'runs' }));
    await waitFor(() => expect(fake.callsOf('runs.list').length).toBe(before + 1));
  });

  it('invites to define the first run', async () => {
    show(api([]));
    expect(await screen.findByText('No runs yet')).toBeTruthy();
  });
});

describe('new run form', () => {
  it('starts from the contract’s defaults', async () => {
    const dialog = await openForm(api());
    // A logistic regression's run: room for the exact fit to converge.
    expect(field(dialog, 'Rounds').value).toBe(String(EXACT_ROUNDS));
    expect(field(dialog, 'Local epochs').value).toBe(String(DEFAULTS.epochs));
    expect(field(dialog, 'Batch size').value).toBe(String(DEFAULTS.batchSize));
    expect(field(dialog, 'Learning rate').value).toBe(String(DEFAULTS.learningRate));
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    await within(dialog).findByRole('textbox', { name: 'Seed' });
    expect(field(dialog, 'Seed').value).toBe(String(DEFAULTS.seed));
    expect(field(dialog, 'Round timeout (seconds)').value).toBe(String(DEFAULTS.roundTimeoutSeconds));
    expect(within(dialog).getByRole('radio', { name: /^FedAvg Averages/ }).getAttribute('aria-checked')).toBe('true');
  });

  it('starts an mlp experiment’s run from the network’s own defaults', async () => {
    const mlp = { ...experiment, model: { kind: 'mlp' as const, hidden: [8], activation: 'relu' as const, dropout: 0 } };
    const fake = api();
    fake.handlers['experiments.list'] = () => [mlp];
    const dialog = await openForm(fake);
    const own = Hyperparameters.parse(modelDefaults(mlp.model));
    expect(field(dialog, 'Rounds').value).toBe(String(own.rounds));
    expect(field(dialog, 'Learning rate').value).toBe(String(own.learningRate));
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    expect(await within(dialog).findByRole('switch', { name: /Stop early/ })).toHaveProperty('checked', true);
  });

  it('shows mu only for FedProx, and the server settings only for the server optimisers', async () => {
    const dialog = await openForm(api());
    expect(within(dialog).queryByRole('textbox', { name: 'Proximal term (mu)' })).toBeNull();
    expect(within(dialog).queryByRole('textbox', { name: 'Server learning rate' })).toBeNull();

    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedProx/ }));
    expect(field(dialog, 'Proximal term (mu)').value).toBe(String(DEFAULTS.mu));
    expect(within(dialog).queryByRole('textbox', { name: 'Server learning rate' })).toBeNull();

    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedAvgM/ }));
    expect(within(dialog).queryByRole('textbox', { name: 'Proximal term (mu)' })).toBeNull();
    expect(field(dialog, 'Server learning rate').value).toBe(String(DEFAULTS.serverLearningRate));
    expect(field(dialog, 'Server momentum').value).toBe(String(DEFAULTS.serverMomentum));
    expect(within(dialog).queryByRole('textbox', { name: 'Adaptivity (tau)' })).toBeNull();

    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedAdam/ }));
    for (const name of ['Server learning rate', 'Server beta1 (momentum)', 'Server beta2', 'Adaptivity (tau)']) expect(field(dialog, name)).toBeTruthy();

    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedAdagrad/ }));
    expect(within(dialog).queryByRole('textbox', { name: 'Server beta2' })).toBeNull();
    expect(field(dialog, 'Adaptivity (tau)')).toBeTruthy();
  });

  it('refuses out-of-range values with a message on each field', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Too far');
    await setNumber(dialog, 'Rounds', '0');
    await setNumber(dialog, 'Learning rate', '200');
    await setNumber(dialog, 'Batch size', '2.5');
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedProx/ }));
    await setNumber(dialog, 'Proximal term (mu)', '101');
    const advanced = within(dialog).getByRole('button', { name: /Advanced/ });
    await userEvent.click(advanced);
    await within(dialog).findByRole('textbox', { name: 'Minimum participants' });
    await setNumber(dialog, 'Minimum participants', '0');
    await userEvent.click(advanced);
    expect(advanced.getAttribute('aria-expanded')).toBe('false');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));

    expect(await within(dialog).findByText('Must be a whole number from 1 to 100,000')).toBeTruthy();
    expect(within(dialog).getByText('Must be a number more than 0 and at most 100')).toBeTruthy();
    expect(within(dialog).getByText('Must be a number from 0 to 100')).toBeTruthy();
    // Whole-number fields do not take decimals at all.
    expect(field(dialog, 'Batch size').value).toBe('25');
    // The advanced section opens to show its error.
    expect(advanced.getAttribute('aria-expanded')).toBe('true');
    expect(within(dialog).getByText('Must be a whole number from 1 to 10,000')).toBeTruthy();
    expect(fake.callsOf('runs.create')).toEqual([]);
  });

  it('submits exactly what the form shows, then opens the run', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'FedProx strong');
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedProx/ }));
    await setNumber(dialog, 'Proximal term (mu)', '0.5');
    await setNumber(dialog, 'Rounds', '25');
    await setNumber(dialog, 'Local epochs', '3');
    await setNumber(dialog, 'Learning rate', '0.05');
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    await within(dialog).findByRole('textbox', { name: 'Minimum participants' });
    await setNumber(dialog, 'Minimum participants', '2');
    await setNumber(dialog, 'Fraction sampled', '0.5');
    await userEvent.click(within(dialog).getByRole('switch', { name: /^Stop early/ }));
    await setNumber(dialog, 'Patience (evaluations)', '4');
    await setNumber(dialog, 'Minimum improvement', '0.001');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));

    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    expect(fake.callsOf('runs.create')[0]).toEqual({
      experimentId: experiment.id,
      id: 'fedprox-strong',
      name: 'FedProx strong',
      hyperparameters: {
        algorithm: 'fedprox',
        rounds: 25,
        epochs: 3,
        batchSize: 32,
        learningRate: 0.05,
        optimizer: 'sgd',
        momentum: 0,
        loss: 'auto',
        l2: 0,
        mu: 0.5,
        fractionFit: 0.5,
        minClients: 2,
        roundTimeoutSeconds: 600,
        // FedProx rules out the exact fit: gradient steps' default, an evaluation every round.
        evaluateEvery: 1,
        seed: 42,
        earlyStopping: { patience: 4, minDelta: 0.001 },
        privacy: { secureAggregation: false, dp: 'off', clip: 1, noiseMultiplier: 1, targetEpsilon: null, delta: 1e-5 },
        normBound: null,
        compression: 'none',
        // FedProx rules out the exact fit: Automatic falls back to gradient steps.
        solver: 'auto',
        penalty: 1,
      },
    });
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/runs/fedprox-strong'));
  });

  it('sends one value per field shown, equal to what the field shows, and nothing for hidden fields', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Adam on the server');
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedYogi/ }));
    await setNumber(dialog, 'Server beta2', '0.95');
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    await within(dialog).findByRole('textbox', { name: 'Seed' });
    await setNumber(dialog, 'Seed', '7');

    // What the form shows, read from its fields (each carries the hyperparameter it edits).
    const shown: Record<string, number | null> = {};
    for (const input of within(dialog).getAllByRole('textbox')) {
      const path = input.getAttribute('data-path');
      // An empty optional field (the norm bound) means none.
      const { value } = input as HTMLInputElement;
      // The compression select shows a method, not a number (checked below).
      if (path && path !== 'name' && path !== 'compression' && path in DEFAULTS) shown[path] = value === '' ? null : Number(value);
    }
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    const { hyperparameters } = fake.callsOf('runs.create')[0] as { hyperparameters: Record<string, unknown> };
    const { algorithm, optimizer, loss, earlyStopping, privacy, compression, solver, ...numbers } = hyperparameters;
    expect(numbers).toEqual(shown);
    expect({ algorithm, optimizer, loss, earlyStopping, compression, solver }).toEqual({ algorithm: 'fedyogi', optimizer: 'sgd', loss: 'auto', earlyStopping: null, compression: 'none', solver: 'auto' });
    expect(privacy).toEqual(DEFAULTS.privacy);
    expect(numbers).toMatchObject({ beta2: 0.95, seed: 7, serverLearningRate: 1, serverMomentum: 0.9, tau: 0.001 });
    expect(numbers).not.toHaveProperty('mu');
  });

  it('offers the exact fit for a regression: its penalty, gradient steps instead, and the settings it cannot take', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Exact');
    expect(within(dialog).getByRole('radio', { name: /^Automatic/ }).getAttribute('aria-checked')).toBe('true');
    expect(within(dialog).getByText(/the other settings here apply to gradient steps only/)).toBeTruthy();
    await setNumber(dialog, 'Penalty', '0');
    await userEvent.click(within(dialog).getByRole('radio', { name: /^Exact/ }));
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedProx/ }));
    expect(await within(dialog).findByText(/The exact solver fits the pooled model from sums, so it cannot be used with the fedprox strategy/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('radio', { name: /^FedAvg\s*Averages/ }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    expect((fake.callsOf('runs.create')[0] as { hyperparameters: object }).hyperparameters).toMatchObject({ solver: 'exact', penalty: 0 });
  });

  it('sends gradient steps without a penalty when chosen', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Steps');
    expect(field(dialog, 'Rounds').value).toBe(String(EXACT_ROUNDS));
    await userEvent.click(within(dialog).getByRole('radio', { name: /^Gradient steps/ }));
    expect(within(dialog).queryByRole('textbox', { name: 'Penalty' })).toBeNull();
    // Gradient steps' own defaults replace the exact fit's (rounds, an evaluation every round)...
    await waitFor(() => expect(field(dialog, 'Rounds').value).toBe(String(DEFAULTS.rounds)));
    // ...but never a value the user typed.
    await setNumber(dialog, 'Rounds', '12');
    await userEvent.click(within(dialog).getByRole('radio', { name: /^Automatic/ }));
    await userEvent.click(within(dialog).getByRole('radio', { name: /^Gradient steps/ }));
    expect(field(dialog, 'Rounds').value).toBe('12');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    const { hyperparameters } = fake.callsOf('runs.create')[0] as { hyperparameters: Record<string, unknown> };
    expect(hyperparameters).toMatchObject({ solver: 'sgd', rounds: 12, evaluateEvery: DEFAULTS.evaluateEvery });
    expect(hyperparameters).not.toHaveProperty('penalty');
  });

  it('sends the compression chosen, with top-k\'s share, and says what each method costs', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Small updates');
    const select = within(dialog).getByRole('combobox', { name: 'Compress updates' });
    expect(within(dialog).getByText(/Each update is sent in full/)).toBeTruthy();
    expect(within(dialog).queryByRole('textbox', { name: 'Share of changes sent each round' })).toBeNull();
    await userEvent.click(select);
    await userEvent.click(await screen.findByRole('option', { name: 'Largest changes only', hidden: true }, { timeout: 3000 }));
    expect(within(dialog).getByText(/the rest follow in later rounds/)).toBeTruthy();
    await setNumber(dialog, 'Share of changes sent each round', '0.1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    const { hyperparameters } = fake.callsOf('runs.create')[0] as { hyperparameters: Record<string, unknown> };
    expect(hyperparameters).toMatchObject({ compression: 'topk', topkFraction: 0.1 });
  });

  it('shows on the form what the app answers when it refuses the run', async () => {
    const fake = api();
    fake.handlers['runs.create'] = () => {
      throw Object.assign(new Error('invalid run: hyperparameters: minClients is more than the participants registered'), { code: 'VALIDATION' });
    };
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Baseline');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Could not create the run');
    expect(alert.textContent).toContain('minClients is more than the participants registered');
    expect(screen.getByTestId('current-path').textContent).toBe(`/experiments/${experiment.id}`);
  });

  it('names the run apart when another experiment already has a run of that name', async () => {
    const fake = api();
    const taken = new Set(['baseline']);
    fake.handlers['runs.create'] = (input: { name: string; id?: string }) => {
      if (input.id && taken.has(input.id)) throw Object.assign(new Error(`a run with id "${input.id}" already exists`), { code: 'ALREADY_EXISTS' });
      return run({ id: input.id ?? 'r', name: input.name });
    };
    const dialog = await openForm(fake);
    await userEvent.type(field(dialog, 'Name'), 'Baseline');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/runs/baseline-2'));
  });
});

describe('hyperparameter limits', () => {
  it('are the contract’s, bounds included or excluded as it says', () => {
    for (const [name, limits] of Object.entries(LIMITS)) {
      const schema = name === 'patience' || name === 'minDelta' ? null : HyperparameterFields.shape[name as keyof typeof HyperparameterFields.shape];
      if (!schema) continue;
      for (const value of [limits.min, limits.max, limits.min - 1, limits.max + 1, (limits.min + limits.max) / 2]) {
        expect(checkNumber(value, limits) === null, `${name} = ${value}`).toBe(schema.safeParse(value).success);
      }
    }
  });
});
