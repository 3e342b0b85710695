// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src-main/contract/results';
import { RunPage } from '../../src-renderer/src/pages/runs/RunPage';
import { FakeApi, apiError, renderScreen } from './render';
import { collaboration, detail, makeResult, makeRun, participantViews, round } from './run-fixtures';

function api(runDetail: ReturnType<typeof detail>, handlers: ConstructorParameters<typeof FakeApi>[0] = {}) {
  return new FakeApi({
    'runs.get': () => runDetail,
    'collaborations.list': () => [collaboration],
    'participants.list': () => participantViews,
    ...handlers,
  });
}

function open(fake: FakeApi) {
  return renderScreen(<RunPage />, { api: fake, path: '/runs/baseline', route: '/runs/:id' });
}

const push = (fake: FakeApi, event: RunEvent) => fake.emit({ type: 'run', event });

afterEach(() => notifications.clean());

const rowOf = (table: HTMLElement, name: string) => within(table).getByText(name).closest('tr')!;

describe('run page, live', () => {
  it('builds progress, the participants table and the charts from the history, then from each round event', async () => {
    const run = makeRun({ status: 'training', round: 2, startedAt: '2026-01-10T09:00:00.000Z' });
    const fake = api(detail(run, { history: [round(1, 2), round(2, 4)], active: true }));
    open(fake);

    const counter = await screen.findByTestId('round-counter');
    expect(counter.textContent).toContain('Round 3 of 10 · 2 rounds done');
    // Mean of the recent rounds (2 s and 4 s) times the 8 rounds left.
    expect(screen.getByTestId('eta').textContent).toContain('About 24 s left · 3.0 s per round');
    expect(screen.getByRole('heading', { name: 'Training' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Breast cancer network' }).getAttribute('href')).toBe('/collaborations/network');
    expect(screen.getByRole('link', { name: 'Logistic regression' }).getAttribute('href')).toBe('/experiments/logreg');

    const parties = screen.getByRole('table', { name: 'Participants' });
    expect(within(rowOf(parties, 'Hospital A')).getByText('0.35')).toBeTruthy(); // round 2 loss, 0.7 / 2
    expect(within(rowOf(parties, 'Hospital B')).getAllByText('No news yet')).toHaveLength(1);

    push(fake, { kind: 'party', run: 'baseline', party: 'hospital-a', activity: 'training', round: 3 });
    push(fake, { kind: 'party', run: 'baseline', party: 'hospital-b', activity: 'failed', round: 3, message: 'the connection dropped' });
    expect(await within(rowOf(parties, 'Hospital B')).findByText('the connection dropped')).toBeTruthy();
    expect(within(rowOf(parties, 'Hospital A')).getByText('Training')).toBeTruthy();

    push(fake, { kind: 'round', run: 'baseline', rounds: 10, record: round(3, 6, { lossA: 0.125 }) });
    await waitFor(() => expect(counter.textContent).toContain('Round 4 of 10 · 3 rounds done'));
    expect(screen.getByTestId('eta').textContent).toContain('About 28 s left · 4.0 s per round'); // (2 + 4 + 6) / 3 * 7
    expect(within(rowOf(parties, 'Hospital A')).getByText('0.125')).toBeTruthy();

    // An event of another run changes nothing.
    push(fake, { kind: 'round', run: 'other-run', rounds: 10, record: round(4, 100) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counter.textContent).toContain('Round 4 of 10');

    // The charts' numbers, as their tables.
    const user = userEvent.setup();
    const lossSection = screen.getByRole('region', { name: 'Training loss' });
    await user.click(within(lossSection).getByRole('radio', { name: 'Table' }));
    const losses = within(lossSection).getByRole('table', { name: 'Training loss per round' });
    expect(within(losses).getAllByRole('row').map((row) => row.textContent)).toEqual([
      'RoundAll participantsHospital AHospital B',
      '1' + '0.74' + '0.7' + '0.8',
      '2' + '0.37' + '0.35' + '0.4',
      '3' + '0.1817' + '0.125' + '0.2667',
    ]);
    const aucSection = screen.getByRole('region', { name: 'ROC AUC per round' });
    await user.click(within(aucSection).getByRole('radio', { name: 'Table' }));
    expect(within(within(aucSection).getByRole('table', { name: 'ROC AUC per round' })).getAllByRole('row')).toHaveLength(4);

    push(fake, { kind: 'status', run: 'baseline', status: 'evaluating', round: 3, rounds: 10 });
    expect(await screen.findByRole('heading', { name: 'Evaluating' })).toBeTruthy();
    expect(screen.getByTestId('eta').textContent).toContain('Training is done; finishing');
  });

  it('leaves out stored rounds of an earlier execution while a new one waits', async () => {
    const run = makeRun({ status: 'waiting', round: 0 });
    open(api(detail(run, { history: [round(1, 2), round(2, 2)], active: true })));
    expect((await screen.findByTestId('round-counter')).textContent).toContain('Round 0 of 10');
    expect(screen.getByRole('heading', { name: 'Waiting for participants' })).toBeTruthy();
    // The stored rounds are an earlier execution's: no chart is drawn from them.
    expect(screen.queryByRole('region', { name: 'Training loss' })).toBeNull();
  });

  it('asks before cancelling, then calls runs.cancel', async () => {
    const run = makeRun({ status: 'training', round: 1 });
    const fake = api(detail(run, { history: [round(1, 2)], active: true }), {
      'runs.cancel': () => makeResult(run, { status: 'cancelled', error: 'cancelled by the orchestrator', evaluation: null, artifacts: { globalModel: null } }),
    });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel run' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel “FedAvg baseline”?' });
    expect(fake.callsOf('runs.cancel')).toEqual([]);
    expect(within(dialog).getByText(/no global model is saved/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(fake.callsOf('runs.cancel')).toEqual([{ id: 'baseline' }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('keeps the run going when the cancel is called off', async () => {
    const run = makeRun({ status: 'training', round: 1 });
    const fake = api(detail(run, { history: [round(1, 2)], active: true }), { 'runs.cancel': () => makeResult(run) });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Keep running' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('runs.cancel')).toEqual([]);
  });
});

describe('run page, charts', () => {
  it('draws the charts, with no console error or warning, once they have room', async () => {
    // jsdom lays nothing out: give every element a size, and let resize observers report it.
    const box = { x: 0, y: 0, top: 0, left: 0, right: 640, bottom: 260, width: 640, height: 260, toJSON: () => ({}) };
    class SizedObserver {
      constructor(private readonly callback: ResizeObserverCallback) {}
      observe(target: Element) {
        const entry = { target, contentRect: box, borderBoxSize: [{ inlineSize: 640, blockSize: 260 }], contentBoxSize: [{ inlineSize: 640, blockSize: 260 }] };
        setTimeout(() => this.callback([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver), 0);
      }
      unobserve() {}
      disconnect() {}
    }
    const original = globalThis.ResizeObserver;
    globalThis.ResizeObserver = SizedObserver as unknown as typeof ResizeObserver;
    const legend = { ...box, right: 640, bottom: 24, height: 24 };
    const rect = vi
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockImplementation(function (this: HTMLElement) {
        return (this.closest('.recharts-legend-wrapper') ? legend : box) as DOMRect;
      });
    const errors = vi.spyOn(console, 'error');
    const warnings = vi.spyOn(console, 'warn');
    try {
      const run = makeRun({ status: 'training', round: 3 });
      const fake = api(detail(run, { history: [round(1, 2), round(2, 2), round(3, 2)], active: true }));
      open(fake);
      const loss = await screen.findByRole('figure', { name: 'Training loss per round' });
      await waitFor(() => expect(loss.querySelectorAll('.recharts-line').length).toBe(3)); // aggregate and two parties
      const auc = screen.getByRole('figure', { name: 'ROC AUC per round' });
      await waitFor(() => expect(auc.querySelectorAll('.recharts-line').length).toBe(3));
      push(fake, { kind: 'round', run: 'baseline', rounds: 10, record: round(4, 2) });
      await waitFor(() => expect(screen.getByTestId('round-counter').textContent).toContain('4 rounds done'));
      expect(errors).not.toHaveBeenCalled();
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      globalThis.ResizeObserver = original;
      rect.mockRestore();
      errors.mockRestore();
      warnings.mockRestore();
    }
  });
});

describe('run page, start', () => {
  it('explains that participants must approve, and shows why the app refused to start', async () => {
    const fake = api(detail(makeRun()), {
      'runs.start': () => {
        throw apiError('BAD_INPUT', 'only 1 participant is registered, but minClients is 2');
      },
    });
    open(fake);
    expect(await screen.findByText('This run has not started')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Start run' }));
    const dialog = await screen.findByRole('dialog', { name: 'Start “FedAvg baseline”?' });
    expect(within(dialog).getByText(/will be asked to approve this run/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Start run' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The run could not start');
    expect(alert.textContent).toContain('only 1 participant is registered, but minClients is 2');
    expect(fake.callsOf('runs.start')).toEqual([{ id: 'baseline' }]);
  });

  it('starts the run and follows it from its first status event', async () => {
    let current = detail(makeRun());
    const fake = api(current, {
      'runs.start': () => {
        current = detail(makeRun({ status: 'waiting', startedAt: '2026-01-10T09:00:00.000Z' }), { active: true });
        return current.run;
      },
    });
    fake.handlers['runs.get'] = () => current;
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Start run' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Start run' }));
    expect(await screen.findByRole('heading', { name: 'Waiting for participants' })).toBeTruthy();
    push(fake, { kind: 'status', run: 'baseline', status: 'awaiting-approval', round: 0, rounds: 10 });
    push(fake, { kind: 'party', run: 'baseline', party: 'hospital-a', activity: 'approving', round: 0 });
    expect(await screen.findByRole('heading', { name: 'Awaiting approval' })).toBeTruthy();
    expect(await within(screen.getByRole('table', { name: 'Participants' })).findByText('Approving')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancel run' })).toBeTruthy();
  });
});

describe('run page, results', () => {
  it('reads an exact fit as a regression table, per unit or per standard deviation', async () => {
    const run = makeRun({ status: 'completed', round: 6, startedAt: '2026-01-10T09:00:00.000Z', hyperparameters: { solver: 'auto' } });
    const term = (name: string, estimate: number, scale: number, p: number) => ({
      term: name,
      outcome: null,
      estimate,
      encoded: estimate * scale,
      scale,
      standardError: 0.01,
      low: estimate - 0.0196,
      high: estimate + 0.0196,
      statistic: estimate / 0.01,
      p,
      ratio: { estimate: Math.exp(estimate), low: Math.exp(estimate - 0.0196), high: Math.exp(estimate + 0.0196) },
    });
    const coefficients = {
      family: 'binomial' as const,
      penalty: 1,
      iterations: 6,
      converged: true,
      rows: 352,
      parameters: 3,
      statistic: 'z' as const,
      confidence: 0.95,
      dispersion: null,
      positive: 'M',
      reference: null,
      objective: 20.5,
      notes: ['Odds ratios are for "M" per unit of each column (per level present for categories).'],
      terms: [term('(intercept)', -2, 1, 0.0001), term('age', 0.05, 10, 0.0004), term('smoker', 0.7, 1, 0.2)],
    };
    const result = makeResult(run, { coefficients });
    open(api(detail(run, { history: result.rounds, result })));

    const table = await screen.findByRole('table', { name: 'Regression coefficients' });
    expect(screen.getByText(/fitted exactly: the same model as pooling every participant's 352 rows, reached in 6 rounds/)).toBeTruthy();
    const cells = (name: string) => [...rowOf(table, name).querySelectorAll('td')].map((cell) => cell.textContent);
    expect(cells('age')).toEqual(['age', '0.05', '0.01', '0.0304 to 0.0696', '1.05 (1.03 to 1.07)', '< 0.001']);
    // Bold where p < 0.05 (not the intercept's).
    expect([rowOf(table, 'age'), rowOf(table, 'smoker'), rowOf(table, '(intercept)')].map((row) => row.style.fontWeight)).toEqual(['700', '', '']);
    // Per standard deviation (10 years): ten times the coefficient, the same p-value.
    await userEvent.click(screen.getByText('Per standard deviation'));
    expect(cells('age')).toEqual(['age', '0.5', '0.1', '0.304 to 0.696', '1.65 (1.36 to 2.01)', '< 0.001']);
    expect(cells('(intercept)')).toEqual(['(intercept)', '—', '—', '—', '—', '< 0.001']);
    expect(cells('smoker')[1]).toBe('0.7');
    // Its rounds are Newton steps: one loss chart, no evaluation per round.
    expect(screen.getByRole('heading', { name: 'Loss per round' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: /per round$/, level: 3 })?.textContent).toBe('Loss per round');
  });


  it('shows the outcome, the metrics of each party and the aggregate, and the confusion matrix', async () => {
    const run = makeRun({ status: 'completed', round: 3, startedAt: '2026-01-10T09:00:00.000Z' });
    const result = makeResult(run, {
      dropouts: [{ party: 'hospital-b', round: 2, reason: 'timeout: no reply in 600 s' }],
      stoppedEarly: { round: 3, bestRound: 2 },
    });
    open(api(detail(run, { history: result.rounds, result })));

    const metrics = await screen.findByRole('table', { name: 'Metrics of the global model' });
    const names = within(metrics)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.firstChild?.textContent);
    expect(names).toEqual(['Hospital A', 'Hospital B', 'All participants (aggregate)']);
    const aggregate = result.evaluation!.aggregate;
    expect(within(rowOf(metrics, 'All participants (aggregate)')).getByText(String(aggregate.n))).toBeTruthy();

    const matrix = screen.getByRole('table', { name: 'Confusion matrix' });
    if (aggregate.kind !== 'binary') throw new Error('binary fixture expected');
    const { tp, fp, tn, fn } = aggregate.confusion!;
    expect(within(matrix).getAllByRole('row').map((row) => row.textContent)).toEqual(['true ↓ / predicted →not MM', `not M${tn}${fp}`, `M${fn}${tp}`]);

    const dropouts = screen.getByRole('table', { name: 'Dropouts' });
    expect(within(dropouts).getByText('timeout: no reply in 600 s')).toBeTruthy();
    expect(screen.getByText('At round 3; kept round 2')).toBeTruthy();
    expect(screen.getByText('1 min 5 s')).toBeTruthy();
    expect(screen.getByText('wasm')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Run again' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Hyperparameters' }).textContent).toContain('FedAvg');
    expect(screen.queryByTestId('round-counter')).toBeNull();
  });

  it('shows why a run failed', async () => {
    const run = makeRun({ status: 'failed', error: 'feature alignment failed' });
    const result = makeResult(run, { status: 'failed', error: 'feature alignment failed: no shared column', evaluation: null, rounds: [], artifacts: { globalModel: null } });
    open(api(detail(run, { result })));
    const alert = (await screen.findByText('The run failed')).closest<HTMLElement>('[role="alert"]')!;
    expect(alert.textContent).toContain('The run failed');
    expect(alert.textContent).toContain('feature alignment failed: no shared column');
    expect(screen.getByText(/ended before its global model was evaluated/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Export global model' })).toBeNull();
  });

  it('switches to the results when the finished event arrives', async () => {
    const run = makeRun({ status: 'exporting', round: 3 });
    const fake = api(detail(run, { history: [round(1, 2), round(2, 2), round(3, 2)], active: true }));
    open(fake);
    expect(await screen.findByRole('heading', { name: 'Exporting' })).toBeTruthy();
    push(fake, { kind: 'finished', run: 'baseline', result: makeResult(run) });
    expect(await screen.findByRole('table', { name: 'Metrics of the global model' })).toBeTruthy();
    expect(screen.getByText('Completed', { selector: '.mantine-Badge-label' })).toBeTruthy();
  });

  it('exports the global model into a folder and lists the files written', async () => {
    const run = makeRun({ status: 'completed', round: 3 });
    const fake = api(detail(run, { result: makeResult(run) }), {
      'runs.exportModel': ({ directory }: { directory: string }) => ({ directory, files: ['model.json', 'weights.bin'] }),
    });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Export global model' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export the global model' });
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(within(dialog).getByText('Choose a folder')).toBeTruthy();
    await user.type(within(dialog).getByRole('textbox', { name: /Folder/ }), '/home/me/models');
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(await within(dialog).findByText('Model exported')).toBeTruthy();
    expect(within(within(dialog).getByRole('list', { name: 'Files written' })).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['model.json', 'weights.bin']);
    expect(fake.callsOf('runs.exportModel')).toEqual([{ id: 'baseline', directory: '/home/me/models' }]);
  });

  it('says when a run does not exist', async () => {
    open(
      api(detail(makeRun()), {
        'runs.get': () => {
          throw apiError('NOT_FOUND', 'no run "baseline"');
        },
      }),
    );
    expect((await screen.findByText('This run does not exist')).closest('[role="alert"]')?.textContent).toContain('no run "baseline"');
  });
});
