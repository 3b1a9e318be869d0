// The organiser console from end to end, as issue 15 tells it: sign in from the e-mail in the spool,
// create a draft event (fixing a field the API refused), add two sessions (one at a wall time New
// York skips, explained with both readings), publish, register from the public page in French, move
// a session across New York's change to summer time (the question says how many registrants hear of
// it; the French update e-mail shows the new time), compare the day's half-hour starts for the
// registrants' waking hours, send an announcement with a French translation
// (found in the spool in French), check a registrant in on the roster with the console's session,
// give the event registration questions in English and French (a wrong key shown at its field, one
// moved by keyboard, a saved one removed), see the console in Arabic at 360 px, sign out (the cookie
// then opens nothing). axe-core scans every state.
import { httpError } from '../lib/browser.mjs';
import { freshEmail } from '../lib/api.mjs';
import { check, checkIncludes, readable } from '../lib/check.mjs';
import { waitForMessage } from '../lib/spool.mjs';

export const name = 'organiser console: sign in, create, sessions, publish, move, time fit, announce, check in, questions, sign out';

const ORGANISER = 'console.organiser@example.org';
const SLUG = 'financing-dialogue';

const text = async (page, selector) => readable(await page.locator(selector).innerText());

async function signIn(page, baseUrl, spool, scan) {
  await page.goto(`${baseUrl}/organise?lang=en`);
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await scan(page, 'console: sign-in form');
  await page.fill('#sign-in-email', ORGANISER);
  await page.press('#sign-in-email', 'Enter'); // by keyboard
  await page.locator('#sign-in-sent:not(:empty)').waitFor();
  checkIncludes(await text(page, '#sign-in-sent'), 'a sign-in link is on its way', 'asking for a link is confirmed');
  await scan(page, 'console: sign-in link sent');

  const mail = await waitForMessage(spool, (m) => m.kind === 'sign-in' && m.to.includes(ORGANISER), 'the sign-in e-mail');
  const link = /https?:\/\/[^\s"<>]+\/organise\/sign-in\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  check(link?.startsWith(baseUrl), `the sign-in e-mail holds a link to this server (got ${link})`);
  await page.goto(link);
  await page.locator('main button[type=submit]').waitFor();
  await scan(page, 'console: sign-in link page');
  await Promise.all([page.waitForURL(/\/organise\?lang=en$/), page.click('main button[type=submit]')]);
  await page.locator('#signed-in').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#signed-in-as'), ORGANISER, 'the console says who is signed in');

  // The link works once: used again, it is refused with a way to ask for another.
  const again = await page.context().newPage();
  again.problems = [];
  await again.goto(link);
  await Promise.all([again.waitForLoadState('load'), again.click('main button[type=submit]')]);
  check(await again.locator('.when-failed').isVisible(), 'a used sign-in link is refused');
  await again.close();
}

async function createDraft(page, baseUrl, scan, screenshot) {
  await page.click('#new-event a');
  await page.waitForURL(/\/organise\/new/);
  await page.locator('#event-view').waitFor({ state: 'visible' });
  await page.fill('#slug', 'Financing Dialogue'); // not an address name: the API refuses it
  await page.fill('#title', 'Financing for development: a South–South dialogue');
  await page.fill('#description', 'Ministers and experts from the Global South.\n\nBackground papers: https://example.org/papers');
  await page.fill('#timezone', 'America/New_York');
  await page.fill('#capacity', '50');
  await page.fill('#organiser_name', 'UN High-level Panel');
  await page.fill('#join_url', 'https://meet.example.org/financing');
  check((await page.inputValue('#status')) === 'draft', 'a new event is a draft unless chosen otherwise');
  await page.click('#event-save');
  await page.locator('#slug-error').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#slug-error'), 'lower-case letters', 'the refused address name is explained next to its field');
  check((await page.getAttribute('#slug', 'aria-invalid')) === 'true', 'the field in error is marked aria-invalid');
  checkIncludes(await text(page, '#event-problems'), 'lower-case letters', 'the summary lists the error');
  await scan(page, 'console: new event, a field in error');
  await screenshot(page, 'console-event-form-error', '#details');

  await page.fill('#slug', SLUG);
  await page.click('#event-save');
  await page.waitForURL(new RegExp(`/organise/events/${SLUG}`));
  await page.locator('#page-status', { hasText: 'saved as a draft' }).waitFor();
  check(await page.locator('#slug-error').isHidden(), 'the error is gone once fixed');
  check(await page.locator('#sessions-section').isVisible(), 'sessions can be added once the draft exists');
  check((await page.inputValue('#join_url')) === 'https://meet.example.org/financing', 'the meeting link is shown to its organiser');
  check(await page.isChecked('#closes-last-session'), 'registration closes by the default rule, and the form says so');
}

// Three questions in English and French; the key the API refuses is explained at its field; a
// question moved up keeps the focus; a saved question removed is listed as kept in the export.
async function editQuestions(page, scan, screenshot) {
  const field = (path) => page.locator(`[name="${path}"]`);
  await page.locator('#questions-section').waitFor({ state: 'visible' });
  check(await page.isChecked('#question-language-en'), 'English is the questions’ language to begin with');
  await page.check('#question-language-fr');

  await page.click('#add-question');
  check(await field('questions[0].label.en').evaluate((input) => input === document.activeElement), 'a new question’s label takes focus');
  await field('questions[0].label.en').fill('Type of organisation');
  await field('questions[0].label.fr').fill('Type d’organisation');
  check((await field('questions[0].key').inputValue()) === 'type_of_organisation', 'the key is suggested from the English label');
  await field('questions[0].type').selectOption('one_choice');
  await field('questions[0].required').check();
  await field('questions[0].options[0].label.en').fill('Government');
  await field('questions[0].options[0].label.fr').fill('Gouvernement');
  await page.click('#question-list > li:nth-child(1) button:text("Add an option")');
  await field('questions[0].options[1].label.en').fill('Civil society');
  await field('questions[0].options[1].label.fr').fill('Société civile');
  await field('questions[0].options[1].limit').fill('30');
  check((await field('questions[0].options[1].key').inputValue()) === 'civil_society', 'an option’s key is suggested too');

  const add = async (index, en, fr, type) => {
    await page.click('#add-question');
    await field(`questions[${index}].label.en`).fill(en);
    await field(`questions[${index}].label.fr`).fill(fr);
    await field(`questions[${index}].type`).selectOption(type);
  };
  await add(1, 'Dietary needs', 'Régime alimentaire', 'short_text');
  await add(2, 'Title', 'Titre', 'short_text');
  await add(3, 'Interpretation needed', 'Besoin d’interprétation', 'yes_no');
  await field('questions[2].key').fill('1st title'); // not a key: the API refuses it

  // Moved by keyboard: focus stays on the moved question's button and the move is announced.
  await page.focus('#question-list > li:nth-child(4) button:text("Move up")');
  await page.keyboard.press('Enter');
  checkIncludes(await text(page, '#questions-status'), '“Interpretation needed” is now question 3 of 4', 'the move is announced');
  check(
    await page.evaluate(
      () =>
        document.activeElement?.textContent === 'Move up' &&
        document.activeElement.closest('.question') === document.querySelector('#question-list > li:nth-child(3)'),
    ),
    'focus stays on the moved question',
  );
  check((await field('questions[2].label.en').inputValue()) === 'Interpretation needed', 'the question moved up');

  await page.click('#questions-save');
  const keyId = await field('questions[3].key').getAttribute('id');
  await page.locator(`#${keyId}-error`).waitFor({ state: 'visible' });
  checkIncludes(await text(page, `#${keyId}-error`), 'starting with a letter', 'the refused key is explained next to its field');
  check((await field('questions[3].key').getAttribute('aria-invalid')) === 'true', 'the key in error is marked aria-invalid');
  checkIncludes(await text(page, '#questions-problems'), 'starting with a letter', 'the summary lists the question’s error');
  await scan(page, 'console: registration questions, a key in error');
  await screenshot(page, 'console-questions-error', '#questions-section');

  await field('questions[3].key').fill('title');
  await page.click('#questions-save');
  await page.locator('#questions-status', { hasText: 'Questions saved' }).waitFor();
  checkIncludes(await text(page, '#questions-status'), 'asks 4 questions', 'saving is confirmed with the count');
  check((await field('questions[0].key').getAttribute('readonly')) !== null, 'a saved question’s key is read-only');
  check(await field('questions[0].type').isDisabled(), 'a saved question keeps its type');

  // Removing a saved question keeps its answers: the page says so, and lists it once saved.
  await page.click('#question-list > li:nth-child(2) button:text("Remove this question")');
  checkIncludes(await text(page, '#questions-status'), 'Answers already given are kept', 'removing a saved question says its answers are kept');
  await page.click('#questions-save');
  await page.locator('#questions-status', { hasText: 'asks 3 questions' }).waitFor();
  checkIncludes(await text(page, '#retired-questions'), 'Dietary needs (dietary_needs)', 'the removed question is listed as kept');
  const event = await page.evaluate(async (slug) => (await fetch(`/api/v1/events/${slug}`)).json(), SLUG);
  check(
    event.questions.map((q) => q.key).join(',') === 'type_of_organisation,interpretation_needed,title',
    `the event asks the three questions in order (got ${event.questions.map((q) => q.key)})`,
  );
  check(event.questions[0].options[1].label.fr === 'Société civile' && event.questions[0].options[1].limit === 30, 'options keep their French label and limit');
  await scan(page, 'console: registration questions saved');
}

async function addSessions(page, scan, screenshot) {
  await page.click('#add-session');
  await page.fill('#session-title', 'Opening plenary');
  await page.fill('#session-starts', '2030-03-05T10:00');
  await page.fill('#session-duration', '90');
  await page.locator('#session-preview', { hasText: 'In your zone' }).waitFor();
  const preview = await text(page, '#session-preview');
  checkIncludes(preview, 'UTC-05:00', 'the preview gives New York winter time');
  checkIncludes(preview, '16:00 (Europe/Paris', 'the preview shows the start in the organiser’s zone');
  await scan(page, 'console: session editor with preview');
  await page.click('#session-save');
  await page.locator('#sessions-status', { hasText: 'Opening plenary' }).waitFor();

  // 02:30 on 10 March 2030 does not exist in New York: explained as soon as it is typed...
  await page.click('#add-session');
  await page.fill('#session-title', 'Regional dialogues');
  await page.fill('#session-starts', '2030-03-10T02:30');
  await page.fill('#session-duration', '60');
  await page.locator('#wall-time').waitFor({ state: 'visible' });
  const explanation = await text(page, '#wall-time');
  checkIncludes(explanation, 'jump from 02:00 to 03:00', 'the skipped hour is named');
  checkIncludes(explanation, '02:30 does not exist', 'the typed time is said not to exist');
  checkIncludes(explanation, '01:30 (UTC-05:00)', 'the earlier reading is offered');
  checkIncludes(explanation, '03:30 (UTC-04:00)', 'the later reading is offered');
  await scan(page, 'console: a wall time in a gap, explained');
  await screenshot(page, 'console-session-gap', '#session-editor');
  // ...and when submitted without a choice, the API's 422 puts the question next to the field.
  await page.click('#session-save');
  await page.locator('#session-starts-error').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#session-starts-error'), 'choose one of the two readings', 'the 422 asks for a reading next to the field');
  await page.check('#reading-later');
  await page.locator('#session-preview', { hasText: '03:30' }).waitFor();
  await page.click('#session-save');
  await page.locator('#sessions-status', { hasText: 'Regional dialogues' }).waitFor();
  checkIncludes(await text(page, '#sessions-status'), '03:30', 'the later reading is the one kept');
  check((await page.locator('#session-list > li').count()) === 2, 'the draft has two sessions');
}

// By keyboard alone: the button, then the question (which takes focus), then Tab to "yes".
async function publish(page, scan) {
  await page.focus('#publish-start');
  await page.keyboard.press('Enter');
  await page.locator('#publish-confirm').waitFor({ state: 'visible' });
  check(await page.evaluate(() => document.activeElement?.id === 'publish-question'), 'the question takes focus');
  await scan(page, 'console: publish asks first');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.id === 'publish-yes'), 'Tab goes from the question to "yes"');
  await page.keyboard.press('Enter');
  await page.locator('#page-status', { hasText: 'is published' }).waitFor();
  checkIncludes(await text(page, '#overview-status'), 'Published', 'the status says published');
}

