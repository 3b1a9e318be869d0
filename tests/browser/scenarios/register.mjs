// Registering from the event page: the confirmation with its status, the calendar links and the
// manage link; the .ics download; a second registration with the same address explained kindly.
import { readFile } from 'node:fs/promises';

import { freshEmail } from '../lib/api.mjs';
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'register, confirmation, invite download';

async function fillForm(page, email) {
  await page.fill('#name', 'सीता शर्मा');
  await page.fill('#email', email);
  await page.fill('#organisation', 'Ministry of Finance');
  await page.selectOption('#country', 'NP');
  await page.check('#consent');
}

export async function run({ openPage, baseUrl, api, scan, screenshot }) {
  const page = await openPage({ timezoneId: 'Asia/Kathmandu' });
  const keys = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') keys.push(request.headers()['idempotency-key']);
  });
  await page.goto(`${baseUrl}/events/south-south-2021?lang=en`);
  const email = freshEmail('sita');
  await fillForm(page, email);
  check((await page.inputValue('#timezone')) === 'Asia/Kathmandu', 'the zone is prefilled with the browser zone');
  check((await page.inputValue('#language')) === 'en', 'the language is prefilled with the page language');
  await page.click('#registration-form button[type=submit]');

  await page.locator('#confirmation').waitFor({ state: 'visible' });
  check(keys.length === 1 && /^[0-9a-f-]{32,36}$/.test(keys[0] || ''), `the POST carried an Idempotency-Key (got ${keys})`);
  check(await page.locator('#registration-form').isHidden(), 'the form gives way to the confirmation');
  check((await page.locator('#done-status').innerText()) === 'Confirmed', 'the status is shown as Confirmed');
  checkIncludes(await page.locator('#done-explanation').innerText(), email, 'the confirmation names the address');
  check(await page.evaluate(() => document.activeElement?.id === 'confirmation-heading'), 'focus moves to the confirmation');

  const manageHref = await page.getAttribute('#done-manage', 'href');
  check(/\/r\/[A-Za-z0-9_-]{24,}$/.test(manageHref || ''), `the manage link is shown (got ${manageHref})`);
  const google = await page.getAttribute('#done-calendars a[href^="https://calendar.google.com/"]', 'href');
  check(google?.includes('dates=20210910T130000Z/20210910T150000Z'), `the Google Calendar link has the panel's times (got ${google})`);
  check((await page.locator('#done-calendars a[href^="https://outlook.live.com/"]').count()) === 1, 'an Outlook link is offered');
  await scan(page, 'event page, confirmation');
  await screenshot(page, 'register-confirmation');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#done-calendars a[download]')]);
  const invite = await readFile(await download.path(), 'utf8');
  check(invite.startsWith('BEGIN:VCALENDAR'), `the downloaded invite starts with BEGIN:VCALENDAR (got ${JSON.stringify(invite.slice(0, 40))})`);
  checkIncludes(invite, 'DTSTART;TZID=America/New_York:20210910T090000', 'the invite holds the panel');

  const token = manageHref.split('/').pop();
  const stored = await api.call('GET', `/api/v1/registrations/${token}`);
  check(stored.timezone === 'Asia/Kathmandu' && stored.country === 'NP', 'the registration was stored with its zone and country');

  // The same address again: a 409, explained next to the form.
  const again = await openPage({ timezoneId: 'Asia/Kathmandu', expectErrors: [httpError(409)] });
  await again.goto(`${baseUrl}/events/south-south-2021?lang=en`);
  await fillForm(again, email);
  await again.click('#registration-form button[type=submit]');
  await again.locator('#form-problems').waitFor({ state: 'visible' });
  checkIncludes(await again.locator('#form-problems').innerText(), 'sent the confirmation again', 'an address registered twice is explained');
  check(await again.locator('#registration-form').isVisible(), 'the form stays for a correction');
  await screenshot(again, 'register-already-registered');
}
