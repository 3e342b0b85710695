// axe-core's WCAG 2 A and AA checks on a page in the browser, for the end-to-end tests.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: string[]; html: string }>;
}

/** axe-core's WCAG 2 A and AA violations on the page as it is now (evaluated past the page's CSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(await AXE_SOURCE);
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }).then((result) => result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300) })) })))",
  )) as AxeViolation[];
  return violations.map((violation) => `${violation.id} (${violation.help}): ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.html}`).join(', ')}`);
}
