// The data owner's screens in a real browser (Chromium), after a real federated run between two
// hospital apps: their rules (k for this computer, k and privacy budget per project), a likely
// identifier used anyway after a confirmation and registered through the same operation as the
// command line, what a consent covered and used, and what was shared. Each screen is checked
// with axe-core (WCAG 2 A and AA) and must not log a console error or warning.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populate, startAppFederation, type AppFederation, type PopulatedFederation } from '../support/app-federation';
import { axeViolations } from '../support/axe';
import { hasChromium, launchChromium } from '../support/browser';
import { PROJECT_ROOT } from '../support/cli';

const WAIT = 20_000;
const STEP = 90_000;
const RESULTS = join(PROJECT_ROOT, 'test-results');

async function buildRenderer(outDir: string): Promise<void> {
  const build = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  build.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await new Promise((resolve) => build.on('exit', resolve)), stderr).toBe(0);
}

describe.skipIf(!hasChromium)("the data owner's screens in a browser", () => {
  let work: string;
  let federation: AppFederation;
  let ids: PopulatedFederation;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const check = async (step: string) => {
    // A message of the last step, still fading in or out (or under a dialog's overlay), is not this screen: it closes by itself within seconds.
    await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(RESULTS, `owner-${step}.png`), fullPage: (await page.getByRole('dialog').count()) === 0, animations: 'disabled' });
    expect(await axeViolations(page), `axe-core on ${step}`).toEqual([]);
    expect(problems, 'console errors, warnings or page errors').toEqual([]);
  };
  const go = async (label: string, heading: string) => {
    await page.getByRole('navigation').getByRole('link', { name: new RegExp(`^${label}`) }).click();
    await page.getByRole('heading', { name: heading, level: 2 }).first().waitFor();
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cohort-owner-e2e-'));
    await mkdir(RESULTS, { recursive: true });
    await buildRenderer(join(work, 'out'));
    federation = await startAppFederation(['hospital-a', 'hospital-b'], { rendererRoot: join(work, 'out', 'renderer') });
    ids = await populate(federation, { train: true, rounds: 3 });
    // A clinic file with a surname column (shared by two or three patients each) and a rare ward.
    const lines = ['radius_mean,surname,ward,diagnosis'];
    for (let i = 0; i < 60; i += 1) lines.push(`${(10 + (i % 9)).toFixed(1)},Surname${i % 25},${i === 3 ? 'burns' : i % 2 ? 'icu' : 'cardio'},${i % 3 ? 'B' : 'M'}`);
    await writeFile(join(work, 'clinic.csv'), `${lines.join('\n')}\n`);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(WAIT);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(federation.participants[0]!.url);
    await page.getByRole('heading', { name: 'Cohort', exact: true }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await federation?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sets k for this computer on the Security page', async () => {
    await go('Security', 'Security');
    const rules = page.getByRole('region', { name: 'Your rules' });
    await expect.poll(() => rules.getByTestId('installation-k').textContent()).toBe('5');
    await rules.getByText(/A count smaller than 5 is never sent on its own/).waitFor();
    await check('security-rules');
    await rules.getByRole('textbox', { name: /Minimum cell count for this computer/ }).fill('6');
    await rules.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => rules.getByTestId('installation-k').textContent()).toBe('6');
    expect(await federation.participants[0]!.client.call('settings.get', {})).toMatchObject({ minCellCount: 6, minCellCountFrom: 'installation' });
  }, STEP);

  it("sets the project's k and privacy budget on Collaborations", async () => {
    await go('Collaborations', 'Collaborations');
    const table = page.getByRole('table', { name: 'Projects of Breast cancer network' });
    await table.getByText(/k = 6/).waitFor();
    await check('memberships-rules');
    await table.getByRole('button', { name: 'Change your rules for Diagnosis' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your rules for Diagnosis' });
    await dialog.getByRole('textbox', { name: /Minimum cell count for this project/ }).fill('3');
    await dialog.getByRole('textbox', { name: /Privacy budget/ }).fill('4');
    await check('project-rules-dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await table.getByText('Privacy budget ε 4').waitFor();
    expect(await federation.participants[0]!.client.call('settings.get', { projectId: ids.projectId })).toMatchObject({
      minCellCount: 3,
      minCellCountFrom: 'project',
      epsilonBudget: 4,
    });
  }, STEP);

  it('uses a likely identifier only after a confirmation, and registers it as the command line would', async () => {
    await go('My data', 'My data');
    await page.getByRole('radiogroup', { name: 'What is this file for?' }).getByText('Predict').click();
    await page.getByRole('textbox', { name: /CSV or Parquet file/ }).fill(join(work, 'clinic.csv'));
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const summary = page.getByRole('alert', { name: 'Protecting your patients' });
    await summary.getByText(/Left out because it may identify patients: surname/).waitFor();
    await summary.getByText(/fewer than 3 patients are shared only merged into “other”, in ward/).waitFor();
    const table = page.getByRole('table', { name: 'Column summary' });
    await table.getByText('Left out: it may identify patients, because its name says it holds a person’s name').waitFor();
    await check('data-likely-identifier');

    await table.getByRole('button', { name: 'Use surname anyway' }).click();
    const dialog = page.getByRole('dialog', { name: 'Use “surname” anyway?' });
    await dialog.getByText(/categories held by at least 3 patients are shared with the orchestrator/).waitFor();
    await check('data-use-anyway-dialog');
    await dialog.getByRole('button', { name: 'Use anyway' }).click();
    await table.getByText('Used because you chose to, although its name says it holds a person’s name').waitFor();
    await check('data-used-anyway');
    await page.getByRole('button', { name: /Register prediction data/ }).click();
    await page.getByText(/Prediction data registered/).first().waitFor();

    const tags = await federation.participants[0]!.client.call('tags.list', { projectId: ids.projectId });
    const predict = tags.find((tag) => tag.kind === 'predict')!;
    expect(predict.columns.find((column) => column.name === 'surname')).toMatchObject({ excluded: false, included: true });
  }, STEP);

  it('shows what an approved run covered and used', async () => {
    await go('Training requests', 'Training requests');
    const past = page.getByRole('table', { name: 'Past decisions' });
    await past.getByText('Rounds 3 of 3').waitFor();
    await past.getByText(/Evaluations \d+ of \d+/).first().waitFor();
    await check('requests-usage');
  }, STEP);

  it('says what was shared for the project, from the security log', async () => {
    await go('What was shared', 'What was shared');
    await page.getByText('No row of your data was sent').waitFor();
    const columns = page.getByRole('table', { name: 'What was sent about each column' });
    await columns.getByText('how many rows hold each label: B', { exact: false }).waitFor();
    await columns.getByText(/the count, sum and spread of its 208 values/).first().waitFor();
    const runs = page.getByRole('table', { name: 'What each run sent' });
    await runs.getByText(ids.runId).waitFor();
    const messages = Number((await runs.locator('tbody tr').first().locator('td').nth(2).textContent())?.replace(/\D/g, ''));
    expect(messages).toBeGreaterThan(3);
    await check('shared');
  }, STEP);
});
