// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiTypes } from '../../src-main/contract/api';
import { ParticipantsPage } from '../../src-renderer/src/pages/orchestrator/ParticipantsPage';
import { collaboration, participant, project } from './orchestrator-fixtures';
import { FakeApi, renderScreen } from './render';

function api(views: () => ApiTypes['ParticipantView'][]) {
  return new FakeApi({
    'participants.list': views,
    'collaborations.list': () => [collaboration],
    'projects.list': () => [project],
  });
}

describe('participants screen', () => {
  it('lists every participant, online or not, with the data declared per project', async () => {
    renderScreen(<ParticipantsPage />, { api: api(() => [participant('hospital-b', false, []), participant('hospital-a', true)]) });
    const table = await screen.findByRole('table', { name: 'Participants' });
    const rows = within(table).getAllByRole('row').slice(1);
    // Online first.
    expect(within(rows[0]!).getByText('hospital-a')).toBeTruthy();
    expect(within(rows[0]!).getByText('Online')).toBeTruthy();
    expect(within(rows[0]!).getByText('Breast cancer network')).toBeTruthy();
    expect(within(rows[0]!).getByRole('link', { name: 'Diagnosis' }).getAttribute('href')).toBe('/projects/diagnosis');
    expect(within(rows[0]!).getByText('208 rows · 3 columns')).toBeTruthy();
    expect(within(rows[1]!).getByText('Offline')).toBeTruthy();
    expect(within(rows[1]!).getByText('No data declared yet')).toBeTruthy();

    await userEvent.click(screen.getByRole('radio', { name: 'Offline' }));
    expect(within(table).queryByText('hospital-a')).toBeNull();
    expect(within(table).getByText('hospital-b')).toBeTruthy();
  });

  it('fetches again when participants change (one comes online)', async () => {
    let online = false;
    const fake = api(() => [participant('hospital-a', online)]);
    renderScreen(<ParticipantsPage />, { api: fake });
    const table = await screen.findByRole('table', { name: 'Participants' });
    expect(within(table).getByText('Offline')).toBeTruthy();
    online = true;
    act(() => fake.emit({ type: 'changed', what: 'participants' }));
    expect(await within(table).findByText('Online')).toBeTruthy();
    expect(within(table).queryByText('Offline')).toBeNull();
  });

  it('shows the key each participant joined with, and revokes access after confirming', async () => {
    let revoked = false;
    const fake = api(() => {
      const view = participant('hospital-a', !revoked);
      return [revoked ? { ...view, participant: { ...view.participant, revokedAt: '2026-03-03T08:00:00.000Z', revokedReason: 'left the network' } } : view];
    });
    fake.handlers['participants.revoke'] = (input: { id: string; reason?: string }) => {
      revoked = true;
      const view = participant(input.id, false);
      return { ...view, participant: { ...view.participant, revokedAt: '2026-03-03T08:00:00.000Z', revokedReason: input.reason } };
    };
    renderScreen(<ParticipantsPage />, { api: fake });
    expect(await screen.findByText('SHA256:ab12 cd34 ef56 0789 ab12 cd34 ef56 0789')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Revoke access of hospital-a' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke access of hospital-a' });
    expect(within(dialog).getByText(/This cannot be undone/)).toBeTruthy();
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Reason' }), ' left the network ');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke access' }));

    await waitFor(() => expect(fake.callsOf('participants.revoke')).toEqual([{ id: 'hospital-a', reason: 'left the network' }]));
    expect(await screen.findByText('Revoked')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Revoke access of hospital-a' })).toBeNull();
  });

  it('explains how participants join when there is none', async () => {
    renderScreen(<ParticipantsPage />, { api: api(() => []) });
    expect(await screen.findByText('No participants yet')).toBeTruthy();
    expect(screen.getByText(/Invite a participant/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to collaborations' }).getAttribute('href')).toBe('/collaborations');
  });
});
