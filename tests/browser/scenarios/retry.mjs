// A registration whose answer is lost on the way back: the page says it could not reach the
// server, and sending again reuses the Idempotency-Key, so the server replays its first answer
// (the confirmation) instead of refusing the address as registered twice.
import { freshEmail } from '../lib/api.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'a retried registration reuses its Idempotency-Key';

export async function run({ openPage, baseUrl, screenshot }) {
  const page = await openPage({ timezoneId: 'Africa/Lagos', expectErrors: ['net::ERR_FAILED'] });
  const keys = [];
  let lost = false;
  await page.route('**/api/v1/events/south-south-2021/registrations', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (lost) return route.continue();
    lost = true;
    await route.fetch(); // the server registers...
    await route.abort('failed'); // ...but its answer never reaches the page
  });
  await page.goto(`${baseUrl}/events/south-south-2021?lang=en`);
  await page.fill('#name', 'Chidi Okafor');
  await page.fill('#email', freshEmail('chidi'));
  await page.check('#consent');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#form-problems').waitFor({ state: 'visible' });
  checkIncludes(await page.locator('#form-problems').innerText(), 'could not reach the server', 'a lost answer is explained');
  await screenshot(page, 'register-network-error');

  await page.click('#registration-form button[type=submit]');
  await page.locator('#confirmation').waitFor({ state: 'visible' });
  check(keys.length === 2 && keys[0] === keys[1], `the retry carried the same Idempotency-Key (got ${keys})`);
  check((await page.locator('#done-status').innerText()) === 'Confirmed', 'the replayed answer shows the confirmation');
}
