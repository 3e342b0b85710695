// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CommandInput } from '../../src-main/contract/api';
import type { Consent } from '../../src-main/contract/records';
import { RequestsPage } from '../../src-renderer/src/pages/participant/RequestsPage';
import { AT, consent, membershipView, tag } from './participant-fixtures';
import { FakeApi, renderScreen } from './render';

function setup(requests: Consent[]) {
  let current = requests;
  const api = new FakeApi({
    'requests.list': () => current,
    'tags.list': () => [tag('train'), tag('evaluate')],
    'memberships.list': () => [membershipView()],
    'requests.decide': ({ id, approve }: CommandInput<'requests.decide'>) => {
      const decided = { ...current.find((request) => request.id === id)!, state: approve ? ('approved' as const) : ('declined' as const), decidedAt: AT };
      current = current.map((request) => (request.id === id ? decided : request));
      return decided;
    },
  });
  renderScreen(<RequestsPage />, { api });
  return { api, user: userEvent.setup(), set: (next: Consent[]) => (current = next) };
}

const pending = consent({ id: 'c-pending', runId: 'mlp-run', run: 'MLP with FedProx' });
const other = consent({ id: 'c-other', runId: 'keras-run', run: 'Keras run', model: { kind: 'keras', topology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense' }, { class_name: 'Dropout' }, { class_name: 'Dense' }] } } } });
const approved = consent({ id: 'c-old', runId: 'baseline', run: 'FedAvg baseline', model: { kind: 'logreg' }, state: 'approved', decidedAt: AT });

describe('training requests', () => {
  it('say how the run\'s updates are sent compressed, when they are', async () => {
    const base = consent({ id: 'c-small', runId: 'small-run', run: 'Small updates' });
    const compressed = { ...base, summary: { ...base.summary, hyperparameters: { ...base.summary.hyperparameters, compression: 'topk' as const, topkFraction: 0.05 } } };
    setup([compressed, pending]);
    const card = await screen.findByRole('article', { name: 'Training request: Small updates' });
    expect(within(card).getByText('Updates sent compressed: only the largest 5% of the changes each round (the rest in later rounds)')).toBeTruthy();
    const plain = await screen.findByRole('article', { name: 'Training request: MLP with FedProx' });
    expect(within(plain).queryByText(/Updates sent compressed/)).toBeNull();
  });

  it('show pending requests first, with the model, its settings and the data used', async () => {
    setup([approved, pending]);
    const card = await screen.findByRole('article', { name: 'Training request: MLP with FedProx' });
    expect(within(card).getByText('Breast cancer network › Diagnosis › Two-layer network')).toBeTruthy();
    expect(within(card).getByText('Neural network (MLP)')).toBeTruthy();
    expect(within(card).getByText('2 hidden layers of 64, 32 units · relu activation')).toBeTruthy();
    expect(within(card).getByText('20')).toBeTruthy();
    expect(within(card).getByText('2 passes per round')).toBeTruthy();
    expect(within(card).getByText('0.05')).toBeTruthy();
    expect(within(card).getByText('FedProx')).toBeTruthy();
    expect(within(card).getByText('train.csv · 208 rows')).toBeTruthy();
    expect(within(card).getByText('evaluate.csv · 52 rows')).toBeTruthy();
    expect(within(card).getByText('Secure aggregation: off — the orchestrator sees each hospital’s update')).toBeTruthy();
    expect(within(card).getByText('Differential privacy: off — no noise is added to the updates')).toBeTruthy();

    const past = screen.getByRole('table', { name: 'Past decisions' });
    const row = within(past).getByRole('row', { name: /FedAvg baseline/ });
    expect(within(row).getByText('Approved')).toBeTruthy();
    expect(within(row).getByText('Logistic regression')).toBeTruthy();
  });

  it('describe a Keras model by its layers', async () => {
    setup([other]);
    const card = await screen.findByRole('article', { name: 'Training request: Keras run' });
    expect(within(card).getByText('3 layers: Dense, Dropout, Dense')).toBeTruthy();
  });

  it('approve the request of the card', async () => {
    const { api, user } = setup([pending, other]);
    const card = await screen.findByRole('article', { name: 'Training request: Keras run' });
    await user.click(within(card).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(api.callsOf('requests.decide')).toEqual([{ id: 'c-other', approve: true }]));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Training request: Keras run' })).toBeNull());
    expect(within(screen.getByRole('table', { name: 'Past decisions' })).getByRole('row', { name: /Keras run/ })).toBeTruthy();
  });

  it('ask for confirmation before declining', async () => {
    const { api, user } = setup([pending, other]);
    const card = await screen.findByRole('article', { name: 'Training request: MLP with FedProx' });
    await user.click(within(card).getByRole('button', { name: 'Decline' }));
    let dialog = await screen.findByRole('dialog', {}, { timeout: 3000 });
    expect(within(dialog).getByText(/“MLP with FedProx” will not use this hospital’s data/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 3000 });
    expect(api.callsOf('requests.decide')).toEqual([]);

    await user.click(within(card).getByRole('button', { name: 'Decline' }));
    dialog = await screen.findByRole('dialog', {}, { timeout: 3000 });
    await user.click(within(dialog).getByRole('button', { name: 'Decline request' }));
    await waitFor(() => expect(api.callsOf('requests.decide')).toEqual([{ id: 'c-pending', approve: false }]));
    const row = await within(screen.getByRole('table', { name: 'Past decisions' })).findByRole('row', { name: /MLP with FedProx/ });
    expect(within(row).getByText('Declined')).toBeTruthy();
  });

  it('say when there is nothing to decide', async () => {
    setup([]);
    expect(await screen.findByText('No training requests yet')).toBeTruthy();
  });

  it('fetch again when the app says requests changed', async () => {
    const { api, set } = setup([]);
    await screen.findByText('No training requests yet');
    set([pending]);
    act(() => api.emit({ type: 'changed', what: 'requests' }));
    expect(await screen.findByRole('article', { name: 'Training request: MLP with FedProx' })).toBeTruthy();
  });
});
