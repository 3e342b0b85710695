// @vitest-environment jsdom
// A run's privacy settings on every screen: the run form (secure aggregation, differential
// privacy and their rules), the run page (its settings, the ε spent round by round, the
// results' privacy panel), the comparison, and the training request a hospital decides on.
import { notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Hyperparameters, RunSummary, type Privacy, type Run } from '../../src-main/contract/records';
import type { PrivacyReport, RoundRecord } from '../../src-main/contract/results';
import { formatDelta, formatEpsilon } from '../../src-renderer/src/components/format';
import { ExperimentPage } from '../../src-renderer/src/pages/orchestrator/ExperimentPage';
import { DEFAULTS } from '../../src-renderer/src/pages/orchestrator/run-form';
import { NOISE_NEEDED, SECURE_AGGREGATION_NEEDS_TWO, privacyFromValues } from '../../src-renderer/src/pages/orchestrator/run-privacy-fields';
import { ComparePage } from '../../src-renderer/src/pages/runs/ComparePage';
import { RunPage } from '../../src-renderer/src/pages/runs/RunPage';
import { RequestsPage } from '../../src-renderer/src/pages/participant/RequestsPage';
import { CurrentPath } from './location';
import { collaboration as orchestratorCollaboration, description, experiment as orchestratorExperiment, participant, project as orchestratorProject, run as orchestratorRun } from './orchestrator-fixtures';
import { consent, membershipView, tag } from './participant-fixtures';
import { FakeApi, renderScreen } from './render';
import { NO_PRIVACY, collaboration, detail, experiment, makeResult, makeRun, participantViews, project, round } from './run-fixtures';

const CENTRAL: Privacy = { secureAggregation: true, dp: 'central', clip: 1, noiseMultiplier: 1.1, targetEpsilon: 3, delta: 1e-5 };

// No screen here may warn (React keys, act, Mantine): every test fails if one does.
let errors: MockInstance;
let warnings: MockInstance;
beforeEach(() => {
  errors = vi.spyOn(console, 'error');
  warnings = vi.spyOn(console, 'warn');
});
afterEach(() => {
  notifications.clean();
  expect(errors).not.toHaveBeenCalled();
  expect(warnings).not.toHaveBeenCalled();
  errors.mockRestore();
  warnings.mockRestore();
});

const textbox = (within_: HTMLElement, name: string) => within(within_).getByRole('textbox', { name }) as HTMLInputElement;

async function setText(container: HTMLElement, name: string, value: string) {
  const input = textbox(container, name);
  await userEvent.clear(input);
  if (value) await userEvent.type(input, value);
}

/** The text of what an element's aria-describedby points at. */
function describedBy(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => (id ? (document.getElementById(id)?.textContent ?? '') : ''))
    .join(' ');
}