async function registerInFrench(openPage, baseUrl) {
  const visitor = await openPage({ timezoneId: 'Europe/Paris', locale: 'fr-FR' });
  await visitor.goto(`${baseUrl}/events/${SLUG}?lang=fr`);
  check(
    (await visitor.getAttribute('a[href="https://example.org/papers"]', 'rel')) === 'noopener noreferrer',
    'a web address in the description is a link on the public page',
  );
  const email = freshEmail('amina');
  await visitor.fill('#name', 'Amina Diallo');
  await visitor.fill('#email', email);
  await visitor.selectOption('#country', 'SN');
  check((await visitor.inputValue('#language')) === 'fr', 'the e-mails default to the page’s language');
  await visitor.check('#consent');
  await visitor.click('#registration-form button[type=submit]');
  await visitor.locator('#confirmation').waitFor({ state: 'visible' });
  checkIncludes(await visitor.locator('#done-status').innerText(), 'Confirmé', 'registered, in French');
  return email;
}

async function moveAcrossDst(page, api, spool, amina, scan, screenshot) {
  // Two more registrants in Kathmandu: the zone most registrants are in.
  await api.register(SLUG, { timezone: 'Asia/Kathmandu', country: 'NP' });
  await api.register(SLUG, { timezone: 'Asia/Kathmandu', country: 'NP' });
  await page.reload();
  await page.locator('#session-list > li').first().waitFor();
  checkIncludes(await text(page, '#sessions-zones'), 'Asia/Kathmandu (2)', 'the registrants’ main zones are named');

  const opening = page.locator('#session-list > li', { hasText: 'Opening plenary' });
  await opening.getByRole('button', { name: 'Move or rename' }).click();
  await page.fill('#session-starts', '2030-03-12T10:00');
  await page.locator('#session-preview', { hasText: 'UTC-04:00' }).waitFor();
  const preview = await text(page, '#session-preview');
  checkIncludes(preview, '15:00 (Europe/Paris, UTC+01:00)', 'after New York’s change, 10:00 there is 15:00 in Paris');
  checkIncludes(preview, 'Registrants here (2)', 'the preview shows where the registrants are');
  checkIncludes(preview, '19:45 (Asia/Kathmandu', 'and the time in Kathmandu');
  await screenshot(page, 'console-session-move', '#sessions-section');
  await page.click('#session-save');
  await page.locator('#move-confirm').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#move-question'), 'An updated invitation goes to 3 registrants', 'moving says how many are told');
  await scan(page, 'console: moving a session asks first');
  await page.click('#move-yes');
  await page.locator('#sessions-status', { hasText: 'moved' }).waitFor();
  checkIncludes(await text(page, '#session-list'), 'Tuesday 12 March 2030, 10:00', 'the session shows its new time');

  const update = await waitForMessage(spool, (m) => m.kind === 'update' && m.to.includes(amina), 'the update e-mail to the French registrant');
  checkIncludes(update.subject, 'Nouvel horaire', 'the update is in French');
  checkIncludes(update.text, '12 mars 2030', 'the update gives the new date');
  checkIncludes(update.text, '15:00', 'the update gives the new time in the registrant’s zone');
  checkIncludes(update.calendar, 'SEQUENCE:1', 'the attached invitation replaces the old one');
}

