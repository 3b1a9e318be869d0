// The attendee's page: the registration in the attendee's zone, a change of zone and of language,
// the invite again, cancelling behind a confirmation step, and erasing their data.
import { readFile } from 'node:fs/promises';

import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes, readable } from '../lib/check.mjs';

export const name = 'manage page changes the zone, cancels and erases';


export async function run({ openPage, baseUrl, api, scan, screenshot }) {
  const registration = await api.register('south-south-2021', { name: 'Rosa Quispe', timezone: 'America/Lima', country: 'PE' });
  const page = await openPage({ timezoneId: 'Europe/Paris' });
  await page.goto(`${baseUrl}/r/${registration.manage_token}?lang=en`);
  await page.locator('#registration').waitFor({ state: 'visible' });
  check((await page.locator('#status').innerText()) === 'Confirmed', 'the status is shown');
  check((await page.locator('#detail-name').innerText()) === 'Rosa Quispe', 'the name is shown');
  checkIncludes(readable(await page.locator('#sessions .viewer-time').innerText()), 'Friday 10 September 2021, 08:00 – 10:00 (America/Lima', 'times in the registration zone');
  await scan(page, 'manage page');
  await screenshot(page, 'manage');

  // A new zone: saved, and the times follow.
  await page.fill('#timezone', 'Asia/Kathmandu');
  await page.click('#zone-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#settings-status').textContent.length > 0);
  checkIncludes(readable(await page.locator('#sessions .viewer-time').innerText()), '18:45 – 20:45 (Asia/Kathmandu', 'times follow the new zone');
  const changed = await api.call('GET', `/api/v1/registrations/${registration.manage_token}`);
  check(changed.timezone === 'Asia/Kathmandu', 'the new zone is stored');

  // A new language: stored, and the page follows it.
  await page.selectOption('#language', 'fr');
  await page.click('#language-form button[type=submit]');
  await page.waitForURL(/lang=fr/);
  await page.locator('#registration').waitFor({ state: 'visible' });
  check((await page.locator('h1').innerText()) === 'Votre inscription', 'the page follows the new language');
  check((await api.call('GET', `/api/v1/registrations/${registration.manage_token}`)).language === 'fr', 'the new language is stored');
  await page.goto(`${baseUrl}/r/${registration.manage_token}?lang=en`);
  await page.locator('#registration').waitFor({ state: 'visible' });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#invite-link')]);
  check((await readFile(await download.path(), 'utf8')).startsWith('BEGIN:VCALENDAR'), 'the invite downloads again');

  // Cancelling asks first; "no" leaves everything as it was.
  await page.click('#cancel-start');
  check(await page.locator('#cancel-confirm').isVisible(), 'cancelling asks for confirmation');
  check(await page.evaluate(() => document.activeElement?.id === 'cancel-question'), 'focus moves to the question');
  await page.click('#cancel-no');
  check(await page.locator('#cancel-confirm').isHidden(), '"no" closes the question');
  check((await api.call('GET', `/api/v1/registrations/${registration.manage_token}`)).status === 'confirmed', '"no" cancels nothing');
  await page.click('#cancel-start');
  await page.click('#cancel-yes');
  await page.waitForFunction(() => document.querySelector('#cancelled-note').textContent.length > 0);
  check((await page.locator('#status').innerText()) === 'Cancelled', 'the page shows the cancellation');
  check(await page.locator('#cancel-section').isHidden(), 'a cancelled registration offers no second cancellation');
  check((await api.call('GET', `/api/v1/registrations/${registration.manage_token}`)).status === 'cancelled', 'the registration is cancelled');
  await scan(page, 'manage page, cancelled');
  await screenshot(page, 'manage-cancelled');

  // Erasure, also behind a confirmation step; afterwards the link no longer works.
  const other = await api.register('south-south-2021', { name: 'Amina Diallo', timezone: 'Africa/Dakar' });
  const erasing = await openPage({ timezoneId: 'Africa/Dakar', expectErrors: [httpError(404)] });
  await erasing.goto(`${baseUrl}/r/${other.manage_token}?lang=en`);
  await erasing.locator('#registration').waitFor({ state: 'visible' });
  await erasing.click('#erase-start');
  await erasing.click('#erase-yes');
  await erasing.waitForFunction(() => document.querySelector('#registration').hidden);
  checkIncludes(await erasing.locator('#manage-status').innerText(), 'erased', 'the page confirms the erasure');
  const gone = await fetch(`${baseUrl}/api/v1/registrations/${other.manage_token}`);
  check(gone.status === 404, `the erased registration is gone (GET answered ${gone.status})`);
  await erasing.reload();
  await erasing.waitForFunction(() => document.querySelector('#manage-status').textContent.includes('does not work'));
}
