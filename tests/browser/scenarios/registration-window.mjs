// Events whose registration is not open yet, or closed: the form gives way to a sentence saying
// when, in the visitor's zone.
import { check, checkIncludes, readable } from '../lib/check.mjs';

export const name = 'registration not open yet or closed says when, in the visitor zone';


async function createEvent(api, token, slug, window) {
  await api.call('POST', '/api/v1/events', {
    token,
    body: {
      slug,
      title: `Event ${slug}`,
      timezone: 'Europe/Paris',
      capacity: 10,
      ...window,
      sessions: [{ title: 'Session', starts_local: '2030-02-01T10:00', timezone: 'Europe/Paris', duration_minutes: 60 }],
    },
  });
}

export async function run({ openPage, baseUrl, api, organiserToken, scan }) {
  await createEvent(api, organiserToken, 'opens-later', { registration_opens_at: '2030-01-01T00:00:00Z' });
  await createEvent(api, organiserToken, 'closed-early', { registration_closes_at: '2021-01-01T00:00:00Z' });

  const cases = [
    ['opens-later', 'Asia/Kathmandu', 'Registration opens on Tuesday 1 January 2030, 05:45 (Asia/Kathmandu, UTC+05:45).'],
    ['closed-early', 'America/Lima', 'Registration closed on Thursday 31 December 2020, 19:00 (America/Lima, UTC-05:00).'],
  ];
  for (const [slug, zone, sentence] of cases) {
    const page = await openPage({ timezoneId: zone });
    await page.goto(`${baseUrl}/events/${slug}?lang=en`);
    await page.locator('#registration-closed').waitFor({ state: 'visible' });
    checkIncludes(readable(await page.locator('#registration-closed').innerText()), sentence, `${slug}: when, in ${zone}`);
    check(await page.locator('#registration-form').isHidden(), `${slug}: no form to fill`);
    if (slug === 'opens-later') await scan(page, 'event page, registration not open yet');
  }
}
