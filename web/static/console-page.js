// The organiser console, /organise: without a session, the form that sends a sign-in link by
// e-mail; with one, the organiser's events (drafts, published, cancelled) with their figures, and a
// new event for organisers with rights on all events.
import { ApiError, problemText } from './api.js';
import { requestSignInLink, signOut, whoAmI } from './console-session.js';
import { byId, h, say } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { language, t } from './i18n.js';
import './languages.js';
import { dateTime } from './time.js';

const status = byId('console-status');
const failure = byId('console-error');
const signInSection = byId('sign-in');
const signInForm = byId('sign-in-form');
const sent = byId('sign-in-sent');
const signedIn = byId('signed-in');

const FIGURES = ['confirmed', 'waitlisted', 'pending', 'cancelled'];
// Addresses and zone names stay one left-to-right unit inside Arabic sentences.
const ltr = (text) => `\u2066${text}\u2069`;

function firstSession(event) {
  const scheduled = event.sessions.filter((session) => session.status === 'scheduled');
  return scheduled[0] || null;
}

function eventItem(event) {
  const link = `/organise/events/${encodeURIComponent(event.slug)}?lang=${language}`;
  const first = firstSession(event);
  const when = first
    ? t('page.console.first_session', { time: dateTime(first.event_time.starts.local), zone: ltr(event.timezone), count: event.sessions.length })
    : t('page.console.no_sessions_yet');
  const figures = h(
    'dl',
    { class: 'figures' },
    FIGURES.map((name) => h('div', {}, h('dt', {}, t(`page.status.${name}`)), h('dd', {}, String(event.figures?.[name] ?? 0)))),
  );
  const links = [h('li', {}, h('a', { href: `/organise/${encodeURIComponent(event.slug)}?lang=${language}` }, t('page.console.roster_link')))];
  if (event.status !== 'draft') {
    links.push(h('li', {}, h('a', { href: `/events/${encodeURIComponent(event.slug)}?lang=${language}` }, t('page.console.public_page'))));
  }
  return h(
    'li',
    { class: 'console-event', 'data-slug': event.slug, 'data-status': event.status },
    h('h3', { dir: 'auto' }, h('a', { href: link }, event.title)),
    h(
      'p',
      { class: 'event-state' },
      h('span', { class: `badge badge-${event.status}` }, t(`page.console.status.${event.status}`)),
      ' ',
      t(`page.console.registration.${event.registration_state}`),
    ),
    h('p', {}, when),
    figures,
    h('ul', { class: 'event-links' }, links),
  );
}

function showSignIn() {
  signedIn.hidden = true;
  signInSection.hidden = false;
  status.textContent = '';
}

function showEvents(me) {
  signInSection.hidden = true;
  signedIn.hidden = false;
  byId('signed-in-as').textContent = t('page.console.signed_in_as', { email: ltr(me.email) });
  byId('new-event').hidden = !me.all_events;
  // Drafts first (work to do), then published, then cancelled; newest first within each.
  const order = { draft: 0, published: 1, cancelled: 2 };
  const events = [...me.events].sort((a, b) => order[a.status] - order[b.status]);
  byId('event-list').replaceChildren(...events.map(eventItem));
  byId('no-events').hidden = events.length > 0;
  status.textContent = t('page.console.events_count', { count: events.length });
}

async function load() {
  say(failure, '');
  try {
    const me = await whoAmI();
    if (me) showEvents(me);
    else showSignIn();
  } catch (error) {
    status.textContent = '';
    say(failure, problemText(error));
  }
}

signInForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  clearFieldErrors(signInForm);
  sent.textContent = '';
  say(failure, '');
  const email = signInForm.elements.email.value.trim();
  try {
    await requestSignInLink(email, language);
    sent.textContent = t('page.console.link_sent', { email: ltr(email) });
    sent.focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && showFieldErrors(signInForm, null, error.problem?.errors)) return;
    say(failure, error.status === 429 ? t('page.console.too_many_links') : problemText(error));
  }
});

byId('sign-out').addEventListener('click', async () => {
  say(failure, '');
  try {
    await signOut();
  } catch (error) {
    say(failure, problemText(error));
    return;
  }
  byId('event-list').replaceChildren();
  showSignIn();
  sent.textContent = t('page.console.signed_out');
  signInForm.elements.email.focus();
});

load();
