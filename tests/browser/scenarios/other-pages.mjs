// The index lists the events (under a Content-Security-Policy without inline scripts); an unknown
// event gets the "not found" page with a 404.
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'index and not-found pages';

export async function run({ openPage, baseUrl, scan, screenshot }) {
  const page = await openPage({ expectErrors: [httpError(404)] });
  const index = await page.goto(`${baseUrl}/?lang=es`);
  const policy = index.headers()['content-security-policy'] || '';
  check(policy.includes("script-src 'self'") && !policy.includes('unsafe-inline'), `the pages carry a strict Content-Security-Policy (got ${policy})`);
  check((await page.locator('.events a[href^="/events/south-south-2021"]').count()) === 1, 'the index links to the panel');
  check(await page.locator('.events-empty').isHidden(), 'the "no events" sentence is hidden when there are events');
  check((await page.getAttribute('.languages a[hreflang="es"]', 'aria-current')) === 'true', 'the switcher marks the page language');
  await scan(page, 'index (Spanish)');
  await screenshot(page, 'index');

  const response = await page.goto(`${baseUrl}/events/no-such-event?lang=fr`);
  check(response.status() === 404, `an unknown event answers 404 (got ${response.status()})`);
  checkIncludes(await page.locator('h1').innerText(), 'introuvable', 'the not-found page speaks French');
  await scan(page, 'not found (French)');
}
