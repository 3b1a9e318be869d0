// The organiser's page: sign in with the token (refused when wrong; kept in sessionStorage, never
// in the address), figures, search, approve (and beyond capacity, as a second step), check in,
// paging with "show more", filters, and the CSV export.
import { readFile } from 'node:fs/promises';

import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'organiser signs in, searches, approves, checks in, exports';

const SLUG = 'approval-panel';

async function arrange(api, token) {
  await api.call('POST', '/api/v1/events', {
    token,
    body: {
      slug: SLUG,
      title: 'Approval panel',
      timezone: 'Europe/Paris',
      capacity: 1,
      requires_approval: true,
      registration_closes_at: null,
      sessions: [{ title: 'Panel', starts_local: '2030-03-10T10:00', timezone: 'Europe/Paris', duration_minutes: 60 }],
    },
  });
  await api.register(SLUG, { name: 'José Núñez', organisation: 'Ministerio', country: 'PE', timezone: 'America/Lima' });
  await api.register(SLUG, { name: 'Amina Diallo', organisation: 'Ministère', country: 'SN', timezone: 'Africa/Dakar' });
}

// 55 registrants, 5 of them from Kenya: a first page of 50, "show more" for the rest, filters.
async function checkPaging(page, baseUrl, api) {
  for (let batch = 0; batch < 55; batch += 11) {
    await Promise.all(
      Array.from({ length: 11 }, (_, i) => api.register('south-south-2021', { country: batch + i < 5 ? 'KE' : 'BR' })),
    );
  }
  await page.goto(`${baseUrl}/organise/south-south-2021?lang=en`);
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 50);
  check(await page.locator('#more').isVisible(), '"show more" is offered after a full page');
  await page.click('#more');
  await page.waitForFunction(() => document.querySelector('#more').hidden);
  const all = await page.locator('#roster tbody tr').count();
  check(all >= 55, `"show more" adds the next page (rows: ${all})`);
  await page.selectOption('#country-filter', 'KE');
  await page.selectOption('#status-filter', 'confirmed');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 5);
  checkIncludes(await page.locator('#roster-count').innerText(), 'Registrants shown: 5', 'the filters narrow the roster');
}

const rowOf = (page, who) => page.locator('#roster tbody tr', { hasText: who });

export async function run({ openPage, baseUrl, api, organiserToken, scan, screenshot }) {
  await arrange(api, organiserToken);
  const page = await openPage({ timezoneId: 'Europe/Paris', expectErrors: [httpError(401), httpError(409)] });
  await page.goto(`${baseUrl}/organise/${SLUG}?lang=en`);
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await scan(page, 'organiser page, sign in');

  await page.fill('#token', 'not-the-token');
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#token-error').waitFor({ state: 'visible' });
  checkIncludes(await page.locator('#token-error').innerText(), 'not accepted', 'a wrong token is refused');

  await page.fill('#token', organiserToken);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#console').waitFor({ state: 'visible' });
  check(!page.url().includes(organiserToken), 'the token is not in the address');
  check((await page.evaluate(() => sessionStorage.getItem('convene.organiser-token'))) === organiserToken, 'the token is kept in sessionStorage');
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 2);
  checkIncludes(await page.locator('#stats').innerText(), 'Awaiting approval\n2', 'the figures count two awaiting approval');

  // "nunez" finds "Núñez" (accents ignored).
  await page.fill('#q', 'nunez');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 1);
  checkIncludes(await page.locator('#roster tbody').innerText(), 'José Núñez', 'the search finds José Núñez');

  await rowOf(page, 'José Núñez').getByRole('button', { name: 'Approve' }).click();
  await page.waitForFunction(() => document.querySelector('#roster tbody').textContent.includes('Confirmed'));
  checkIncludes(await page.locator('#roster-status').innerText(), 'José Núñez: Confirmed', 'the approval is announced');
  await page.waitForFunction(() => document.querySelector('#stats').innerText.includes('Confirmed\n1'));
  const roster = await api.call('GET', `/api/v1/events/${SLUG}/registrations?q=nunez`, { token: organiserToken });
  check(roster.items[0]?.status === 'confirmed', 'the approval is stored');

  await rowOf(page, 'José Núñez').getByRole('button', { name: 'Check in' }).click();
  await rowOf(page, 'José Núñez').getByRole('button', { name: 'Undo check-in' }).waitFor();
  checkIncludes(await page.locator('#roster-status').innerText(), 'checked in', 'the check-in is announced');
  await scan(page, 'organiser page, roster');
  await screenshot(page, 'organise');

  // The only seat is José's: approving Amina asks first, then confirms her beyond the capacity.
  await page.fill('#q', 'Amina');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#roster tbody').textContent.includes('Amina'));
  await rowOf(page, 'Amina Diallo').getByRole('button', { name: 'Approve' }).click();
  const override = rowOf(page, 'Amina Diallo').getByRole('button', { name: 'Confirm beyond capacity' });
  await override.waitFor();
  checkIncludes(await rowOf(page, 'Amina Diallo').innerText(), 'Every seat is taken', 'a full event is explained before overbooking');
  await override.click();
  await page.waitForFunction(() => document.querySelector('#stats').innerText.includes('Beyond capacity\n1'));
  checkIncludes(await rowOf(page, 'Amina Diallo').innerText(), 'Confirmed', 'confirmed beyond the capacity');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  const csv = await readFile(await download.path(), 'utf8');
  checkIncludes(csv, 'José Núñez', 'the CSV export lists the registrants');
  check(download.suggestedFilename() === `${SLUG}-registrations.csv`, `the CSV file is named after the event (got ${download.suggestedFilename()})`);

  await checkPaging(page, baseUrl, api);

  // Still signed in after a reload (same tab), signed out on request.
  await page.goto(`${baseUrl}/organise/${SLUG}?lang=en`);
  await page.locator('#console').waitFor({ state: 'visible' });
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  check((await page.evaluate(() => sessionStorage.getItem('convene.organiser-token'))) === null, 'signing out forgets the token');
}