// The time fit, for the first session's day (Regional dialogues, 07:30Z on 10 March 2030): 48 starts
// for the three registrants (Paris and twice Kathmandu), the current session and the best starts
// marked in words; a length the API refuses is explained at its field; asked again for another day.
async function timeFit(page, scan, screenshot) {
  // The table is asked for again once the move above is saved; until that answer comes it shows the
  // moved session's day (5 March, 90 minutes). Its caption and rows are replaced together.
  await page.locator('#time-fit-caption', { hasText: 'Sunday 10 March 2030 (UTC), 60 minutes' }).waitFor();
  const rows = page.locator('#time-fit-rows > tr');
  await rows.nth(47).waitFor();
  check((await rows.count()) === 48, 'the table has the 48 half-hour starts');
  const audience = await text(page, '#time-fit-audience');
  checkIncludes(audience, 'Audience: 3 registrants', 'the audience is the three registrants');
  checkIncludes(audience, 'Not placed: 0', 'the registrants not placed are counted');
  checkIncludes(await text(page, '#time-fit-caption'), 'Sunday 10 March 2030 (UTC), 60 minutes', 'the first session’s day and length are asked');
  const first = await text(page, '#time-fit-rows > tr:nth-child(1)');
  checkIncludes(first, '01:00', 'a start is shown in the organiser’s zone');
  checkIncludes(first, '00:00 UTC', 'and in UTC');
  checkIncludes(first, '0% (0 of 3)', 'the share is written out');
  checkIncludes(first, 'Asia/Kathmandu (2), Europe/Paris (1)', 'the zones left out are named, most people first');
  const current = await text(page, '#time-fit-rows > tr:nth-child(16)');
  checkIncludes(current, 'current session: Regional dialogues (08:30)', 'the current session is marked in words');
  checkIncludes(current, '100% (3 of 3)', 'the current session suits everyone');
  checkIncludes(await text(page, '#time-fit-rows > tr:nth-child(13)'), 'best', 'the best start is marked in words');
  check((await page.locator('#time-fit-rows > tr.fit-marked').count()) === 4, 'three best starts and the current session are marked');
  checkIncludes(await text(page, '#time-fit-best'), 'Best starts: 07:00 (06:00 UTC): 100% (3 of 3)', 'the best starts are listed, the earliest first');

  await page.fill('#fit-duration', '2000');
  await page.click('#time-fit-ask');
  await page.locator('#fit-duration-error').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#fit-duration-error'), 'from 1 to 900', 'a refused length is explained next to its field');
  await page.fill('#fit-date', '2030-03-12');
  await page.fill('#fit-duration', '90');
  await page.click('#time-fit-ask');
  await page.locator('#time-fit-status', { hasText: 'Tuesday 12 March 2030, 90 minutes' }).waitFor();
  check(await page.locator('#fit-duration-error').isHidden(), 'the error is gone once fixed');
  checkIncludes(await text(page, '#time-fit-rows > tr:nth-child(29)'), 'current session: Opening plenary (15:00)', 'the moved session is marked on its new day');
  await scan(page, 'console: a time that suits the audience');
  await screenshot(page, 'console-time-fit', '#time-fit-section');
}