describe('run form, privacy section', () => {
  function api() {
    return new FakeApi({
      'experiments.list': () => [orchestratorExperiment],
      'projects.list': () => [orchestratorProject],
      'collaborations.list': () => [orchestratorCollaboration],
      'runs.list': () => [],
      'participants.list': () => [participant('hospital-a', true), participant('hospital-b', true)],
      'models.describe': () => description,
      'runs.create': (input: { name: string; id?: string; hyperparameters?: object }) =>
        orchestratorRun({ id: input.id ?? 'r', name: input.name, hyperparameters: Hyperparameters.parse(input.hyperparameters ?? {}) }),
    });
  }

  async function openForm(fake: FakeApi) {
    renderScreen(<ExperimentPage />, { api: fake, path: `/experiments/${orchestratorExperiment.id}`, route: '/experiments/:id', outside: <CurrentPath /> });
    await userEvent.click(await screen.findByRole('button', { name: 'New run' }));
    const dialog = await screen.findByRole('dialog', { name: /New run/ });
    await userEvent.type(textbox(dialog, 'Name'), 'Private run');
    return dialog;
  }

  it('is shown without opening Advanced, and asks for the noise settings only with differential privacy', async () => {
    const dialog = await openForm(api());
    expect(within(dialog).getByRole('button', { name: /Advanced/ }).getAttribute('aria-expanded')).toBe('false');
    const secure = within(dialog).getByRole('switch', { name: 'Secure aggregation' }) as HTMLInputElement;
    expect(secure.checked).toBe(false);
    const dp = within(dialog).getByRole('radiogroup', { name: 'Differential privacy' });
    expect((within(dp).getByRole('radio', { name: 'Off' }) as HTMLInputElement).checked).toBe(true);
    expect(within(dialog).queryByRole('textbox', { name: 'Noise multiplier (σ)' })).toBeNull();

    await userEvent.click(within(dp).getByRole('radio', { name: 'Central' }));
    // The contract's defaults, δ written as people write it.
    expect(textbox(dialog, 'Clipping norm (C)').value).toBe(String(DEFAULTS.privacy.clip));
    expect(textbox(dialog, 'Noise multiplier (σ)').value).toBe(String(DEFAULTS.privacy.noiseMultiplier));
    expect(textbox(dialog, 'Target epsilon (ε)').value).toBe('');
    expect(textbox(dialog, 'Delta (δ)').value).toBe('1e-5');
    expect(within(dialog).getByText(/the orchestrator adds noise of standard deviation σ × C = 1 to the sum/)).toBeTruthy();
  });

  it('refuses σ = 0 with differential privacy, and secure aggregation with fewer than 2 participants per round', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    const secure = within(dialog).getByRole('switch', { name: 'Secure aggregation' });
    await userEvent.click(secure);
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Local' }));
    await setText(dialog, 'Noise multiplier (σ)', '0');
    await setText(dialog, 'Delta (δ)', 'tiny');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));

    expect(await within(dialog).findByText(NOISE_NEEDED)).toBeTruthy();
    expect(textbox(dialog, 'Noise multiplier (σ)').getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByText('Enter a number more than 0 and less than 1, such as 1e-5 or 0.00001')).toBeTruthy();
    // The rule is said on the switch, and on the field to change, which Advanced opens to show.
    expect(describedBy(secure)).toContain(SECURE_AGGREGATION_NEEDS_TWO);
    expect(within(dialog).getByRole('button', { name: /Advanced/ }).getAttribute('aria-expanded')).toBe('true');
    expect(describedBy(textbox(dialog, 'Minimum participants'))).toContain('Must be at least 2 with secure aggregation');
    expect(fake.callsOf('runs.create')).toEqual([]);
  });

  it('submits the privacy settings shown, ε target and δ included', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.click(within(dialog).getByRole('switch', { name: 'Secure aggregation' }));
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Central' }));
    await setText(dialog, 'Clipping norm (C)', '2');
    await setText(dialog, 'Noise multiplier (σ)', '1.1');
    await setText(dialog, 'Target epsilon (ε)', '3');
    await setText(dialog, 'Delta (δ)', '0.000001');
    // With secure aggregation, the hospitals add the noise in shares.
    expect(within(dialog).getByText(/the hospitals add noise of standard deviation σ × C = 2.2 in shares/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: /Advanced/ }));
    await within(dialog).findByRole('textbox', { name: 'Minimum participants' });
    await setText(dialog, 'Minimum participants', '2');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));

    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    const { hyperparameters } = fake.callsOf('runs.create')[0] as { hyperparameters: Hyperparameters };
    expect(hyperparameters.privacy).toEqual({ secureAggregation: true, dp: 'central', clip: 2, noiseMultiplier: 1.1, targetEpsilon: 3, delta: 1e-6 });
    expect(hyperparameters.minClients).toBe(2);
    await waitFor(() => expect(screen.getByTestId('current-path').textContent).toBe('/runs/private-run'));
  });

  it('sends no target when the target is left empty', async () => {
    const fake = api();
    const dialog = await openForm(fake);
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Local' }));
    await setText(dialog, 'Noise multiplier (σ)', '0.8');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create run' }));
    await waitFor(() => expect(fake.callsOf('runs.create')).toHaveLength(1));
    const { hyperparameters } = fake.callsOf('runs.create')[0] as { hyperparameters: Hyperparameters };
    expect(hyperparameters.privacy).toEqual({ secureAggregation: false, dp: 'local', clip: 1, noiseMultiplier: 0.8, targetEpsilon: null, delta: 1e-5 });
  });
});

