// The whole product, end to end, in a real browser (Chromium): an orchestrator and two hospitals,
// each its own app (data directory, browser-mode UI server, token), driven only through their
// pages as people would: define a collaboration > project > experiment > run, invite the
// hospitals, join, register data after a preview, approve (and decline) training requests,
// follow the run live, read the results, export the model, then evaluate and predict locally.
//
// Every screen visited is photographed into test-results/e2e-NN-<step>.png, and any console
// error or warning, or uncaught page error, on any page fails the test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppFederation, type AppFederation } from '../support/app-federation';
import { axeViolations } from '../support/axe';
import { hasChromium, launchChromium } from '../support/browser';
import { DEMO_DATA, PROJECT_ROOT } from '../support/cli';

const RESULTS = join(PROJECT_ROOT, 'test-results');
const COLLABORATION = 'Breast cancer network';
const PROJECT = 'Diagnosis';
const EXPERIMENT = 'Logistic regression';
const RUN = 'FedAvg, 5 rounds';
const RUN_WITHOUT_B = 'FedAvg, hospital A only';
const RUN_PRIVATE = 'FedAvg, secure aggregation and DP';
const RUN_EXACT = 'Exact fit';
const ROUNDS = 5;
/** UI waits: generous for CI on two cores, but a stuck screen still fails in reasonable time. */
const WAIT = 20_000;
/** Each step's time limit: well above its waits, so that a stuck one reports what it waited for. */
const STEP = 90_000;

interface Hospital {
  /** The demo data folder and the participant id the app derives from the name. */
  id: 'hospital-a' | 'hospital-b';
  name: string;
  trainRows: number;
  evaluateRows: number;
}

const HOSPITALS: Hospital[] = [
  { id: 'hospital-a', name: 'Hospital A', trainRows: 208, evaluateRows: 52 },
  { id: 'hospital-b', name: 'Hospital B', trainRows: 144, evaluateRows: 36 },
];

/** What every page said on its console (errors and warnings) or threw. */
const problems: string[] = [];
let shots = 0;

function watch(page: Page, who: string): Page {
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${who} console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${who} page error: ${error.message}`));
  return page;
}

/**
 * Photographs the screen: the whole page, scrolled to the top first (a full-page shot of a
 * scrolled page draws the fixed header and navigation in the middle); only the window while a
 * dialog is open (its overlay covers the window, not the whole page).
 */
async function shot(page: Page, step: string): Promise<void> {
  shots += 1;
  const dialog = (await page.getByRole('dialog').count()) > 0;
  if (!dialog) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(RESULTS, `e2e-${String(shots).padStart(2, '0')}-${step}.png`), fullPage: !dialog, animations: 'disabled' });
}

function expectNoProblems(): void {
  expect(problems, 'console errors, warnings or page errors').toEqual([]);
}

/** The text of one cell of a table, by its row's text and its column's header. */
async function cell(table: Locator, rowText: string | RegExp, column: string): Promise<string> {
  const headers = (await table.locator('thead th').allTextContents()).map((text) => text.trim());
  const index = headers.indexOf(column);
  expect(index, `column "${column}" among ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(0);
  const row = table.locator('tbody tr').filter({ hasText: rowText });
  expect(await row.count(), `rows of the table matching ${String(rowText)}`).toBe(1);
  return ((await row.locator('td, th').nth(index).textContent()) ?? '').trim();
}

/** Waits until a locator is visible (a real wait on the UI, not a sleep). */
async function visible(locator: Locator, timeout = WAIT): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

async function navigate(page: Page, label: string, heading: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: new RegExp(`^${label}`) }).click();
  await visible(page.getByRole('heading', { name: heading, exact: true, level: 2 }));
}

/**
 * Records, in the page, every text the run page's round counter shows ("Round 2 of 5 · 1 round
 * done"), so that a test can tell the counter advanced live however fast the rounds go.
 */