async function announce(page, spool, amina, scan, screenshot) {
  await page.fill('#announcement-subject', 'The programme is online');
  await page.fill('#announcement-body', 'Dear participants,\n\nThe programme is online.');
  await page.selectOption('#translation-language', 'fr');
  await page.click('#add-translation');
  await page.fill('#translation-fr-subject', 'Le programme est en ligne');
  await page.fill('#translation-fr-body', 'Chers participants,\n\nLe programme est en ligne.');
  await page.selectOption('#preview-registrant', { label: 'Amina Diallo (Français, Confirmed)' });
  await page.click('#preview-button');
  await page.locator('#announcement-preview').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#preview-subject'), 'Le programme est en ligne', 'the preview is in the registrant’s language');
  checkIncludes(await text(page, '#preview-text'), 'Chers participants', 'the preview shows the French text');
  await scan(page, 'console: announcement preview');
  await screenshot(page, 'console-announcement-preview', '#announcements-section');
  await page.click('#announcement-send');
  await page.locator('#send-confirm').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#send-question'), 'about 3 registrants', 'sending says to how many');
  await page.click('#send-yes');
  await page.locator('#announcement-status', { hasText: 'on its way to 3 registrants' }).waitFor();
  await page.locator('#announcement-list li', { hasText: 'The programme is online' }).waitFor();
  const mail = await waitForMessage(spool, (m) => m.kind === 'announcement' && m.to.includes(amina), 'the announcement to the French registrant');
  check(mail.subject === 'Le programme est en ligne', `the announcement arrives in French (subject ${mail.subject})`);
  checkIncludes(mail.text, 'Le programme est en ligne.', 'the French body');
}

