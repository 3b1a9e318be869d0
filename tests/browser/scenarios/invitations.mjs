// An invitation-only event: the organiser invites a pasted list on the roster page (a bad line is
// said back), the event page without an invitation says how to get in, an uninvited address is
// refused with a clear message, and the invitee registers from the link in the e-mail.
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';
import { waitForMessage } from '../lib/spool.mjs';

export const name = 'invitations: invited from a pasted list, uninvited refused, invitee registers from the e-mail';

const SLUG = 'board-retreat';
const INVITEE = `lucia.${Date.now()}@example.org`;

async function arrange(api, token) {
  await api.call('POST', '/api/v1/events', {
    token,
    body: {
      slug: SLUG, title: 'Board retreat', timezone: 'America/Lima', capacity: 20, registration_closes_at: null,
      access: 'invitation', sessions: [{ starts_local: '2031-05-04T10:00', duration_minutes: 90 }],
    },
  });
}

const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

async function invite(page, baseUrl, token, scan) {
  await page.goto(`${baseUrl}/organise/${SLUG}?lang=en`);
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await page.fill('#token', token);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#invitations').waitFor({ state: 'visible' });
  await page.fill('#invitees', `Lucía Pérez <${INVITEE}>\nnot an address\nkofi.${Date.now()}@example.org,Kofi Mensah,fr`);
  await page.click('#invite-form button[type=submit]');
  await page.locator('#invitations-status', { hasText: 'Invited: 2.' }).waitFor();
  checkIncludes(await text(page, '#invite-report'), 'Line 2 (not an address)', 'the line that names nobody is said back');
  await page.locator('#pending-count', { hasText: 'Invited, not registered yet: 2' }).waitFor();
  checkIncludes(await text(page, '#pending-invitees'), 'Lucía Pérez', 'the invitees are listed until they register');
  await scan(page, 'roster page, invitations');
}

async function refuseTheUninvited(page, baseUrl, invitation, scan) {
  // No invitation: the page says how to get in, and asks for nothing.
  await page.goto(`${baseUrl}/events/${SLUG}?lang=en`);
  await page.locator('#registration-closed', { hasText: 'by invitation only' }).waitFor();
  check(await page.locator('#registration-form').isHidden(), 'without an invitation there is no form to fill in');
  await scan(page, 'event page, by invitation only');
  // Someone else's link, with another address: refused in words.
  await page.goto(`${baseUrl}/events/${SLUG}?lang=en&invitation=${encodeURIComponent(invitation)}`);
  await page.fill('#name', 'Gate Crasher');
  await page.fill('#email', `crasher.${Date.now()}@example.org`);
  await page.check('#consent');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#form-problems', { hasText: 'by invitation only' }).waitFor();
  checkIncludes(await text(page, '#form-problems'), 'Use the link from your own invitation e-mail', 'the refusal says what to do');
  await scan(page, 'event page, an uninvited address refused');
}

export async function run({ openPage, baseUrl, api, organiserToken, scan, spool }) {
  await arrange(api, organiserToken);
  const page = await openPage({ timezoneId: 'America/Lima', expectErrors: [httpError(401), httpError(403)] });
  await invite(page, baseUrl, organiserToken, scan);

  const mail = await waitForMessage(spool, (m) => m.kind === 'invitation' && m.to.includes(INVITEE), 'the invitation e-mail');
  const link = /https?:\/\/\S+\/events\/board-retreat\?invitation=[A-Za-z0-9_-]+/.exec(mail.text);
  check(link !== null, 'the invitation e-mail holds a personal registration link');
  const invitation = new URL(link[0]).searchParams.get('invitation');
  await refuseTheUninvited(page, baseUrl, invitation, scan);

  // The invitee, from the link in the e-mail (on this server), registers.
  const { pathname, search } = new URL(link[0]);
  await page.goto(`${baseUrl}${pathname}${search}&lang=en`);
  await page.fill('#name', 'Lucía Pérez');
  await page.fill('#email', INVITEE);
  await page.check('#consent');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#confirmation').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#done-status'), 'Confirmed', 'the invitee is registered');
  const listed = await api.call('GET', '/api/v1/events');
  check(!listed.items.some((event) => event.slug === SLUG), 'the event stays out of the public list');
}
