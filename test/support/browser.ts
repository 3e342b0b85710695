// Debian's Chromium driven by playwright-core. Where it is not installed, browser tests are
// skipped with a loud notice (CI installs it, so CI always runs them).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env['COHORT_CHROMIUM'] ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

if (!hasChromium) {
  const line = '!'.repeat(78);
  process.stderr.write(
    `\n${line}\n!! SKIPPING BROWSER TESTS: Chromium not found at ${CHROMIUM_PATH}.\n` +
      `!! Install it with: apt-get install -y chromium   (.ci/run does this)\n${line}\n\n`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
