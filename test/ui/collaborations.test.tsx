// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CollaborationsPage } from '../../src-renderer/src/pages/orchestrator/CollaborationsPage';
import { collaboration, project, STAMP } from './orchestrator-fixtures';
import { CurrentPath } from './location';
import { apiError, FakeApi, renderScreen } from './render';

function api(collaborations = [collaboration]) {
  return new FakeApi({
    'collaborations.list': () => collaborations,
    'projects.list': () => [project],
    'participants.list': () => [],
  });
}

describe('collaborations screen', () => {
  it('lists each collaboration with its project count, linking to it', async () => {
    renderScreen(<CollaborationsPage />, { api: api() });
    const card = await screen.findByRole('link', { name: /Breast cancer network/ });
    expect(card.getAttribute('href')).toBe('/collaborations/breast-cancer-network');
    expect(await within(card).findByText('1 project')).toBeTruthy();
    expect(within(card).getByText('Three hospitals predicting malignancy.')).toBeTruthy();
  });

  it('invites to create the first collaboration when there is none', async () => {
    renderScreen(<CollaborationsPage />, { api: api([]) });
    expect(await screen.findByText('No collaborations yet')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Create the first collaboration' }));
    expect(await screen.findByRole('dialog', { name: 'New collaboration' })).toBeTruthy();
  });

  it('shows the error when the list cannot be loaded, with a retry', async () => {
    const fake = new FakeApi({
      'collaborations.list': () => {
        throw apiError('STORE_LOCKED', 'the store is locked by another process');
      },
      'projects.list': () => [],
      'participants.list': () => [],
    });
    renderScreen(<CollaborationsPage />, { api: fake });
    expect(await screen.findByText('the store is locked by another process')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('requires a name before creating a collaboration', async () => {
    const fake = api([]);
    fake.handlers['collaborations.create'] = () => collaboration;
    renderScreen(<CollaborationsPage />, { api: fake });
    await userEvent.click(await screen.findByRole('button', { name: 'Create the first collaboration' }));
    const dialog = await screen.findByRole('dialog', { name: 'New collaboration' });
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), '   ');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create collaboration' }));
    expect(await within(dialog).findByText('Give the collaboration a name')).toBeTruthy();
    expect(fake.callsOf('collaborations.create')).toEqual([]);
  });

  it('sends the trimmed name and description, and shows what the app answers when it refuses', async () => {
    const fake = api([]);
    fake.handlers['collaborations.create'] = () => {
      throw apiError('VALIDATION', 'invalid collaboration: description: too long');
    };
    renderScreen(<CollaborationsPage />, { api: fake });
    await userEvent.click(await screen.findByRole('button', { name: 'Create the first collaboration' }));
    const dialog = await screen.findByRole('dialog', { name: 'New collaboration' });
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), '  Sepsis network ');
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Description' }), 'ICU vitals');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create collaboration' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Could not save');
    expect(alert.textContent).toContain('invalid collaboration: description: too long');
    expect(fake.callsOf('collaborations.create')).toEqual([{ name: 'Sepsis network', description: 'ICU vitals' }]);
  });

  it('says so on the name field when a collaboration of that name exists', async () => {
    const fake = api([]);
    fake.handlers['collaborations.create'] = () => {
      throw apiError('ALREADY_EXISTS', 'a collaboration with id "sepsis" already exists');
    };
    renderScreen(<CollaborationsPage />, { api: fake });
    await userEvent.click(await screen.findByRole('button', { name: 'Create the first collaboration' }));
    const dialog = await screen.findByRole('dialog', { name: 'New collaboration' });
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Sepsis');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create collaboration' }));
    expect(await within(dialog).findByText(/A collaboration with this name already exists/)).toBeTruthy();
  });

  it('opens the new collaboration once it is created', async () => {
    const fake = api([]);
    const created = { ...collaboration, id: 'sepsis', name: 'Sepsis', description: '', createdAt: STAMP, updatedAt: STAMP };
    fake.handlers['collaborations.create'] = () => created;
    renderScreen(
      <>
        <CollaborationsPage />
        <CurrentPath />
      </>,
      { api: fake, path: '/collaborations' },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Create the first collaboration' }));
    const dialog = await screen.findByRole('dialog', { name: 'New collaboration' });
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Sepsis');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create collaboration' }));
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/collaborations/sepsis'));
    expect(fake.callsOf('collaborations.create')).toEqual([{ name: 'Sepsis' }]);
  });
});
