// @vitest-environment jsdom
// Pausing a run (runs.stop) and resuming it (runs.resume) from the run page.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import { RunPage } from '../../src-renderer/src/pages/runs/RunPage';
import { FakeApi, apiError, renderScreen } from './render';
import { collaboration, detail, makeResult, makeRun, participantViews, round } from './run-fixtures';

function api(runDetail: ReturnType<typeof detail>, handlers: ConstructorParameters<typeof FakeApi>[0] = {}) {
  return new FakeApi({
    'runs.get': () => runDetail,
    'collaborations.list': () => [collaboration],
    'participants.list': () => participantViews,
    'runs.list': () => [makeRun({ id: 'pilot', name: 'Pilot run', status: 'completed' }), runDetail.run],
    ...handlers,
  });
}

function open(fake: FakeApi) {
  return renderScreen(<RunPage />, { api: fake, path: '/runs/baseline', route: '/runs/:id' });
}

afterEach(() => notifications.clean());

const PAUSED = makeRun({
  status: 'interrupted',
  round: 4,
  error: 'stopped by the orchestrator',
  startedAt: '2026-01-10T09:00:00.000Z',
  initialRunId: 'pilot',
  hyperparameters: { algorithm: 'trimmedmean', trimBeta: 0.1, normBound: 3, compression: 'topk', topkFraction: 0.05 },
});
const PAUSED_HISTORY = [round(1, 2), round(2, 2), round(3, 2), round(4, 2)];

describe('pausing a run', () => {
  it('explains what pausing keeps, calls runs.stop and then shows the run as resumable', async () => {
    const running = makeRun({ status: 'training', round: 4 });
    let current = detail(running, { history: PAUSED_HISTORY, active: true });
    const fake = api(current, {
      'runs.stop': () => {
        current = detail(PAUSED, { history: PAUSED_HISTORY });
        return makeResult(running, { status: 'interrupted', rounds: PAUSED_HISTORY, evaluation: null, artifacts: { globalModel: null }, error: 'stopped by the orchestrator' });
      },
    });
    fake.handlers['runs.get'] = () => current;
    open(fake);
    const user = userEvent.setup();
    // Pause sits beside cancel.
    expect(await screen.findByRole('button', { name: 'Cancel run' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pause “FedAvg baseline”?' });
    expect(dialog.textContent).toContain('resume the run later and it continues from there');
    expect(dialog.textContent).toContain('(round 4 so far)');
    expect(fake.callsOf('runs.stop')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Pause run' }));
    await waitFor(() => expect(fake.callsOf('runs.stop')).toEqual([{ id: 'baseline' }]));
    expect(await screen.findByText('Run paused')).toBeTruthy();
    expect(await screen.findByText('Interrupted — can be resumed', { selector: '.mantine-Badge-label' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
  });

  it('warns that a run paused before its first round cannot be resumed', async () => {
    open(api(detail(makeRun({ status: 'awaiting-approval', round: 0 }), { active: true })));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect((await screen.findByRole('dialog')).textContent).toContain('No round has finished yet');
  });

  it('keeps the run going when the pause is called off', async () => {
    const run = makeRun({ status: 'training', round: 2 });
    const fake = api(detail(run, { history: [round(1, 2), round(2, 2)], active: true }), { 'runs.stop': () => makeResult(run) });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Keep running' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('runs.stop')).toEqual([]);
  });
});

describe('resuming a run', () => {
  it('shows an interrupted run as resumable, with its rounds, and resumes it with runs.resume', async () => {
    let current = detail(PAUSED, { history: PAUSED_HISTORY });
    const fake = api(current, {
      'runs.resume': () => {
        current = detail({ ...PAUSED, status: 'waiting' }, { history: PAUSED_HISTORY, active: true });
        return current.run;
      },
    });
    fake.handlers['runs.get'] = () => current;
    open(fake);
    const status = (await screen.findByText('This run is paused and can be resumed')).closest<HTMLElement>('[role="status"]')!;
    expect(status.textContent).toContain('It stopped after round 4 of 10');
    expect(status.textContent).toContain('Why it stopped: stopped by the orchestrator');
    expect(screen.getByText('Interrupted — can be resumed', { selector: '.mantine-Badge-label' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Training loss' })).toBeTruthy();
    // Its robust settings and its starting point are shown with the others.
    const settings = screen.getByRole('group', { name: 'Hyperparameters' }).textContent;
    expect(settings).toContain('Trimmed mean');
    expect(settings).toContain('Share trimmed from each end10 %');
    expect(settings).toContain('Update size limit (norm bound)3');
    expect(settings).toContain('Compressed updatesLargest changes only (5 % of the weights a round)');
    expect(await screen.findByText(/starts from the model of “Pilot run”/)).toBeTruthy();
    // Not a failure: no failed or cancelled alert.
    expect(screen.queryByText('The run failed')).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    const dialog = await screen.findByRole('dialog', { name: 'Resume “FedAvg baseline”?' });
    expect(dialog.textContent).toContain('Training continues after round 4 of 10');
    expect(dialog.textContent).toContain('they are not asked again');
    await user.click(within(dialog).getByRole('button', { name: 'Resume run' }));
    await waitFor(() => expect(fake.callsOf('runs.resume')).toEqual([{ id: 'baseline' }]));
    expect(await screen.findByRole('heading', { name: 'Waiting for participants' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
  });

  it('shows why a run could not be resumed, and offers to start it over', async () => {
    const fake = api(detail(PAUSED, { history: PAUSED_HISTORY }), {
      'runs.resume': () => {
        throw apiError('NOT_FOUND', 'run "baseline" has no checkpoint to resume from (it stopped before its first round): start it again');
      },
    });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Resume' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Resume run' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The run could not be resumed');
    expect(alert.textContent).toContain('has no checkpoint to resume from');
    await user.click(within(dialog).getByRole('button', { name: 'Back' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(screen.getByRole('button', { name: 'Start over' }));
    const over = await screen.findByRole('dialog', { name: 'Start “FedAvg baseline” over?' });
    expect(over.textContent).toContain('Its 4 completed rounds are discarded');
  });
});
