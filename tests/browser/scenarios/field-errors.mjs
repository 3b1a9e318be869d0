// The API's 422 answer shown field by field: each error next to its field, tied to it by
// aria-describedby, the field marked invalid, a summary announced; corrected, the form goes through.
import { freshEmail } from '../lib/api.mjs';
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'registration errors shown next to their fields';

export async function run({ openPage, baseUrl, scan, screenshot }) {
  const page = await openPage({ timezoneId: 'America/Lima', expectErrors: [httpError(422)] });
  const keys = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') keys.push(request.headers()['idempotency-key']);
  });
  await page.goto(`${baseUrl}/events/south-south-2021?lang=en`);
  // The page's script sends the form; it is set up once the event has loaded (a submit before that
  // would be the browser's own, without the script's error display).
  await page.waitForFunction(() => document.querySelector('#registration-form').dataset.slug);
  await page.fill('#email', 'not-an-address');
  await page.fill('#timezone', 'Mars/Olympus_Mons');
  await page.click('#registration-form button[type=submit]');

  await page.locator('#form-problems').waitFor({ state: 'visible' });
  for (const field of ['name', 'email', 'timezone', 'consent']) {
    const error = page.locator(`#${field}-error`);
    check(await error.isVisible(), `the ${field} error is shown`);
    check((await error.innerText()).length > 0, `the ${field} error says something`);
    check((await page.getAttribute(`#${field}`, 'aria-invalid')) === 'true', `the ${field} field is marked invalid`);
    const describedBy = (await page.getAttribute(`#${field}`, 'aria-describedby')) || '';
    check(describedBy.split(' ').includes(`${field}-error`), `the ${field} field is described by its error`);
  }
  checkIncludes(await page.locator('#email-error').innerText(), 'name@example.org', 'the e-mail error explains the form of an address');
  check(await page.locator('#organisation-error').isHidden(), 'a valid field shows no error');
  check((await page.getAttribute('#form-problems', 'role')) === 'alert', 'the summary is announced (role=alert)');
  check((await page.locator('#form-problems a[href="#email"]').count()) === 1, 'the summary links to the e-mail field');
  await scan(page, 'event page, field errors');
  await screenshot(page, 'register-field-errors');

  // Corrected, the same form goes through with a new Idempotency-Key (the details changed).
  await page.fill('#name', 'Rosa Quispe');
  await page.fill('#email', freshEmail('rosa'));
  await page.fill('#timezone', 'America/Lima');
  await page.check('#consent');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#confirmation').waitFor({ state: 'visible' });
  check(keys.length === 2 && keys[0] !== keys[1], 'changed details are sent with a new Idempotency-Key');
  check(await page.locator('#form-problems').isHidden(), 'the errors are gone once corrected');
}