async function checkIn(page, baseUrl, scan) {
  await page.click('#roster-link');
  await page.waitForURL(new RegExp(`/organise/${SLUG}`));
  await page.locator('#console').waitFor({ state: 'visible' });
  check(await page.locator('#sign-in').isHidden(), 'the roster opens with the console’s session, no token asked');
  const row = page.locator('#roster tbody tr', { hasText: 'Amina Diallo' });
  await row.getByRole('button', { name: 'Check in' }).click();
  await row.getByRole('button', { name: 'Undo check-in' }).waitFor();
  checkIncludes(await text(page, '#roster-status'), 'Amina Diallo is checked in', 'the check-in is announced');
  // Attendance: the row says she came, the figures count her, and the filter finds only her.
  check((await row.locator('td').nth(5).innerText()).trim() === 'Yes', 'the checked-in registrant is shown as having come');
  await page.locator('#stats', { hasText: 'Came (joined or checked in)1' }).waitFor();
  await page.selectOption('#attendance-filter', 'attended');
  await page.click('#filters button[type=submit]');
  await page.locator('#roster-count', { hasText: 'Registrants shown: 1' }).waitFor();
  checkIncludes(await text(page, '#roster tbody'), 'Amina Diallo', 'the attendance filter finds who came');
  await page.selectOption('#attendance-filter', 'did_not_attend');
  await page.click('#filters button[type=submit]');
  // The count may read 1 before and after; her row leaving is what says the list was reloaded.
  await row.waitFor({ state: 'detached' });
  check(!(await text(page, '#roster tbody')).includes('Amina Diallo'), 'and leaves her out of those who did not come');
  await scan(page, 'roster with the console session');
  check((await page.getAttribute('#console-link', 'href')).startsWith(`/organise/events/${SLUG}`), 'the roster links back to the console');
  void baseUrl;
}