describe('privacy values', () => {
  it('keep the hidden settings of differential privacy when it is off, or fall back when they are invalid', () => {
    const fallback: Privacy = { ...CENTRAL, dp: 'off', clip: 0.5, noiseMultiplier: 2 };
    expect(privacyFromValues({ secureAggregation: false, dp: 'off', clip: 3, noiseMultiplier: 0, targetEpsilon: '', delta: 'x' }, fallback)).toEqual({
      secureAggregation: false,
      dp: 'off',
      clip: 3,
      noiseMultiplier: 2, // σ = 0 is not valid with DP: the run's own is kept
      targetEpsilon: null,
      delta: 1e-5,
    });
  });

  it('read as people write them', () => {
    expect(formatDelta(1e-5)).toBe('1e-5');
    expect(formatDelta(2.5e-7)).toBe('2.5e-7');
    expect(formatDelta(0.01)).toBe('0.01');
    expect(formatEpsilon(2.93124, 1e-5)).toBe('ε = 2.93 (δ = 1e-5)');
    expect(formatEpsilon(3)).toBe('ε = 3');
  });
});

/** Rounds of a run with differential privacy: ε grows by 0.9 a round. */
function privateRounds(count: number): RoundRecord[] {
  return Array.from({ length: count }, (_, index) => ({ ...round(index + 1, 2), privacy: { epsilon: 0.9 * (index + 1), delta: 1e-5 } }));
}

const REPORT: PrivacyReport = {
  secureAggregation: true,
  dp: 'central',
  clip: 1,
  noiseMultiplier: 1.1,
  epsilon: 2.7,
  delta: 1e-5,
  targetEpsilon: 3,
  stoppedByBudget: true,
  quantization: { fractionalBits: 16, range: 1000 },
};