const RECORD_ROUND_COUNTER = `(() => {
  window.__cohortObserver?.disconnect();
  const seen = [];
  window.__cohortRounds = seen;
  const record = () => {
    const counter = document.querySelector('[data-testid="round-counter"]');
    const text = counter ? counter.textContent.replace(/\\s+/g, ' ').trim() : '';
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  };
  window.__cohortObserver = new MutationObserver(record);
  window.__cohortObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

async function roundCounterTexts(page: Page): Promise<string[]> {
  return (await page.evaluate('window.__cohortRounds')) as string[];
}

/** Through the screens, as a person would: Collaborations > collaboration > project > experiment. */
async function openExperiment(o: Page): Promise<void> {
  await navigate(o, 'Collaborations', 'Collaborations');
  await o.getByRole('link', { name: `${COLLABORATION}: open collaboration` }).click();
  await (await visible(o.getByRole('table', { name: 'Projects' }))).getByRole('link', { name: PROJECT }).click();
  await (await visible(o.getByRole('table', { name: 'Experiments' }))).getByRole('link', { name: EXPERIMENT }).click();
}

/** Creates the run filled in the dialog, starts it after confirming, and waits for the approvals. */
async function createAndStart(o: Page, runDialog: Locator, name: string): Promise<void> {
  await runDialog.getByRole('button', { name: 'Create run' }).click();
  await visible(o.getByRole('heading', { name: 'This run has not started' }));
  await o.getByRole('button', { name: 'Start run' }).click();
  const confirm = await visible(o.getByRole('dialog', { name: `Start “${name}”?` }));
  await confirm.getByRole('button', { name: 'Start run' }).click();
  await visible(o.getByRole('heading', { name: 'Awaiting approval' }));
}

/** The numbers a chart shows, read from its table view. */
async function chartValues(scope: Page | Locator, label: string): Promise<string[][]> {
  await visible(scope.getByRole('figure', { name: label }));
  await scope.getByLabel(`Show ${label} as`).getByText('Table', { exact: true }).click();
  const table = await visible(scope.getByRole('table', { name: label }));
  const rows = table.locator('tbody tr');
  const values: string[][] = [];
  for (let index = 0; index < (await rows.count()); index += 1) values.push((await rows.nth(index).locator('td').allTextContents()).map((text) => text.trim()));
  // Back to the chart, as people see it.
  await scope.getByLabel(`Show ${label} as`).getByText('Chart', { exact: true }).click();
  // Drawn once its frame is measured.
  await visible(scope.getByRole('figure', { name: label }).locator('svg.recharts-surface'));
  return values;
}

/** Builds the app into a directory of its own: other test files rebuilding out/ cannot disturb it. */
async function buildApp(outDir: string): Promise<void> {
  const build = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  build.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => build.on('exit', resolve));
  expect(code, stderr).toBe(0);
}

describe.skipIf(!hasChromium)('the whole flow in a browser: orchestrator and two hospitals', () => {
  let work: string;
  let federation: AppFederation;
  let browser: Browser;
  let orchestrator: Page;
  const hospitals = new Map<Hospital['id'], Page>();
  const codes = new Map<Hospital['id'], string>();

  const page = (id: Hospital['id']) => hospitals.get(id)!;

  /** The steps build on each other: once one fails, the next ones are skipped, not failed again. */
  let broken: string | undefined;
  const step = (name: string, body: () => Promise<void>) =>
    it(name, async (context) => {
      if (broken) context.skip(`an earlier step failed: ${broken}`);
      try {
        await body();
      } catch (error) {
        broken = name;
        throw error;
      }
    }, STEP);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cohort-e2e-'));
    await mkdir(RESULTS, { recursive: true });
    for (const file of await readdir(RESULTS)) if (/^e2e-\d+-.*\.png$/.test(file)) await rm(join(RESULTS, file));
    await buildApp(join(work, 'out'));
    federation = await startAppFederation(
      HOSPITALS.map((hospital) => hospital.id),
      { rendererRoot: join(work, 'out', 'renderer') },
    );
    browser = await launchChromium();
    // Each party in a browser context of its own, as on separate computers.
    const open = async (url: string, who: string) => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      context.setDefaultTimeout(WAIT);
      const tab = watch(await context.newPage(), who);
      await tab.goto(url);
      await visible(tab.getByRole('heading', { name: 'Cohort', exact: true }));
      return tab;
    };
    orchestrator = await open(federation.orchestrator.url, 'orchestrator');
    for (const [index, hospital] of HOSPITALS.entries()) hospitals.set(hospital.id, await open(federation.participants[index]!.url, hospital.id));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await federation?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  step('1. the orchestrator defines a collaboration, a project, an experiment and a run', async () => {
    const o = orchestrator;
    await visible(o.getByRole('heading', { name: 'No collaborations yet' }));
    await shot(o, 'orchestrator-collaborations-empty');

    await o.getByRole('button', { name: 'Create the first collaboration' }).click();
    const collaborationDialog = await visible(o.getByRole('dialog', { name: 'New collaboration' }));
    await collaborationDialog.getByLabel('Name').fill(COLLABORATION);
    await collaborationDialog.getByLabel('Description').fill('Two hospitals predicting malignancy from biopsy measurements.');
    await shot(o, 'orchestrator-new-collaboration');
    await collaborationDialog.getByRole('button', { name: 'Create collaboration' }).click();
    await visible(o.getByRole('heading', { name: COLLABORATION, exact: true }));
    await visible(o.getByRole('heading', { name: 'No projects yet' }));
    await shot(o, 'orchestrator-collaboration-new');

    await o.getByRole('button', { name: 'Create a project' }).click();
    const projectDialog = await visible(o.getByRole('dialog', { name: 'New project' }));
    await projectDialog.getByLabel('Name').fill(PROJECT);
    await projectDialog.getByRole('combobox', { name: 'Target column' }).fill('diagnosis');
    // Classification is the default task; the positive class is only asked for then.
    await expect(projectDialog.getByRole('radio', { name: 'Classification' }).isChecked()).resolves.toBe(true);
    await projectDialog.getByLabel('Positive class').fill('M');
    await projectDialog.getByLabel('Description').fill('Malignant (M) or benign (B).');
    await shot(o, 'orchestrator-new-project');
    await projectDialog.getByRole('button', { name: 'Create project' }).click();
    await projectDialog.waitFor({ state: 'hidden' });
    const projects = await visible(o.getByRole('table', { name: 'Projects' }));
    await expect(cell(projects, PROJECT, 'Target column')).resolves.toBe('diagnosis');
    await expect(cell(projects, PROJECT, 'Positive class')).resolves.toBe('M');

    await projects.getByRole('link', { name: PROJECT }).click();
    await visible(o.getByRole('heading', { name: PROJECT, exact: true }));
    await visible(o.getByRole('heading', { name: 'No experiments yet' }));
    await shot(o, 'orchestrator-project');

    await o.getByRole('button', { name: 'Create an experiment' }).click();
    const experimentDialog = await visible(o.getByRole('dialog', { name: 'New experiment' }));
    await experimentDialog.getByLabel('Name').fill(EXPERIMENT);
    // The logistic regression preset is the default model.
    await expect(experimentDialog.getByRole('radio', { name: 'Logistic regression' }).isChecked()).resolves.toBe(true);
    await visible(experimentDialog.getByRole('region', { name: 'Model preview' }).getByText(/\d+ parameters/));
    await shot(o, 'orchestrator-new-experiment');
    await experimentDialog.getByRole('button', { name: 'Create experiment' }).click();
    await visible(o.getByRole('heading', { name: EXPERIMENT, exact: true }));
    await visible(o.getByRole('heading', { name: 'No runs yet' }));
    await shot(o, 'orchestrator-experiment');

    await o.getByRole('button', { name: 'Define a run' }).click();
    const runDialog = await visible(o.getByRole('dialog', { name: /^New run of/ }));
    await runDialog.getByLabel('Name').fill(RUN);
    // A regression is fitted exactly unless asked otherwise: this run follows FedAvg's gradient steps.
    await expect(runDialog.getByRole('radio', { name: /^Automatic/ }).isChecked()).resolves.toBe(true);
    await runDialog.getByRole('radio', { name: /^Gradient steps/ }).check();
    await runDialog.getByRole('textbox', { name: 'Rounds', exact: true }).fill(String(ROUNDS));
    await runDialog.getByRole('button', { name: /Advanced/ }).click();
    await runDialog.getByRole('textbox', { name: 'Minimum participants' }).fill('2');
    await shot(o, 'orchestrator-new-run');
    await runDialog.getByRole('button', { name: 'Create run' }).click();
    await visible(o.getByRole('heading', { name: 'This run has not started' }));
    await visible(o.getByText(`Logistic regression · FedAvg · ${ROUNDS} rounds`));
    await shot(o, 'orchestrator-run-defined');
    expectNoProblems();
  });

  step('2. the orchestrator invites each hospital and reads its code from the screen', async () => {
    const o = orchestrator;
    await o.getByRole('main').getByRole('link', { name: COLLABORATION, exact: true }).click();
    await visible(o.getByRole('heading', { name: COLLABORATION, exact: true }));
    for (const hospital of HOSPITALS) {
      await o.getByRole('button', { name: 'Invite a participant' }).first().click();
      const dialog = await visible(o.getByRole('dialog', { name: 'Invite a participant' }));
      await dialog.getByLabel('Note').fill(`${hospital.name}, oncology department`);
      await dialog.getByRole('button', { name: 'Create invitation' }).click();
      const shown = await visible(o.getByRole('dialog', { name: 'Send the invitation code' }));
      const code = await shown.getByRole('textbox', { name: 'Invitation code' }).inputValue();
      expect(code.length).toBeGreaterThan(40);
      codes.set(hospital.id, code.trim());
      await shot(o, `orchestrator-invitation-${hospital.id}`);
      await shown.getByRole('button', { name: 'Done' }).click();
      await shown.waitFor({ state: 'hidden' });
    }
    const invitations = await visible(o.getByRole('table', { name: 'Invitations' }));
    await expect.poll(() => invitations.locator('tbody tr').filter({ hasText: 'Open' }).count(), { timeout: WAIT }).toBe(2);
    await shot(o, 'orchestrator-invitations');
    expectNoProblems();
  });

  step('3. each hospital joins with its code, then registers its train and evaluate files after a preview', async () => {
    for (const hospital of HOSPITALS) {
      const h = page(hospital.id);
      await visible(h.getByRole('heading', { name: 'Join a collaboration' }));
      await visible(h.getByText('You have not joined a collaboration yet'));
      await shot(h, `${hospital.id}-collaborations-empty`);
      await h.getByRole('textbox', { name: 'Invitation code' }).fill(codes.get(hospital.id)!);
      await visible(h.getByText(`You are joining ${COLLABORATION}`));
      await h.getByRole('textbox', { name: /hospital.s name/ }).fill(hospital.name);
      await h.getByRole('textbox', { name: 'Organisation' }).fill('Demo Health Trust');
      await visible(h.getByText(`Participant id: ${hospital.id}`));
      await shot(h, `${hospital.id}-join`);
      await h.getByRole('button', { name: 'Join' }).click();
      const membership = await visible(h.getByRole('article', { name: COLLABORATION }));
      await visible(membership.getByText('Connected'));
      await visible(h.getByRole('banner').getByText(hospital.name));
      await shot(h, `${hospital.id}-joined`);

      await membership.getByRole('link', { name: `Register data for ${PROJECT}` }).click();
      await visible(h.getByRole('heading', { name: 'My data', exact: true }));
      await visible(h.getByText('No data registered for this project yet'));
      for (const kind of ['train', 'evaluate'] as const) {
        const rows = kind === 'train' ? hospital.trainRows : hospital.evaluateRows;
        const register = h.getByRole('region', { name: 'Register data' });
        await register.getByRole('radiogroup', { name: 'What is this file for?' }).getByText(kind === 'train' ? 'Train' : 'Evaluate', { exact: true }).click();
        await register.getByRole('textbox', { name: 'CSV or Parquet file' }).fill(join(DEMO_DATA, hospital.id, `${kind}.csv`));
        await register.getByRole('button', { name: 'Preview' }).click();
        // The preview comes first: the file's first rows and its columns, read locally.
        await visible(register.getByText('This preview stays on this computer'));
        const firstRows = await visible(register.getByRole('table', { name: `First rows of ${kind}.csv` }));
        expect(await firstRows.locator('tbody tr').count()).toBeGreaterThan(0);
        await visible(register.getByText(new RegExp(`^Rows\\s*${rows}$`)));
        await shot(h, `${hospital.id}-preview-${kind}`);
        await register.getByRole('button', { name: kind === 'train' ? 'Register training data' : 'Register evaluation data' }).click();
        const registered = await visible(h.getByRole('table', { name: `Files registered for ${PROJECT}` }));
        await expect.poll(() => cell(registered, `${kind}.csv`, 'Rows'), { timeout: WAIT }).toBe(String(rows));
      }
      await shot(h, `${hospital.id}-data-registered`);
    }
    expectNoProblems();
  });

  step('4. the orchestrator sees both hospitals online, with the data they declared', async () => {
    const o = orchestrator;
    await navigate(o, 'Participants', 'Participants');
    const table = await visible(o.getByRole('table', { name: 'Participants' }));
    for (const hospital of HOSPITALS) {
      const row = table.locator('tbody tr').filter({ hasText: hospital.name });
      await visible(row.getByText('Online', { exact: true }));
      await visible(row.getByText(`${hospital.trainRows} rows · 31 columns`));
      await visible(row.getByText(`${hospital.evaluateRows} rows · 31 columns`));
      await visible(row.getByText('Training', { exact: true }));
      await visible(row.getByText('Evaluation', { exact: true }));
    }
    await shot(o, 'orchestrator-participants');
    // The declared columns, names and kinds only.
    await table.getByRole('button', { name: `Show the columns of Hospital A · ${PROJECT} · training data` }).click();
    const columns = await visible(o.getByRole('dialog', { name: /^Columns: Hospital A/ }));
    await visible(columns.getByRole('table', { name: 'Declared columns' }).getByText('radius_mean'));
    await shot(o, 'orchestrator-declared-columns');
    await o.keyboard.press('Escape');
    await columns.waitFor({ state: 'hidden' });
    expectNoProblems();
  });

  step('5. the orchestrator starts the run; each hospital reviews the training request and approves it', async () => {
    const o = orchestrator;
    // Back to the run through the screens: Collaborations > collaboration > project > experiment > run.
    await openExperiment(o);
    await (await visible(o.getByRole('table', { name: 'Runs' }))).getByRole('link', { name: RUN }).click();
    await visible(o.getByRole('heading', { name: 'This run has not started' }));
    await visible(o.getByText('the 2 participants registered'));
    await o.evaluate(RECORD_ROUND_COUNTER);
    await o.getByRole('button', { name: 'Start run' }).click();
    const confirm = await visible(o.getByRole('dialog', { name: `Start “${RUN}”?` }));
    await visible(confirm.getByText('at least 2 participants must take part'));
    await shot(o, 'orchestrator-start-run');
    await confirm.getByRole('button', { name: 'Start run' }).click();
    await visible(o.getByRole('heading', { name: 'Awaiting approval' }));
    await shot(o, 'orchestrator-run-awaiting-approval');

    for (const hospital of HOSPITALS) {
      const h = page(hospital.id);
      await navigate(h, 'Training requests', 'Training requests');
      const request = await visible(h.getByRole('article', { name: `Training request: ${RUN}` }));
      // What the run would do, before any row is used: the model, its settings, the files, the privacy.
      await visible(request.getByText(`${COLLABORATION} › ${PROJECT} › ${EXPERIMENT}`));
      await visible(request.getByText('Logistic regression', { exact: true }));
      expect((await request.textContent())?.replace(/\s+/g, ' ')).toMatch(new RegExp(`Rounds\\s*${ROUNDS}`));
      await visible(request.getByText('FedAvg', { exact: true }));
      await visible(request.getByText(`train.csv · ${hospital.trainRows} rows`));
      await visible(request.getByText(`evaluate.csv · ${hospital.evaluateRows} rows`));
      const privacy = await visible(request.getByText('How your updates are protected').locator('..'));
      await visible(privacy.getByText(/^Secure aggregation: /));
      await visible(privacy.getByText(/^Differential privacy: /));
      await visible(h.getByRole('region', { name: 'Waiting for your decision' }).getByLabel('1 waiting'));
      await shot(h, `${hospital.id}-training-request`);
      await request.getByRole('button', { name: 'Approve' }).click();
      const past = await visible(h.getByRole('table', { name: 'Past decisions' }));
      await visible(past.locator('tbody tr').filter({ hasText: RUN }).getByText('Approved', { exact: true }));
      await visible(h.getByText('Nothing is waiting for your decision'));
      await shot(h, `${hospital.id}-request-approved`);
    }
    expectNoProblems();
  });

  step('6. the run page follows the rounds live, then shows the results; the global model is exported', async () => {
    const o = orchestrator;
    const completed = o.getByRole('main').getByRole('heading', { level: 2 }).locator('[data-status="completed"]');
    // A photograph while it trains, unless the rounds were quicker than that (the recorded texts
    // below are what shows the counter advanced).
    await visible(o.getByTestId('round-counter').filter({ hasText: /rounds? done/ }).or(completed));
    if (await o.getByTestId('round-counter').isVisible()) await shot(o, 'orchestrator-run-training');
    await visible(completed, 60_000);
    // The round counter advanced while the run trained (the page recorded every text it showed).
    const seen = await roundCounterTexts(o);
    const done = [...new Set(seen.flatMap((text) => /· (\d+) rounds? done/.exec(text)?.[1] ?? []))].map(Number);
    expect(done.length, `round counter texts: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    expect(done.every((value, index) => index === 0 || value > done[index - 1]!), JSON.stringify(seen)).toBe(true);
    // A round after the first was shown while it trained (renders may merge two quick rounds).
    expect(seen.some((text) => { const round = Number(/^Round (\d+) of /.exec(text)?.[1]); return round >= 2 && round <= ROUNDS; }), JSON.stringify(seen)).toBe(true);

    // The outcome and the final metrics of the global model, at each hospital and pooled.
    await visible(o.getByText(`${ROUNDS} rounds trained with 2 participants`));
    await visible(o.getByText('No participant dropped out.'));
    const metrics = await visible(o.getByRole('table', { name: 'Metrics of the global model' }));
    const rocAuc = Number(await cell(metrics, 'All participants (aggregate)', 'ROC AUC'));
    expect(rocAuc).toBeGreaterThan(0.8);
    expect(rocAuc).toBeLessThanOrEqual(1);
    await expect(cell(metrics, 'All participants (aggregate)', 'Rows')).resolves.toBe(String(HOSPITALS.reduce((sum, hospital) => sum + hospital.evaluateRows, 0)));
    for (const hospital of HOSPITALS) await expect(cell(metrics, hospital.name, 'Rows')).resolves.toBe(String(hospital.evaluateRows));
    await visible(o.getByRole('table', { name: 'Confusion matrix' }));
    // The charts hold every round.
    const losses = await chartValues(o, 'Training loss per round');
    expect(losses.map((row) => row[0])).toEqual(Array.from({ length: ROUNDS }, (_, index) => String(index + 1)));
    for (const row of losses) for (const value of row.slice(1)) expect(Number(value), JSON.stringify(losses)).toBeGreaterThan(0);
    const aucs = await chartValues(o, 'ROC AUC per round');
    expect(aucs).toHaveLength(ROUNDS);
    await shot(o, 'orchestrator-run-completed');

    await o.getByRole('button', { name: 'Export global model' }).click();
    const dialog = await visible(o.getByRole('dialog', { name: 'Export the global model' }));
    const folder = join(work, 'exported', 'global-model');
    await dialog.getByRole('textbox', { name: 'Folder' }).fill(folder);
    await shot(o, 'orchestrator-export');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await visible(dialog.getByText('Model exported'));
    const files = (await dialog.getByRole('list', { name: 'Files written' }).getByRole('listitem').allTextContents()).map((text) => text.trim());
    expect(files).toContain('model.json');
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect((await stat(join(folder, file))).size, file).toBeGreaterThan(0);
    const model = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as { modelTopology?: unknown; weightsManifest?: unknown };
    expect(model.modelTopology).toBeDefined();
    expect(model.weightsManifest).toBeDefined();
    await shot(o, 'orchestrator-exported');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expectNoProblems();
  });

  step('7. each hospital sees the run in its Activity, with its own loss per round', async () => {
    for (const hospital of HOSPITALS) {
      const h = page(hospital.id);
      await navigate(h, 'Activity', 'Activity');
      const past = await visible(h.getByRole('region', { name: 'Past runs' }));
      await visible(past.getByText(RUN, { exact: true }));
      await visible(past.getByText('Finished', { exact: true }));
      await visible(past.getByText(`${ROUNDS} of ${ROUNDS}`, { exact: true }));
      await visible(past.getByText(String(hospital.trainRows), { exact: true }));
      const losses = await chartValues(past, `My local training loss, ${RUN}`);
      expect(losses.map((row) => row[0])).toEqual(Array.from({ length: ROUNDS }, (_, index) => String(index + 1)));
      for (const row of losses) expect(Number(row[1]), JSON.stringify(losses)).toBeGreaterThan(0);
      await visible(past.getByRole('table', { name: 'Metrics' }).getByText('on my evaluate data'));
      await shot(h, `${hospital.id}-activity`);
    }
    expectNoProblems();
  });

  step('8. a hospital evaluates the global model on its own file, and predicts into a file it chose', async () => {
    const hospital = HOSPITALS[0]!;
    const h = page(hospital.id);
    await navigate(h, 'Evaluate & predict', 'Evaluate & predict');
    await expect.poll(() => h.getByRole('combobox', { name: 'Model' }).inputValue(), { timeout: WAIT }).toBe(`${RUN} · global model`);
    await shot(h, `${hospital.id}-models`);

    await h.getByRole('textbox', { name: 'File with known outcomes' }).fill(join(DEMO_DATA, hospital.id, 'evaluate.csv'));
    await h.getByRole('button', { name: 'Evaluate', exact: true }).click();
    const metrics = await visible(h.getByRole('table', { name: 'Metrics' }));
    await expect(cell(metrics, 'on evaluate.csv', 'Rows')).resolves.toBe(String(hospital.evaluateRows));
    const rocAuc = Number(await cell(metrics, 'on evaluate.csv', 'ROC AUC'));
    expect(rocAuc).toBeGreaterThan(0.8);
    await visible(h.getByRole('table', { name: 'Confusion matrix' }).getByText('M', { exact: true }));
    await shot(h, `${hospital.id}-evaluated`);

    // New rows without the outcome: the evaluation file without its diagnosis column.
    const csv = (await readFile(join(DEMO_DATA, hospital.id, 'evaluate.csv'), 'utf8')).trim().split(/\r?\n/);
    const target = csv[0]!.split(',').indexOf('diagnosis');
    const input = join(work, 'new-patients.csv');
    await writeFile(input, `${csv.map((line) => line.split(',').filter((_, index) => index !== target).join(',')).join('\n')}\n`);
    const output = join(work, 'my predictions.csv');

    await h.getByRole('tab', { name: 'Predict' }).click();
    await h.getByRole('textbox', { name: 'Rows to predict' }).fill(input);
    // A path is suggested beside the input; the person types their own instead.
    await expect.poll(() => h.getByRole('textbox', { name: 'Save predictions to' }).inputValue()).toBe(join(work, 'new-patients-predictions.csv'));
    await h.getByRole('textbox', { name: 'Save predictions to' }).fill(output);
    await h.getByRole('button', { name: 'Predict', exact: true }).click();
    await visible(h.getByText(`${hospital.evaluateRows} predictions written`));
    const preview = await visible(h.getByRole('table', { name: 'First rows of my predictions.csv' }));
    expect(await preview.locator('tbody tr').count()).toBeGreaterThan(0);
    const header = (await preview.locator('thead th').allTextContents()).map((text) => text.trim());
    expect(header.some((name) => name.startsWith('predicted_')), JSON.stringify(header)).toBe(true);
    await shot(h, `${hospital.id}-predicted`);

    expect(existsSync(output)).toBe(true);
    const lines = (await readFile(output, 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(hospital.evaluateRows + 1);
    expect(lines[0]!.split(',')).toEqual(header.filter((name) => name !== '#' && name !== ''));
    expectNoProblems();
  });

  step('9. a second run: hospital B declines, hospital A approves, and the run completes without B', async () => {
    const o = orchestrator;
    await o.getByRole('main').getByRole('link', { name: EXPERIMENT, exact: true }).click();
    await visible(o.getByRole('heading', { name: EXPERIMENT, exact: true }));
    await o.getByRole('button', { name: 'New run' }).click();
    const runDialog = await visible(o.getByRole('dialog', { name: /^New run of/ }));
    await runDialog.getByLabel('Name').fill(RUN_WITHOUT_B);
    await runDialog.getByRole('radio', { name: /^Gradient steps/ }).check();
    await runDialog.getByRole('textbox', { name: 'Rounds', exact: true }).fill('3');
    await runDialog.getByRole('button', { name: /Advanced/ }).click();
    await runDialog.getByRole('textbox', { name: 'Minimum participants' }).fill('1');
    await createAndStart(o, runDialog, RUN_WITHOUT_B);

    const b = page('hospital-b');
    await navigate(b, 'Training requests', 'Training requests');
    const request = await visible(b.getByRole('article', { name: `Training request: ${RUN_WITHOUT_B}` }));
    await request.getByRole('button', { name: 'Decline' }).click();
    const decline = await visible(b.getByRole('dialog', { name: 'Decline this training request?' }));
    await shot(b, 'hospital-b-decline');
    await decline.getByRole('button', { name: 'Decline request' }).click();
    const past = await visible(b.getByRole('table', { name: 'Past decisions' }));
    await visible(past.locator('tbody tr').filter({ hasText: RUN_WITHOUT_B }).getByText('Declined', { exact: true }));
    await shot(b, 'hospital-b-declined');

    const a = page('hospital-a');
    await navigate(a, 'Training requests', 'Training requests');
    await (await visible(a.getByRole('article', { name: `Training request: ${RUN_WITHOUT_B}` }))).getByRole('button', { name: 'Approve' }).click();
    await visible(a.getByRole('table', { name: 'Past decisions' }).locator('tbody tr').filter({ hasText: RUN_WITHOUT_B }).getByText('Approved', { exact: true }));

    await visible(o.getByRole('main').getByRole('heading', { level: 2 }).locator('[data-status="completed"]'), 60_000);
    await visible(o.getByText('3 rounds trained with 1 participant'));
    const dropouts = await visible(o.getByRole('table', { name: 'Dropouts' }));
    await expect(cell(dropouts, 'Hospital B', 'Round')).resolves.toBe('Before training');
    await expect(cell(dropouts, 'Hospital B', 'Reason')).resolves.toMatch(/^declined/);
    const metrics = await visible(o.getByRole('table', { name: 'Metrics of the global model' }));
    await expect(metrics.locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('Hospital A'), expect.stringContaining('All participants (aggregate)')]);
    await shot(o, 'orchestrator-run-without-b');
    expectNoProblems();
  });

  step('10. the orchestrator compares the two runs side by side', async () => {
    const o = orchestrator;
    await navigate(o, 'Compare runs', 'Compare runs');
    await o.getByRole('combobox', { name: 'Runs to compare' }).click();
    for (const run of [RUN, RUN_WITHOUT_B]) await o.getByRole('option', { name: new RegExp(run.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).click();
    await o.keyboard.press('Escape');
    const table = await visible(o.getByRole('table', { name: 'Runs side by side' }));
    await visible(table.getByText(RUN_WITHOUT_B));
    await shot(o, 'orchestrator-compare');
    expectNoProblems();
  });

  step('11. a run with secure aggregation and central DP: the hospitals see the protection before approving; results show the epsilon spent', async () => {
    const o = orchestrator;
    await openExperiment(o);
    await o.getByRole('button', { name: 'New run' }).click();
    const runDialog = await visible(o.getByRole('dialog', { name: /^New run of/ }));
    await runDialog.getByLabel('Name').fill(RUN_PRIVATE);
    await runDialog.getByRole('textbox', { name: 'Rounds', exact: true }).fill('5');
    await runDialog.getByRole('switch', { name: 'Secure aggregation' }).check();
    // Secure aggregation needs two participants per round: the form says so until it is set.
    await runDialog.getByRole('radio', { name: /^Central/ }).check();
    await runDialog.getByRole('textbox', { name: 'Noise multiplier (σ)' }).fill('5');
    // At sigma 5 with both hospitals in every round, rounds 1, 2, 3 bring epsilon to 0.79, 1.16, 1.45: the budget stops training after round 2.
    await runDialog.getByRole('textbox', { name: 'Target epsilon (ε)' }).fill('1.2');
    await runDialog.getByRole('button', { name: /Advanced/ }).click();
    await runDialog.getByRole('textbox', { name: 'Minimum participants' }).fill('2');
    await shot(o, 'orchestrator-new-private-run');
    await createAndStart(o, runDialog, RUN_PRIVATE);

    for (const hospital of HOSPITALS) {
      const h = page(hospital.id);
      await navigate(h, 'Training requests', 'Training requests');
      const request = await visible(h.getByRole('article', { name: `Training request: ${RUN_PRIVATE}` }));
      const privacy = await visible(request.getByText('How your updates are protected').locator('..'));
      await visible(privacy.getByText(/^Secure aggregation: on/));
      await visible(privacy.getByText(/^Differential privacy: central, C = 1, σ = 5, stops at ε = 1\.2 \(δ = 1e-5\)/));
      await shot(h, `${hospital.id}-private-request`);
      await request.getByRole('button', { name: 'Approve' }).click();
      await visible(h.getByRole('table', { name: 'Past decisions' }).locator('tbody tr').filter({ hasText: RUN_PRIVATE }).getByText('Approved', { exact: true }));
    }

    await visible(o.getByRole('main').getByRole('heading', { level: 2 }).locator('[data-status="completed"]'), 60_000);
    await visible(o.getByText('Training stopped at the privacy budget'));
    await visible(o.getByText(/^Training stopped after round 2: the next round would have spent more than the target ε = 1\.2/));
    const privacy = await visible(o.getByRole('region', { name: 'Privacy', exact: true }));
    expect((await privacy.textContent())?.replace(/\s+/g, ' ')).toMatch(/Secure aggregation\s*On/);
    expect((await privacy.textContent())?.replace(/\s+/g, ' ')).toMatch(/ε spent\s*ε = 1\.16 \(δ = 1e-5\)/);
    await shot(o, 'orchestrator-private-run-completed');
    expectNoProblems();
  });

  step('12. an exact logistic regression with the default settings: each hospital sees what it sends; the results read as a regression table', async () => {
    const o = orchestrator;
    await openExperiment(o);
    await o.getByRole('button', { name: 'New run' }).click();
    const runDialog = await visible(o.getByRole('dialog', { name: /^New run of/ }));
    await runDialog.getByLabel('Name').fill(RUN_EXACT);
    await visible(runDialog.getByRole('textbox', { name: 'Penalty' }));
    await runDialog.getByRole('button', { name: /Advanced/ }).click();
    await runDialog.getByRole('textbox', { name: 'Minimum participants' }).fill('2');
    await shot(o, 'orchestrator-new-exact-run');
    await createAndStart(o, runDialog, RUN_EXACT);
    await visible(o.getByText(/^Logistic regression · fitted exactly · at most 25 rounds/));

    for (const hospital of HOSPITALS) {
      const h = page(hospital.id);
      await navigate(h, 'Training requests', 'Training requests');
      const request = await visible(h.getByRole('article', { name: `Training request: ${RUN_EXACT}` }));
      await visible(request.getByText(/fitted exactly in at most 25 rounds: each round sends sums over your rows/));
      await shot(h, `${hospital.id}-exact-request`);
      await request.getByRole('button', { name: 'Approve' }).click();
      await visible(h.getByRole('table', { name: 'Past decisions' }).locator('tbody tr').filter({ hasText: RUN_EXACT }).getByText('Approved', { exact: true }));
    }

    await visible(o.getByRole('main').getByRole('heading', { level: 2 }).locator('[data-status="completed"]'), 60_000);
    const coefficients = await visible(o.getByRole('table', { name: 'Regression coefficients' }));
    // The intercept and one row per feature of the demo (30 measurements).
    await expect(coefficients.locator('tbody tr').count()).resolves.toBe(31);
    await expect(cell(coefficients, /^radius_mean/, 'Odds ratio (95% CI)')).resolves.toMatch(/^[\d.e+-]+ \([\d.e+-]+ to [\d.e+-]+\)$/);
    await expect(cell(coefficients, /^radius_mean/, 'p')).resolves.toMatch(/^(< 0\.001|[01]\.\d{3})$/);
    await visible(o.getByText(/fitted exactly: the same model as pooling every participant's 352 rows/));
    const metrics = await visible(o.getByRole('table', { name: 'Metrics of the global model' }));
    expect(Number(await cell(metrics, 'All participants (aggregate)', 'ROC AUC'))).toBeGreaterThan(0.95);
    await o.getByRole('region', { name: 'Coefficients' }).scrollIntoViewIfNeeded();
    await shot(o, 'orchestrator-exact-run-coefficients');
    expect(await axeViolations(o), 'axe-core on the exact run page').toEqual([]);
    expectNoProblems();
  });

  step('13. each party\'s Security page shows its identity and what it exchanged, with bytes', async () => {
    for (const [who, p] of [['orchestrator', orchestrator], ...HOSPITALS.map((hospital) => [hospital.id, page(hospital.id)] as const)] as const) {
      await navigate(p, 'Security', 'Security');
      await visible(p.getByText(/SHA256:[0-9a-f]{4} [0-9a-f]{4}/).first());
      const log = await visible(p.getByRole('table', { name: 'Security log' }));
      await expect.poll(() => log.locator('tbody tr').count(), { timeout: WAIT }).toBeGreaterThan(3);
      await shot(p, `${who}-security`);
    }
    expectNoProblems();
  });
});