async function arabicAtPhoneWidth(page, baseUrl, scan, screenshot) {
  await page.setViewportSize({ width: 360, height: 800 });
  for (const [label, path, ready] of [
    ['console-list-ar-360px', '/organise?lang=ar', '#event-list li'],
    ['console-event-ar-360px', `/organise/events/${SLUG}?lang=ar`, '#time-fit-rows tr'], // the widest part, loaded last
  ]) {
    await page.goto(`${baseUrl}${path}`);
    await page.locator(ready).first().waitFor();
    check((await page.getAttribute('html', 'dir')) === 'rtl', `${label}: right to left`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('main *'))
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return box.width > 0 && (box.left < 0 || box.right > document.documentElement.clientWidth);
        })
        .slice(0, 5)
        .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`),
    );
    check(overflow <= 0, `${label}: ${overflow} px wider than a 360 px screen (${wide.join(', ')})`);
    await scan(page, `console in Arabic at 360 px: ${label}`);
    await screenshot(page, label);
  }
  await page.setViewportSize({ width: 1024, height: 900 });
}

async function signOut(page, baseUrl, scan) {
  await page.goto(`${baseUrl}/organise?lang=en`);
  await page.locator('#signed-in').waitFor({ state: 'visible' });
  const cookie = (await page.context().cookies()).find((c) => c.name === 'convene_session');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#sign-in-sent'), 'signed out', 'signing out is confirmed');
  await scan(page, 'console: signed out');
  const status = await page.evaluate(async () => (await fetch('/api/v1/organiser/me')).status);
  check(status === 401, `after signing out the browser gets 401 (got ${status})`);
  const replayed = await fetch(`${baseUrl}/api/v1/organiser/me`, { headers: { Cookie: `convene_session=${cookie.value}` } });
  check(replayed.status === 401, `the old cookie no longer works (got ${replayed.status})`);
}

export async function run({ openPage, baseUrl, api, spool, addOrganiser, scan, screenshot }) {
  addOrganiser(ORGANISER);
  const page = await openPage({
    timezoneId: 'Europe/Paris',
    expectErrors: [httpError(401), httpError(404), httpError(422)],
  });
  await signIn(page, baseUrl, spool, scan);
  await scan(page, 'console: event list');
  await createDraft(page, baseUrl, scan, screenshot);
  await addSessions(page, scan, screenshot);
  await publish(page, scan);
  await screenshot(page, 'console-event', '#overview');
  const amina = await registerInFrench(openPage, baseUrl);
  await moveAcrossDst(page, api, spool, amina, scan, screenshot);
  await timeFit(page, scan, screenshot);
  await announce(page, spool, amina, scan, screenshot);
  await page.goto(`${baseUrl}/organise?lang=en`);
  await page.locator('#event-list li', { hasText: 'South–South dialogue' }).waitFor();
  checkIncludes(await text(page, `#event-list li[data-slug="${SLUG}"]`), 'Confirmed\n3', 'the list gives the event’s figures');
  await scan(page, 'console: event list with figures');
  await screenshot(page, 'console-events');
  await page.goto(`${baseUrl}/organise/events/${SLUG}?lang=en`);
  await page.locator('#session-list li').first().waitFor();
  await checkIn(page, baseUrl, scan);
  // Last, since a required question would stop the registrations above until the public form asks it.
  await page.goto(`${baseUrl}/organise/events/${SLUG}?lang=en`);
  await editQuestions(page, scan, screenshot);
  await arabicAtPhoneWidth(page, baseUrl, scan, screenshot);
  await signOut(page, baseUrl, scan);
}