describe('run page, privacy', () => {
  function api(runDetail: ReturnType<typeof detail>, handlers: ConstructorParameters<typeof FakeApi>[0] = {}) {
    return new FakeApi({ 'runs.get': () => runDetail, 'collaborations.list': () => [collaboration], 'participants.list': () => participantViews, ...handlers });
  }
  const open = (fake: FakeApi) => renderScreen(<RunPage />, { api: fake, path: '/runs/baseline', route: '/runs/:id' });

  it('sums the privacy settings up before the run starts', async () => {
    const run = makeRun({ hyperparameters: { privacy: { ...CENTRAL, dp: 'local', clip: 0.5, noiseMultiplier: 2, targetEpsilon: 8, delta: 1e-6 } } });
    open(api(detail(run)));
    expect(await screen.findByText('Logistic regression · FedAvg · 10 rounds · secure aggregation · local differential privacy, ε ≤ 8')).toBeTruthy();
    const settings = screen.getByRole('group', { name: 'Hyperparameters' });
    const value = (label: string) => within(settings).getByText(label).nextElementSibling?.textContent;
    expect(value('Secure aggregation')).toBe('On: the orchestrator sees only the sum of the updates');
    expect(value('Differential privacy')).toBe('Local, C = 0.5, σ = 2');
    expect(value('Privacy budget')).toBe('Stops at ε = 8 (δ = 1e-6)');
  });

  it('edits a run that has not started, keeping its privacy settings', async () => {
    const privacy: Privacy = { secureAggregation: true, dp: 'local', clip: 0.5, noiseMultiplier: 2, targetEpsilon: 8, delta: 1e-6 };
    const run = makeRun({ hyperparameters: { privacy } });
    const fake = api(detail(run), { 'runs.update': (input: { name?: string; hyperparameters?: Partial<Hyperparameters> }) => makeRun({ name: input.name ?? run.name, hyperparameters: { ...run.hyperparameters, ...input.hyperparameters } }) });
    open(fake);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit “FedAvg baseline”' });
    expect((within(dialog).getByRole('switch', { name: 'Secure aggregation' }) as HTMLInputElement).checked).toBe(true);
    expect((within(dialog).getByRole('radio', { name: 'Local' }) as HTMLInputElement).checked).toBe(true);
    expect(textbox(dialog, 'Clipping norm (C)').value).toBe('0.5');
    expect(textbox(dialog, 'Noise multiplier (σ)').value).toBe('2');
    expect(textbox(dialog, 'Target epsilon (ε)').value).toBe('8');
    expect(textbox(dialog, 'Delta (δ)').value).toBe('1e-6');
    expect(textbox(dialog, 'Rounds').value).toBe('10');

    await setText(dialog, 'Noise multiplier (σ)', '3');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(fake.callsOf('runs.update')).toHaveLength(1));
    const update = fake.callsOf('runs.update')[0] as { id: string; name: string; hyperparameters: Hyperparameters };
    expect(update.id).toBe('baseline');
    expect(update.hyperparameters.privacy).toEqual({ ...privacy, noiseMultiplier: 3 });
    expect(update.hyperparameters.minClients).toBe(2);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('offers no edit once the run has started', async () => {
    const run = makeRun({ status: 'completed', round: 3 });
    open(api(detail(run, { result: makeResult(run) })));
    await screen.findByRole('button', { name: 'Run again' });
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('charts the ε spent round by round while the run trains, against the target', async () => {
    const run = makeRun({ status: 'training', round: 2, hyperparameters: { privacy: CENTRAL } });
    open(api(detail(run, { history: privateRounds(2), active: true })));
    const section = await screen.findByRole('region', { name: 'Privacy spent' });
    expect(within(section).getByRole('figure', { name: 'ε spent per round' })).toBeTruthy();
    expect(within(section).getByText(/stops before a round would spend more than ε = 3/)).toBeTruthy();
    await userEvent.click(within(section).getByRole('radio', { name: 'Table' }));
    const table = within(section).getByRole('table', { name: 'ε spent per round' });
    expect(within(table).getAllByRole('row').map((row) => row.textContent)).toEqual(['Roundε spentTarget ε', '10.93', '21.83']);
  });

  it('draws the ε chart, the target as a second line, once it has room', async () => {
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
    const legend = { ...box, bottom: 24, height: 24 };
    const rect = vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      return (this.closest('.recharts-legend-wrapper') ? legend : box) as DOMRect;
    });
    try {
      const run = makeRun({ status: 'training', round: 3, hyperparameters: { privacy: CENTRAL } });
      open(api(detail(run, { history: privateRounds(3), active: true })));
      const figure = await screen.findByRole('figure', { name: 'ε spent per round' });
      await waitFor(() => expect(figure.querySelectorAll('.recharts-line').length).toBe(2));
    } finally {
      globalThis.ResizeObserver = original;
      rect.mockRestore();
    }
  });

  it('shows the privacy panel of the results: the protections, the ε spent, and that the budget stopped training', async () => {
    const run = makeRun({ status: 'completed', round: 3, hyperparameters: { privacy: CENTRAL } });
    const rounds = privateRounds(3);
    const result = makeResult(run, { rounds, privacy: REPORT });
    open(api(detail(run, { history: rounds, result })));
    const panel = await screen.findByRole('region', { name: 'Privacy' });
    expect(within(panel).getByText('ε = 2.7 (δ = 1e-5)')).toBeTruthy();
    expect(within(panel).getByText('Fixed-point encoding: 16 fractional bits, values within ±1,000')).toBeTruthy();
    expect(within(panel).getByText('Central')).toBeTruthy();
    expect(within(panel).getByText('1.1')).toBeTruthy();
    const stop = within(panel).getByRole('alert');
    expect(stop.textContent).toContain('Training stopped at the privacy budget');
    expect(stop.textContent).toContain('after round 3: the next round would have spent more than the target ε = 3');
    expect(screen.getByText('Privacy budget reached after round 3')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Privacy spent' })).toBeTruthy();
  });

  it('says plainly when a run used no protection, and draws no ε chart', async () => {
    const run = makeRun({ status: 'completed', round: 3 });
    const result = makeResult(run, { privacy: NO_PRIVACY });
    open(api(detail(run, { history: result.rounds, result })));
    const panel = await screen.findByRole('region', { name: 'Privacy' });
    expect(within(panel).getByText('The orchestrator saw each hospital’s update.')).toBeTruthy();
    expect(within(panel).getByText(/No noise was added to the updates, so no ε is reported/)).toBeTruthy();
    expect(within(panel).queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Privacy spent' })).toBeNull();
  });
});

describe('compare page, privacy', () => {
  it('puts the protections and the ε spent side by side', async () => {
    const plain = makeRun({ id: 'plain', name: 'No privacy', status: 'completed', round: 3 });
    const noisy = makeRun({ id: 'noisy', name: 'Central DP', status: 'completed', round: 3, hyperparameters: { privacy: CENTRAL } });
    const runs: Run[] = [plain, noisy];
    const fake = new FakeApi({
      'runs.list': () => runs,
      'experiments.list': () => [experiment],
      'projects.list': () => [project],
      'runs.get': ({ id }: { id: string }) => {
        const run = runs.find((entry) => entry.id === id)!;
        return detail(run, { result: makeResult(run, { privacy: id === 'noisy' ? REPORT : NO_PRIVACY }) });
      },
    });
    renderScreen(<ComparePage />, { api: fake, path: '/compare?runs=plain,noisy', route: '/compare' });
    const table = await screen.findByRole('table', { name: 'Runs side by side' });
    const row = (name: string) => [...within(table).getByRole('rowheader', { name }).closest('tr')!.querySelectorAll('td')].map((cell) => cell.textContent);
    await waitFor(() => expect(row('ε spent')).toEqual(['—', 'ε = 2.7 (δ = 1e-5), budget reached']));
    expect(row('Secure aggregation')).toEqual(['Off', 'On']);
    expect(row('Differential privacy')).toEqual(['Off', 'Central, C = 1, σ = 1.1']);
    expect(row('Rounds')).toEqual(['3 of 10', '3 of 10 (privacy budget)']);
  });
});

describe('training request, privacy', () => {
  function show(requests: ReturnType<typeof consent>[]) {
    const fake = new FakeApi({ 'requests.list': () => requests, 'tags.list': () => [tag('train'), tag('evaluate')], 'memberships.list': () => [membershipView()] });
    renderScreen(<RequestsPage />, { api: fake });
  }
  const withPrivacy = (request: ReturnType<typeof consent>, privacy: Privacy) => ({ ...request, summary: RunSummary.parse({ ...request.summary, privacy }) });

  it('says what secure aggregation and differential privacy do with this hospital’s update', async () => {
    show([withPrivacy(consent({ id: 'c-private', run: 'Private run' }), CENTRAL)]);
    const card = await screen.findByRole('article', { name: 'Training request: Private run' });
    const block = within(card).getByText('How your updates are protected').parentElement!;
    expect(within(block).getByText('Secure aggregation: on — the orchestrator sees only the sum of all hospitals’ updates')).toBeTruthy();
    expect(within(block).getByText('Differential privacy: central, C = 1, σ = 1.1, stops at ε = 3 (δ = 1e-5)')).toBeTruthy();
    expect(within(block).getByText(/the hospitals add noise \(standard deviation σ × C = 1.1\) to the sum in shares/)).toBeTruthy();
    expect(within(block).getByText(/training stops before a round would spend more than ε = 3/)).toBeTruthy();
  });

  it('says where local noise is added, and when no ε limit is set', async () => {
    show([withPrivacy(consent({ id: 'c-local', run: 'Local run' }), { ...CENTRAL, secureAggregation: false, dp: 'local', targetEpsilon: null })]);
    const card = await screen.findByRole('article', { name: 'Training request: Local run' });
    expect(within(card).getByText('Secure aggregation: off — the orchestrator sees each hospital’s update')).toBeTruthy();
    expect(within(card).getByText('Differential privacy: local, C = 1, σ = 1.1, no ε limit (δ = 1e-5)')).toBeTruthy();
    expect(within(card).getByText(/this computer adds noise .* before it leaves/)).toBeTruthy();
  });

  it('shows the protections of past decisions', async () => {
    show([withPrivacy(consent({ id: 'c-old', run: 'Approved run', state: 'approved', decidedAt: '2026-01-10T09:00:00.000Z' }), CENTRAL)]);
    const past = await screen.findByRole('table', { name: 'Past decisions' });
    const row = within(past).getByRole('row', { name: /Approved run/ });
    expect(within(row).getByText('Secure aggregation; central differential privacy, ε ≤ 3')).toBeTruthy();
    expect(within(row).getByText('Central, C = 1, σ = 1.1')).toBeTruthy();
  });
});
