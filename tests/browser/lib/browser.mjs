// Chromium (Debian's, driven by playwright-core), pages that collect their console errors, the
// axe-core scan and screenshots.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
}

// A new browser context (its own time zone, language, storage) and a page in it. The page keeps
// every console error and uncaught exception in page.problems. Chromium logs each HTTP error a
// fetch receives as a console error ("... responded with a status of 422 ..."), and a request that
// fails as one too: a scenario that provokes these on purpose names them in `expectErrors`
// (parts of the message, see httpError), and only those are let through.
export async function openPage(browser, { timezoneId = 'UTC', locale = 'en-GB', width = 1024, expectErrors = [] } = {}) {
  const context = await browser.newContext({ timezoneId, locale, viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.problems = [];
  const expected = (text) => expectErrors.some((part) => text.includes(part));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected(message.text())) page.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  return page;
}

export const httpError = (status) => `status of ${status} `;

// axe-core goes in through the DevTools protocol: page.addScriptTag would add an inline <script>,
// which the pages' Content-Security-Policy (rightly) refuses, and the tests keep that policy on.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Every scan's outcome, for the report at the end.
export const axeResults = [];

const isSerious = (violation) => violation.impact === 'serious' || violation.impact === 'critical';
const describe = (violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`;

export async function scanAccessibility(page, name) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = violations.filter(isSerious).map(describe);
  axeResults.push({ name, serious, minor: violations.filter((violation) => !isSerious(violation)).map(describe) });
  if (serious.length > 0) throw new Error(`axe found serious or critical violations on ${name}: ${serious.join('; ')}`);
}

// The whole page, or only the element a selector names (for pictures of one part of a long page).
export function screenshotTo(folder) {
  return (page, name, selector = null) =>
    selector
      ? page.locator(selector).screenshot({ path: join(folder, `${name}.png`) })
      : page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}
