// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-main/contract/records';
import { ProjectPage } from '../../src-renderer/src/pages/orchestrator/ProjectPage';
import { CurrentPath } from './location';
import { collaboration, description, experiment, participant, project } from './orchestrator-fixtures';
import { apiError, FakeApi, renderScreen } from './render';

const LAMBDA = JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'sneaky' } }] } });

function api() {
  return new FakeApi({
    'projects.list': () => [project],
    'collaborations.list': () => [collaboration],
    'experiments.list': () => [experiment],
    'runs.list': () => [],
    'participants.list': () => [participant('hospital-a', true)],
    'models.describe': (input: { model: ModelSpec }) => {
      if (input.model.kind === 'keras' && JSON.stringify(input.model.topology).includes('Lambda')) {
        throw apiError('BAD_INPUT', 'layer 1 ("sneaky") has class Lambda, which is not allowed: a model may only use Dense, Dropout layers');
      }
      return description;
    },
    'experiments.create': (input: { name: string; model: ModelSpec; id?: string }) => ({ ...experiment, id: input.id ?? 'x', name: input.name, model: input.model }),
  });
}

async function openForm(fake: FakeApi) {
  renderScreen(<ProjectPage />, { api: fake, path: `/projects/${project.id}`, route: '/projects/:id', outside: <CurrentPath /> });
  await userEvent.click(await screen.findByRole('button', { name: 'New experiment' }));
  return screen.findByRole('dialog', { name: 'New experiment' });
}

async function chooseModel(dialog: HTMLElement, label: string) {
  await userEvent.click(within(dialog).getByText(label));
}

describe('new experiment form', () => {
  it('previews the layers of the chosen model, sized for the project', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    const preview = within(dialog).getByRole('region', { name: 'Model preview' });
    const table = await within(preview).findByRole('table', { name: 'Model layers' });
    expect(within(table).getAllByRole('row').map((row) => row.textContent)).toEqual([
      'LayerClassOutput shapeParameters',
      'hidden_1Dense321,024',
      'outputDense133',
      'Total1,057',
    ]);
    expect(within(preview).getByText('1,057 parameters')).toBeTruthy();
    expect(within(preview).getByText('About 31 input features from the declared columns.')).toBeTruthy();
    expect(fake.callsOf('models.describe')).toContainEqual({ model: { kind: 'logreg' }, projectId: project.id });

    await chooseModel(dialog, 'Neural network (MLP)');
    await waitFor(() => expect(fake.callsOf('models.describe')).toContainEqual({ model: { kind: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0 }, projectId: project.id }));
  });

  it('checks the hidden layer sizes', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Deep');
    await chooseModel(dialog, 'Neural network (MLP)');
    const sizes = within(dialog).getByRole('textbox', { name: 'Hidden layer sizes' });

    await userEvent.clear(sizes);
    await userEvent.type(sizes, '64, abc');
    await userEvent.tab();
    expect(await within(dialog).findByText('“abc” is not a whole number: write the sizes like 64, 32')).toBeTruthy();

    await userEvent.clear(sizes);
    await userEvent.type(sizes, '64, 0');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    expect(await within(dialog).findByText('Each layer has 1 to 4,096 units (not 0)')).toBeTruthy();

    await userEvent.clear(sizes);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    expect(await within(dialog).findByText('Give at least one hidden layer size, e.g. 64, 32')).toBeTruthy();
    expect(within(dialog).getByText('Fix the model’s fields to see its layers.')).toBeTruthy();
    expect(fake.callsOf('experiments.create')).toEqual([]);

    await userEvent.type(sizes, '128 64 32');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    await waitFor(() => expect(fake.callsOf('experiments.create')).toHaveLength(1));
    expect(fake.callsOf('experiments.create')[0]).toEqual({
      projectId: project.id,
      id: 'deep',
      name: 'Deep',
      model: { kind: 'mlp', hidden: [128, 64, 32], activation: 'relu', dropout: 0 },
    });
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/experiments/deep'));
  });

  it('refuses Keras JSON that is not valid JSON or not an object', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Keras');
    await chooseModel(dialog, 'Keras JSON');
    const json = within(dialog).getByRole('textbox', { name: 'Model JSON' });

    await userEvent.click(json);
    await userEvent.paste('{ "class_name": ');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    expect(await within(dialog).findByText(/^This is not valid JSON/)).toBeTruthy();

    await userEvent.clear(json);
    await userEvent.paste('[1, 2]');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    expect(await within(dialog).findByText(/The model must be a JSON object/)).toBeTruthy();
    expect(fake.callsOf('experiments.create')).toEqual([]);
  });

  it('shows why a Keras model cannot be built, and refuses to create it', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Sneaky');
    await chooseModel(dialog, 'Keras JSON');
    await userEvent.click(within(dialog).getByRole('textbox', { name: 'Model JSON' }));
    await userEvent.paste(LAMBDA);

    const preview = within(dialog).getByRole('region', { name: 'Model preview' });
    const alert = await within(preview).findByRole('alert');
    expect(alert.textContent).toContain('This model cannot be built');
    expect(alert.textContent).toContain('Layer 1 ("sneaky") has class Lambda, which is not allowed');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Create experiment' }));
    expect(await within(dialog).findByText(/has class Lambda, which is not allowed/, { selector: '.mantine-InputWrapper-error' })).toBeTruthy();
    expect(fake.callsOf('experiments.create')).toEqual([]);
  });

  it('inserts an example Keras model that the preview describes', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await chooseModel(dialog, 'Keras JSON');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Insert an example' }));
    await waitFor(() => expect(fake.callsOf('models.describe').some((input) => (input as { model: ModelSpec }).model.kind === 'keras')).toBe(true));
    expect(await within(dialog).findByText('1,057 parameters')).toBeTruthy();
  });
});
