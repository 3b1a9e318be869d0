// The panel (10 September 2021, 09:00-11:00 New York) shown in the zone the browser is set to,
// with the date when it is another day there (Apia), in a zone chosen from the list; a zone the visitor
// typed into the registration form stays theirs.
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes, readable } from '../lib/check.mjs';

export const name = 'event page shows the panel in the browser zone';

const ZONES = [
  { zone: 'Asia/Kathmandu', expected: 'Friday 10 September 2021, 18:45 – 20:45', offset: 'UTC+05:45', otherDay: false },
  { zone: 'America/Lima', expected: 'Friday 10 September 2021, 08:00 – 10:00', offset: 'UTC-05:00', otherDay: false },
  { zone: 'Pacific/Apia', expected: 'Saturday 11 September 2021, 02:00 – 04:00', offset: 'UTC+13:00', otherDay: true },
];


export async function run({ openPage, baseUrl, scan, screenshot }) {
  for (const { zone, expected, offset, otherDay } of ZONES) {
    const page = await openPage({ timezoneId: zone });
    await page.goto(`${baseUrl}/events/south-south-2021?lang=en`);
    const viewer = page.locator('.session .viewer-time');
    await viewer.waitFor({ state: 'visible' });
    const text = readable(await viewer.innerText());
    checkIncludes(text, expected, `${zone}: the viewer's time`);
    checkIncludes(text, `${zone}, ${offset}`, `${zone}: the zone and offset`);
    check(!/null|undefined/.test(text), `${zone}: the viewer's time has no stray "null" or "undefined": ${text}`);
    const dayNote = await page.locator('.viewer-time .day-note').count();
    check(dayNote === (otherDay ? 1 : 0), `${zone}: a note that the date differs ${otherDay ? 'is shown' : 'is not shown'}`);
    checkIncludes(await page.locator('.session .event-time').innerText(), 'Friday 10 September 2021, 09:00 – 11:00', `${zone}: the event's own time`);
    check((await page.inputValue('#viewer-zone')) === zone, `${zone}: the zone field shows the detected zone`);
    check((await page.inputValue('#timezone')) === zone, `${zone}: the registration's zone is prefilled`);
    await screenshot(page, `event-${zone.replace('/', '-')}`);
    if (zone === 'Pacific/Apia') await scan(page, 'event page (Pacific/Apia)');
  }

  // Another zone chosen from the searchable list, and one the server does not know.
  const page = await openPage({ timezoneId: 'Asia/Kathmandu', expectErrors: [httpError(422)] });
  await page.goto(`${baseUrl}/events/south-south-2021?lang=en`);
  await page.locator('.session .viewer-time').waitFor({ state: 'visible' });
  await page.focus('#viewer-zone');
  await page.waitForFunction(() => document.querySelectorAll('#zone-list option').length > 300);
  check((await page.locator('#zone-list option[value="Asia/Tokyo"]').count()) === 1, 'the list of zones offers Asia/Tokyo');
  await page.fill('#viewer-zone', 'Asia/Tokyo');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.viewer-time').textContent.includes('Asia/Tokyo'));
  checkIncludes(readable(await page.locator('.viewer-time').innerText()), 'Friday 10 September 2021, 22:00 – Saturday 11 September 2021, 00:00', 'Asia/Tokyo chosen');
  check((await page.inputValue('#timezone')) === 'Asia/Tokyo', 'the registration zone follows the chosen zone');

  await page.fill('#viewer-zone', 'Mars/Olympus_Mons');
  await page.click('#zone-form button');
  await page.locator('#viewer-zone-error').waitFor({ state: 'visible' });
  checkIncludes(await page.locator('#viewer-zone-error').innerText(), 'Mars/Olympus_Mons', 'an unknown zone is named in its error');
  check((await page.getAttribute('#viewer-zone', 'aria-invalid')) === 'true', 'the unknown zone field is marked invalid');

  // A zone typed into the registration form is the visitor's own: neither the page's script, when it
  // runs after they typed (a slow link), nor the times shown in another zone afterwards change it.
  const slow = await openPage({ timezoneId: 'America/Lima' });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await slow.route('**/static/event-page.js', async (route) => { await held; await route.continue(); });
  await slow.goto(`${baseUrl}/events/south-south-2021?lang=en`, { waitUntil: 'commit' });
  await slow.fill('#timezone', 'Asia/Kathmandu');
  release();
  await slow.locator('.session .viewer-time').waitFor({ state: 'visible' });
  check((await slow.inputValue('#viewer-zone')) === 'America/Lima', 'the times are shown in the detected zone');
  check((await slow.inputValue('#timezone')) === 'Asia/Kathmandu', 'a zone typed before the page was set up is kept');
  await slow.fill('#viewer-zone', 'Pacific/Apia');
  await slow.keyboard.press('Enter');
  await slow.waitForFunction(() => document.querySelector('.viewer-time').textContent.includes('Pacific/Apia'));
  check((await slow.inputValue('#timezone')) === 'Asia/Kathmandu', 'a typed zone is kept when the times are shown in another');
}
