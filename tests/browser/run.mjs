// Browser tests of convene's web pages, in Debian's chromium driven by playwright-core. Sets
// everything up itself from the environment that ctest passes (tests/CMakeLists.txt):
//   CONVENE_BINARY              the convene binary under test
//   CONVENE_SOURCE_DIR          the checkout (seed file; screenshots go to test-artifacts/browser/)
//   CONVENE_TEST_DATABASE_URL   libpq URI of an admin database of a running PostgreSQL
// Prints one line per scenario and exits non-zero when any check failed, naming it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { apiClient } from './lib/api.mjs';
import { axeResults, launchChromium, openPage, scanAccessibility, screenshotTo } from './lib/browser.mjs';
import { checkNoProblems } from './lib/check.mjs';
import { startService } from './lib/service.mjs';
import * as arabic from './scenarios/arabic.mjs';
import * as consoleJourney from './scenarios/console-journey.mjs';
import * as eventTimes from './scenarios/event-times.mjs';
import * as fieldErrors from './scenarios/field-errors.mjs';
import * as invitations from './scenarios/invitations.mjs';
import * as manage from './scenarios/manage.mjs';
import * as narrow from './scenarios/narrow.mjs';
import * as organise from './scenarios/organise.mjs';
import * as otherPages from './scenarios/other-pages.mjs';
import * as pageWeight from './scenarios/page-weight.mjs';
import * as questions from './scenarios/questions.mjs';
import * as register from './scenarios/register.mjs';
import * as registrationWindow from './scenarios/registration-window.mjs';
import * as retry from './scenarios/retry.mjs';

const SCENARIOS = [
  eventTimes,
  register,
  fieldErrors,
  retry,
  registrationWindow,
  manage,
  questions,
  invitations,
  organise,
  arabic,
  narrow,
  otherPages,
  pageWeight,
  consoleJourney,
];
const TIME_LIMIT_MS = 240_000; // the whole run stays under four minutes

// CONVENE_BROWSER_SCENARIOS=console,arabic runs only the scenarios whose name holds one of
// these words (while working on a page); by default, all of them.
function chosenScenarios() {
  const words = (process.env.CONVENE_BROWSER_SCENARIOS || '').split(',').filter(Boolean);
  if (words.length === 0) return SCENARIOS;
  return SCENARIOS.filter((scenario) => words.some((word) => scenario.name.includes(word)));
}

function environment() {
  const missing = ['CONVENE_BINARY', 'CONVENE_SOURCE_DIR', 'CONVENE_TEST_DATABASE_URL'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`FAIL setup: ${missing.join(', ')} not set (deploy/test.sh sets them: run the tests through it, or set them yourself)`);
    process.exit(2);
  }
  return {
    binary: process.env.CONVENE_BINARY,
    sourceDir: process.env.CONVENE_SOURCE_DIR,
    adminUrl: process.env.CONVENE_TEST_DATABASE_URL,
  };
}

// The scenario line a failure came from, so that a browser timeout says which wait it was.
function whereInScenario(error) {
  const frame = (error.stack || '').split('\n').find((line) => line.includes('/scenarios/'));
  const match = frame && /scenarios\/[^):]+:\d+/.exec(frame);
  return match ? ` (at ${match[0]})` : '';
}

async function runScenario(scenario, shared) {
  const pages = [];
  const context = {
    ...shared,
    // Every page a scenario opens is checked for console errors when the scenario ends.
    openPage: async (options) => {
      const page = await openPage(shared.browser, options);
      pages.push(page);
      return page;
    },
  };
  try {
    await scenario.run(context);
    for (const page of pages) checkNoProblems(page, `console of ${page.url()}`);
  } finally {
    await Promise.all(pages.map((page) => page.context().close()));
  }
}

async function main() {
  const settings = environment();
  const started = Date.now();
  const artifacts = join(settings.sourceDir, 'test-artifacts', 'browser');
  mkdirSync(artifacts, { recursive: true });

  const service = await startService(settings);
  const browser = await launchChromium().catch(async (error) => {
    await service.stop();
    throw error;
  });
  const stopAll = async () => {
    await browser.close().catch(() => {});
    await service.stop();
  };
  const watchdog = setTimeout(async () => {
    console.error(`FAIL time limit: the run took over ${TIME_LIMIT_MS / 1000} s`);
    await stopAll();
    process.exit(1);
  }, TIME_LIMIT_MS);

  const shared = {
    browser,
    baseUrl: service.baseUrl,
    organiserToken: service.organiserToken,
    spool: service.spool,
    addOrganiser: service.addOrganiser,
    api: apiClient(service.baseUrl),
    scan: scanAccessibility,
    screenshot: screenshotTo(artifacts),
  };
  const failures = [];
  const scenarios = chosenScenarios();
  for (const scenario of scenarios) {
    const begun = Date.now();
    try {
      await runScenario(scenario, shared);
      console.log(`ok   ${scenario.name} (${Date.now() - begun} ms)`);
    } catch (error) {
      failures.push(scenario.name);
      console.log(`FAIL ${scenario.name}: ${error.message}${whereInScenario(error)}`);
    }
  }
  clearTimeout(watchdog);

  console.log('\naxe-core scans (serious or critical / other violations):');
  for (const { name, serious, minor } of axeResults) {
    console.log(`  ${name}: ${serious.length} / ${minor.length}${minor.length ? ` (${minor.join('; ')})` : ''}`);
  }
  if (failures.length > 0) console.log(`\nserver log (last 3000 characters):\n${service.log().slice(-3000)}`);
  await stopAll();
  console.log(`\n${scenarios.length - failures.length} of ${scenarios.length} scenarios passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
  if (failures.length > 0) {
    console.log(`failed: ${failures.join(', ')}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(`FAIL setup: ${error.stack || error.message}`);
  process.exit(1);
});
