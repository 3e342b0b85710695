// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CollaborationPage } from '../../src-renderer/src/pages/orchestrator/CollaborationPage';
import { collaboration, invitation, participant, project } from './orchestrator-fixtures';
import { CurrentPath } from './location';
import { apiError, FakeApi, renderScreen } from './render';

function api(overrides: ConstructorParameters<typeof FakeApi>[0] = {}) {
  return new FakeApi({
    'collaborations.list': () => [collaboration],
    'projects.list': () => [project],
    'participants.list': () => [participant('hospital-a', true), participant('hospital-b', false, [])],
    'invitations.list': () => [invitation({ id: 'inv-used', state: 'used', usedBy: 'hospital-a', usedAt: '2026-03-02T10:00:00.000Z' })],
    ...overrides,
  });
}

function show(fake: FakeApi) {
  return renderScreen(<CollaborationPage />, { api: fake, path: `/collaborations/${collaboration.id}`, route: '/collaborations/:id', outside: <CurrentPath /> });
}

describe('collaboration screen', () => {
  it('shows its projects, its participants with their declared data, and its invitations', async () => {
    show(api());
    expect(await screen.findByRole('heading', { name: 'Breast cancer network' })).toBeTruthy();
    const projects = await screen.findByRole('table', { name: 'Projects' });
    expect(within(projects).getByRole('link', { name: 'Diagnosis' }).getAttribute('href')).toBe('/projects/diagnosis');
    expect(within(projects).getByText('diagnosis')).toBeTruthy();

    const participants = await screen.findByRole('table', { name: 'Participants of this collaboration' });
    const a = within(participants).getByRole('row', { name: /hospital-a/ });
    expect(within(a).getByText('Online')).toBeTruthy();
    expect(within(a).getByText('208 rows · 3 columns')).toBeTruthy();
    const b = within(participants).getByRole('row', { name: /hospital-b/ });
    expect(within(b).getByText('Offline')).toBeTruthy();
    expect(within(b).getByText('No data declared yet')).toBeTruthy();

    // The column names and kinds of a declared tag.
    await userEvent.click(within(a).getByRole('button', { name: /Show the columns of hospital-a/ }));
    const columns = await screen.findByRole('table', { name: 'Declared columns' });
    expect(within(columns).getAllByRole('row').map((row) => row.textContent)).toEqual(['ColumnKind', 'radius_meannumeric', 'texture_meannumeric', 'diagnosistargetcategorical']);

    const invitations = await screen.findByRole('table', { name: 'Invitations' });
    expect(within(invitations).getByText('Used')).toBeTruthy();
  });

  it('says when the collaboration does not exist', async () => {
    show(api({ 'collaborations.list': () => [] }));
    expect(await screen.findByText('This collaboration does not exist')).toBeTruthy();
  });

  describe('new project', () => {
    async function openForm(fake: FakeApi) {
      show(fake);
      await userEvent.click(await screen.findByRole('button', { name: 'New project' }));
      return screen.findByRole('dialog', { name: 'New project' });
    }

    it('asks for a positive class only for a classification', async () => {
      const dialog = await openForm(api());
      expect(within(dialog).getByRole('textbox', { name: 'Positive class' })).toBeTruthy();
      await userEvent.click(within(dialog).getByText('Regression'));
      expect(within(dialog).queryByRole('textbox', { name: 'Positive class' })).toBeNull();
      await userEvent.click(within(dialog).getByText('Classification'));
      expect(within(dialog).getByRole('textbox', { name: 'Positive class' })).toBeTruthy();
    });

    it('refuses a project without a target column', async () => {
      const fake = api();
      const dialog = await openForm(fake);
      await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Relapse');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Create project' }));
      expect(await within(dialog).findByText(/Enter the column to predict/)).toBeTruthy();
      expect(fake.callsOf('projects.create')).toEqual([]);
    });

    it('sends a regression without its positive class, and reloads the projects', async () => {
      const fake = api();
      fake.handlers['projects.create'] = (input: { name: string }) => ({ ...project, id: 'length-of-stay', name: input.name, task: 'regress', positiveClass: undefined });
      const dialog = await openForm(fake);
      await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Length of stay');
      await userEvent.type(within(dialog).getByRole('textbox', { name: 'Positive class' }), 'M');
      await userEvent.type(within(dialog).getByRole('combobox', { name: 'Target column' }), 'los_days');
      await userEvent.click(within(dialog).getByText('Regression'));
      const listed = fake.callsOf('projects.list').length;
      await userEvent.click(within(dialog).getByRole('button', { name: 'Create project' }));
      await waitFor(() => expect(fake.callsOf('projects.create')).toHaveLength(1));
      expect(fake.callsOf('projects.create')[0]).toEqual({
        collaborationId: collaboration.id,
        id: 'length-of-stay',
        name: 'Length of stay',
        targetColumn: 'los_days',
        task: 'regress',
        alignment: { columns: 'union', missingIndicators: false },
      });
      await waitFor(() => expect(fake.callsOf('projects.list').length).toBeGreaterThan(listed));
    });

    it('shows what the app answers when it refuses the project', async () => {
      const fake = api();
      fake.handlers['projects.create'] = () => {
        throw apiError('VALIDATION', 'invalid project: targetColumn: the target column cannot be empty');
      };
      const dialog = await openForm(fake);
      await userEvent.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Relapse');
      await userEvent.type(within(dialog).getByRole('combobox', { name: 'Target column' }), 'relapse');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Create project' }));
      expect((await within(dialog).findByRole('alert')).textContent).toContain('the target column cannot be empty');
    });
  });

  it('creates an invitation and shows its code, ready to copy', async () => {
    const fake = api();
    const code = 'cohort-invite-2.eyJodWIiOiJ3c3M6Ly9leGFtcGxlIn0';
    fake.handlers['invitations.create'] = () => ({ invitation: invitation({ id: 'inv-new', note: 'St Mary’s' }), code });
    show(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Invite a participant' }));
    const dialog = await screen.findByRole('dialog', { name: 'Invite a participant' });
    expect((within(dialog).getByRole('textbox', { name: 'Valid for (hours)' }) as HTMLInputElement).value).toBe('72');
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Note' }), 'St Mary’s');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create invitation' }));

    const codeDialog = await screen.findByRole('dialog', { name: 'Send the invitation code' });
    const field = within(codeDialog).getByRole('textbox', { name: 'Invitation code' }) as HTMLTextAreaElement;
    expect(field.value).toBe(code);
    expect(field.readOnly).toBe(true);
    expect(within(codeDialog).getByText(/Send this code to the hospital; it works once/)).toBeTruthy();
    expect(within(codeDialog).getByRole('button', { name: 'Copy code' })).toBeTruthy();
    expect(fake.callsOf('invitations.create')).toEqual([{ collaborationId: collaboration.id, expiresInHours: 72, note: 'St Mary’s' }]);
  });

  it('refuses an expiry beyond 90 days before asking the app', async () => {
    const fake = api();
    show(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Invite a participant' }));
    const dialog = await screen.findByRole('dialog', { name: 'Invite a participant' });
    const hours = within(dialog).getByRole('textbox', { name: 'Valid for (hours)' });
    await userEvent.clear(hours);
    await userEvent.type(hours, '5000');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create invitation' }));
    expect(await within(dialog).findByText(/Between 1 hour and 2,160 hours/)).toBeTruthy();
    expect(fake.callsOf('invitations.create')).toEqual([]);
  });

  it('revokes an open invitation after confirming', async () => {
    const fake = api({ 'invitations.list': () => [invitation({ note: 'Northgate' })] });
    fake.handlers['invitations.revoke'] = () => invitation({ note: 'Northgate', revoked: true, state: 'revoked' });
    show(fake);
    const table = await screen.findByRole('table', { name: 'Invitations' });
    await userEvent.click(within(table).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke invitation' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(fake.callsOf('invitations.revoke')).toEqual([{ id: 'inv-1' }]));
  });

  it('deletes with cascade only after showing what else would be deleted', async () => {
    const dependents = [
      { collection: 'projects', id: 'diagnosis' },
      { collection: 'experiments', id: 'logistic-regression' },
      { collection: 'runs', id: 'a' },
      { collection: 'runs', id: 'b' },
    ];
    const fake = api();
    fake.handlers['collaborations.delete'] = (input: { id: string; cascade?: boolean }) => {
      if (!input.cascade) throw apiError('HAS_DEPENDENTS', 'collaboration "breast-cancer-network" still has 1 project, 1 experiment, 2 runs; delete with cascade to remove them too', { dependents });
      return { removed: [{ collection: 'collaborations', id: input.id }, ...dependents] };
    };
    show(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete collaboration' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));

    const warning = await within(dialog).findByRole('alert');
    expect(warning.textContent).toContain('still has 1 project, 1 experiment, 2 runs');
    expect(within(warning).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['1 project', '1 experiment', '2 runs (with their history and results)']);
    expect(fake.callsOf('collaborations.delete')).toEqual([{ id: collaboration.id }]);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete everything' }));
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/collaborations'));
    expect(fake.callsOf('collaborations.delete')).toEqual([{ id: collaboration.id }, { id: collaboration.id, cascade: true }]);
  });

  it('deletes at once what has no dependents', async () => {
    const fake = api();
    fake.handlers['collaborations.delete'] = (input: { id: string }) => ({ removed: [{ collection: 'collaborations', id: input.id }] });
    show(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete collaboration' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/collaborations'));
    expect(fake.callsOf('collaborations.delete')).toEqual([{ id: collaboration.id }]);
  });
});
