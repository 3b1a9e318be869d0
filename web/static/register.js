// The registration form: one POST with an Idempotency-Key, the API's 422 errors next to their
// fields, a 409 explained in kind words, and after success the confirmation with the calendar
// links and the manage link.
import { api, ApiError, newIdempotencyKey, problemText } from './api.js';
import { answerErrors, readAnswers, setUpAnswers } from './answers.js';
import { addCountryOptions } from './countries.js';
import { byId, h, say } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { language, t } from './i18n.js';
import { momentText } from './time.js';

const form = byId('registration-form');
// The token of an invitation link (/events/{slug}?invitation=...), which an invitation-only event
// requires; events open to anyone ignore it.
const invitation = new URLSearchParams(location.search).get('invitation');
const problems = byId('form-problems');
const status = byId('form-status');

// An instant ("opens_at") in the zone of the form's time zone field; the bare instant if the
// conversion fails, since it still says when.
async function inViewerZone(instant) {
  const zone = form.elements.timezone.value.trim() || 'UTC';
  try {
    const { to } = await api(`/api/v1/time/convert?at=${encodeURIComponent(instant)}&to=${encodeURIComponent(zone)}`);
    return momentText(to[0]);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return instant;
  }
}

async function conflictText(error) {
  switch (error.type) {
    case 'already-registered':
      return t('page.register.already');
    case 'registration-not-open':
      return t('page.event.not_yet_open', { time: await inViewerZone(error.problem.opens_at) });
    case 'registration-closed':
      return t('page.event.closed', { time: await inViewerZone(error.problem.closed_at) });
    case 'event-cancelled':
      return t('page.event.cancelled');
    default:
      return problemText(error);
  }
}

function readForm() {
  const field = (name) => form.elements[name].value.trim();
  const body = { name: field('name'), email: field('email'), timezone: field('timezone'), language: field('language') };
  // Optional fields are left out when empty: the API takes an absent organisation, not an empty one.
  if (field('organisation')) body.organisation = field('organisation');
  if (field('country')) body.country = field('country');
  if (invitation) body.invitation = invitation;
  const answers = readAnswers(form);
  if (Object.keys(answers).length > 0) body.answers = answers;
  body.consent = form.elements.consent.checked;
  return body;
}

// Links on this page are built on the address the page came from: it is the one this browser
// reaches, whatever BASE_URL the server was given for e-mails.
const onThisServer = (url) => {
  const { pathname, search } = new URL(url, location.href);
  return `${location.origin}${pathname}${search}`;
};

const externalLink = (href, text) =>
  h('a', { href, target: '_blank', rel: 'noopener' }, text, h('span', { class: 'visually-hidden' }, ` ${t('page.calendar.new_tab')}`));

function calendarItems(registration) {
  const items = [h('li', {}, h('a', { href: onThisServer(registration.invite_url), download: true }, t('page.calendar.ics')))];
  const several = registration.sessions.length > 1;
  for (const session of registration.sessions) {
    const links = session.add_to_calendar;
    if (!links || session.status === 'cancelled') continue;
    items.push(
      h(
        'li',
        {},
        several ? `${session.title}: ` : null,
        externalLink(links.google, t('page.calendar.google')),
        ' · ',
        externalLink(links.outlook, t('page.calendar.outlook')),
      ),
    );
  }
  return items;
}

function showConfirmation(registration) {
  byId('done-status').textContent = t(`page.status.${registration.status}`);
  byId('done-explanation').textContent = t(`page.done.${registration.status}`, { email: registration.email });
  byId('done-calendars').replaceChildren(...calendarItems(registration));
  const manage = byId('done-manage');
  manage.href = onThisServer(registration.manage_url);
  manage.textContent = manage.href;
  form.hidden = true;
  byId('confirmation').hidden = false;
  byId('confirmation-heading').focus();
}

async function explain(error) {
  // Field errors, and a choice whose places are all taken, are shown at their fields.
  const atFields = error instanceof ApiError && (error.status === 422 || error.type === 'option-full');
  if (atFields && showFieldErrors(form, problems, answerErrors(error.problem))) return;
  const text =
    error instanceof ApiError && error.type === 'invitation-required'
      ? t('page.register.invitation_required')
      : error instanceof ApiError && error.status === 409
        ? await conflictText(error)
        : problemText(error);
  say(problems, text);
  problems.focus();
}

// The details and key of the last submission: sending the same details again (after a lost
// answer, say) reuses its Idempotency-Key, so the server answers it once; new details get a new key.
let attempt = null;
let sending = false;

async function submit(event) {
  event.preventDefault();
  if (sending) return;
  clearFieldErrors(form, problems);
  const body = readForm();
  const text = JSON.stringify(body);
  if (attempt?.text !== text) attempt = { text, key: newIdempotencyKey() };
  sending = true;
  form.setAttribute('aria-busy', 'true');
  status.textContent = t('page.form.sending');
  try {
    const registration = await api(`/api/v1/events/${encodeURIComponent(form.dataset.slug)}/registrations`, {
      method: 'POST',
      body,
      headers: { 'Idempotency-Key': attempt.key },
    });
    status.textContent = '';
    showConfirmation(registration);
  } catch (error) {
    status.textContent = '';
    await explain(error);
  } finally {
    sending = false;
    form.removeAttribute('aria-busy');
  }
}

// When registration is not open, the form gives way to a sentence saying when it opens or closed.
async function showWindow(event) {
  const notice = byId('registration-closed');
  const text =
    event.registration_state === 'not_yet_open'
      ? t('page.event.not_yet_open', { time: await inViewerZone(event.registration_opens_at) })
      : event.registration_closes_at
        ? t('page.event.closed', { time: await inViewerZone(event.registration_closes_at) })
        : t('page.event.cancelled');
  say(notice, text);
}

export function setUpRegistration(event, zone) {
  form.dataset.slug = event.slug;
  useZone(zone);
  form.elements.language.value = language;
  addCountryOptions(form.elements.country);
  setUpAnswers(form);
  form.addEventListener('submit', submit);
  if (event.registration_state !== 'open') {
    form.hidden = true;
    showWindow(event);
  } else if (event.access === 'invitation' && !invitation) {
    // Without the link of an invitation there is nothing to fill in: say how to get in.
    form.hidden = true;
    say(byId('registration-closed'), t('page.event.invitation_only'));
  }
}

// The zone the visitor chose for the times becomes the zone of their registration too, unless they
// typed one of their own there: on a slow link they may have before the page's script ran, or while
// the times were loading, and what a person typed is never overwritten.
export function useZone(zone) {
  const field = form.elements.timezone;
  if (field.value.trim() !== '' && field.value !== field.dataset.offered) return;
  field.value = zone;
  field.dataset.offered = zone;
}
