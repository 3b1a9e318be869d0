// The event's own questions on the pages: the public form renders them in the visitor's language
// (French here), a missing required answer and a choice with no place left are shown at their
// fields, the registrant changes an answer on their own page, and the organiser's roster shows the
// answers and filters by a choice; the CSV has a column per question.
import { freshEmail } from '../lib/api.mjs';
import { httpError } from '../lib/browser.mjs';
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'questions: answered in French, errors at their fields, changed, filtered in the roster';

const SLUG = 'panel-with-questions';

const QUESTIONS = [
  {
    key: 'organisation_type', type: 'one_choice', required: true,
    label: { en: 'Type of organisation', fr: "Type d'organisation" },
    options: [
      { key: 'government', label: { en: 'Government', fr: 'Gouvernement' } },
      { key: 'civil_society', label: { en: 'Civil society', fr: 'Société civile' } },
      { key: 'press', label: { en: 'Press (one seat)', fr: 'Presse (une place)' }, limit: 1 },
    ],
  },
  { key: 'interpretation', type: 'yes_no', label: { en: 'Do you need interpretation?', fr: "Avez-vous besoin d'interprétation ?" } },
  { key: 'title', type: 'short_text', label: { en: 'Title', fr: 'Titre' }, help: { en: 'As on your badge', fr: 'Comme sur votre badge' } },
];

async function arrange(api, token) {
  await api.call('POST', '/api/v1/events', {
    token,
    body: {
      slug: SLUG, title: 'Panel with questions', timezone: 'America/New_York', capacity: 50, registration_closes_at: null,
      questions: QUESTIONS,
      sessions: [{ starts_local: '2031-09-10T09:00', duration_minutes: 120 }],
    },
  });
  // The one press seat is taken.
  await api.register(SLUG, { answers: { organisation_type: 'press' } });
}

const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

async function registerInFrench(page, baseUrl, scan, screenshot) {
  await page.goto(`${baseUrl}/events/${SLUG}?lang=fr`);
  checkIncludes(await text(page, '#registration-form'), "Type d'organisation", 'the question is asked in French');
  checkIncludes(await text(page, '#registration-form'), 'Comme sur votre badge', 'with its help text in French');
  await scan(page, 'event page with questions, in French');
  await page.fill('#name', 'Amina Diallo');
  await page.fill('#email', freshEmail('amina'));
  await page.check('#consent');
  // The required question left unanswered: the server's 422 is shown at the question.
  await page.click('#registration-form button[type=submit]');
  await page.locator('#answer-organisation_type-error').waitFor({ state: 'visible' });
  checkIncludes(await text(page, '#answer-organisation_type-error'), 'Veuillez répondre à cette question.', 'the missing answer is told at its question, in French');
  checkIncludes(await text(page, '#form-problems'), 'Veuillez répondre', 'and in the summary that links to it');
  await scan(page, 'event page, a required answer missing');
  await screenshot(page, 'event-questions-fr', '#registration-form');
  // The press seat is taken: told at the question too.
  await page.check('#answer-organisation_type-press');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#answer-organisation_type-error', { hasText: 'Il ne reste plus de place' }).waitFor();
  await page.check('#answer-organisation_type-government');
  await page.check('#answer-interpretation-yes');
  await page.fill('#answer-title', 'Dr');
  await page.click('#registration-form button[type=submit]');
  await page.locator('#confirmation').waitFor({ state: 'visible' });
  return page.getAttribute('#done-manage', 'href');
}

async function changeOwnAnswer(page, manageUrl, api, scan) {
  await page.goto(`${manageUrl}?lang=fr`);
  await page.locator('#registration').waitFor({ state: 'visible' });
  check(await page.isChecked('#answer-organisation_type-government'), 'the registrant sees the answer they gave');
  check((await page.inputValue('#answer-title')) === 'Dr', 'and their title');
  await page.check('#answer-organisation_type-civil_society');
  await page.click('#answers-form button[type=submit]');
  await page.locator('#answers-status', { hasText: 'Vos réponses sont enregistrées.' }).waitFor();
  const token = decodeURIComponent(new URL(manageUrl).pathname.split('/').pop());
  const stored = await api.call('GET', `/api/v1/registrations/${token}`);
  check(stored.answers.organisation_type === 'civil_society', `the changed answer is stored (${JSON.stringify(stored.answers)})`);
  check(stored.answers.interpretation === true, 'the other answers stay');
  await scan(page, 'manage page with answers');
}

async function filterTheRoster(page, baseUrl, api, token, scan) {
  await page.goto(`${baseUrl}/organise/${SLUG}?lang=en`);
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  await page.fill('#token', token);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 2);
  await page.selectOption('#answer-filter', 'organisation_type=civil_society');
  await page.click('#filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#roster tbody tr').length === 1);
  const row = await text(page, '#roster tbody');
  checkIncludes(row, 'Amina Diallo', 'the roster filters by a choice');
  checkIncludes(row, 'Type of organisation: Civil society; Do you need interpretation?: Yes; Title: Dr', 'and shows the answers in the page’s language');
  await page.locator('#stats-answers', { hasText: 'Civil society: 1' }).waitFor();
  checkIncludes(await text(page, '#stats-answers'), 'Press (one seat): 1', 'the figures count each option');
  await scan(page, 'roster filtered by an answer');
  const csv = await fetch(`${baseUrl}/api/v1/events/${SLUG}/registrations.csv?lang=fr`, { headers: { Authorization: `Bearer ${token}` } });
  const header = (await csv.text()).split('\r\n')[0];
  checkIncludes(header, ",attended,Type d'organisation,Avez-vous besoin d'interprétation ?,Titre", 'the CSV has a column per question, headed in French');
  void api;
}

export async function run({ openPage, baseUrl, api, organiserToken, scan, screenshot }) {
  await arrange(api, organiserToken);
  const page = await openPage({ timezoneId: 'Africa/Dakar', expectErrors: [httpError(422), httpError(409), httpError(401)] });
  const manageUrl = await registerInFrench(page, baseUrl, scan, screenshot);
  await changeOwnAnswer(page, manageUrl, api, scan);
  await filterTheRoster(page, baseUrl, api, organiserToken, scan);
}
