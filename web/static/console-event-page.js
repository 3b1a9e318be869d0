// One event in the organiser console, /organise/events/{slug} (and /organise/new, whose slug is
// empty): its fields, with the API's 422 errors next to them; publishing, closing registration
// early and cancelling, each behind a question; its registration questions; its sessions and the
// times that suit its audience; its announcements.
import { api, ApiError, problemText } from './api.js';
import { createAnnouncements } from './console-announcements.js';
import { clearErrors, descriptionPreview, instantToWall, remindersReading, showErrors, wallToInstant } from './console-form.js';
import { createQuestions } from './console-questions.js';
import { whoAmI } from './console-session.js';
import { createSessions } from './console-sessions.js';
import { createTimeFit } from './console-time-fit.js';
import { confirmStep } from './confirm-step.js';
import { byId, say } from './dom.js';
import { language, t } from './i18n.js';
import './languages.js';
import { momentText } from './time.js';
import { browserZone, offerZoneList } from './zones.js';

const main = byId('main');
const form = byId('event-form');
const problems = byId('event-problems');
const pageStatus = byId('page-status');
const pageError = byId('page-error');
const formStatus = byId('event-form-status');
const organiserZone = browserZone();

let slug = main.dataset.slug;
let event = null;
let stats = null;
let loaded = null; // the form as it was filled, to send only what changed

const eventPath = () => `/api/v1/events/${encodeURIComponent(slug)}`;

// Says what changed, in the page's live region (and, for keyboard users, takes focus there when
// the control that had it went away).
function announce(message, { focus = false } = {}) {
  pageStatus.textContent = message;
  if (focus) pageStatus.focus();
}

function fail(error) {
  say(pageError, typeof error === 'string' ? error : problemText(error));
  pageError.focus();
}

// ---- the form ------------------------------------------------------------------------------------

function readForm() {
  const value = (name) => form.elements[name].value;
  return {
    slug: value('slug').trim(),
    title: value('title').trim(),
    description: value('description'),
    timezone: value('timezone').trim(),
    capacity: value('capacity').trim(),
    opens: value('registration_opens_at'),
    closesMode: form.elements.registration_closes.value,
    closes: value('registration_closes_at'),
    approval: form.elements.requires_approval.checked,
    joinUrl: value('join_url').trim(),
    organiserName: value('organiser_name').trim(),
    organiserEmail: value('organiser_email').trim(),
    reminders: value('reminder_offsets').trim(),
    status: value('status'),
  };
}

const offsetsOf = (text) => text.split(/[\s,;]+/).filter(Boolean);
// A whole number goes as a number; anything else as typed, so that the API names the field.
const capacityOf = (text) => (/^\d+$/.test(text) ? Number(text) : text === '' ? null : text);

// The request body: everything on creation, only what changed since the form was filled on a change.
async function bodyFrom(now) {
  const creating = !event;
  const was = loaded || {};
  const changed = (key) => creating || now[key] !== was[key];
  const body = {};
  if (creating) body.slug = now.slug;
  if (changed('title')) body.title = now.title;
  if (changed('description') && (now.description || !creating)) body.description = now.description;
  if (changed('timezone')) body.timezone = now.timezone;
  if (changed('capacity') && (now.capacity || !creating)) body.capacity = capacityOf(now.capacity);
  // Registration times are typed in the event's zone; the API takes instants.
  if (changed('opens') || (now.opens && changed('timezone'))) {
    if (!now.opens) {
      if (!creating) body.registration_opens_at = null;
    } else {
      const instant = await wallToInstant(now.opens, now.timezone);
      if (instant) body.registration_opens_at = instant;
    }
  }
  // The closing rule goes by name; a closing time is typed in the event's zone.
  const closingTimeChanged = now.closesMode === 'at' && (changed('closes') || changed('timezone'));
  if ((creating && now.closesMode !== 'last_session') || (!creating && (changed('closesMode') || closingTimeChanged))) {
    body.registration_closes = now.closesMode;
    if (now.closesMode === 'at') {
      body.registration_closes_at = now.closes ? ((await wallToInstant(now.closes, now.timezone)) ?? now.closes) : null;
    }
  }
  if (changed('approval')) body.requires_approval = now.approval;
  if (changed('joinUrl') && (now.joinUrl || !creating)) body.join_url = now.joinUrl || null;
  if (changed('organiserEmail') && (now.organiserEmail || !creating)) body.organiser_email = now.organiserEmail || null;
  if (changed('organiserName') && (now.organiserName || !creating)) body.organiser_name = now.organiserName || null;
  if (changed('reminders')) body.reminder_offsets = offsetsOf(now.reminders);
  if (creating) body.status = now.status;
  return body;
}

async function fillForm(current) {
  const zone = current.timezone;
  const elements = form.elements;
  elements.slug.value = current.slug;
  elements.title.value = current.title;
  elements.description.value = current.description || '';
  elements.timezone.value = zone;
  elements.capacity.value = String(current.capacity);
  elements.registration_opens_at.value = current.registration_opens_at ? await instantToWall(current.registration_opens_at, zone) : '';
  elements.registration_closes.value = current.registration_closes;
  elements.registration_closes_at.value =
    current.registration_closes === 'at' ? await instantToWall(current.registration_closes_at, zone) : '';
  elements.requires_approval.checked = current.requires_approval;
  elements.join_url.value = current.join_url || '';
  elements.organiser_name.value = current.organiser_name || '';
  elements.organiser_email.value = current.organiser_email || '';
  elements.reminder_offsets.value = current.reminder_offsets.join(', ');
  elements.status.value = current.status === 'cancelled' ? 'draft' : current.status;
  showReadings();
  loaded = readForm();
}

async function zonedIn(instant, zone) {
  const { to } = await api(`/api/v1/time/convert?${new URLSearchParams({ at: instant, to: zone })}`);
  return to[0];
}

function showReadings() {
  byId('description-preview').replaceChildren(...descriptionPreview(form.elements.description.value));
  byId('reminder_offsets-reading').textContent = remindersReading(form.elements.reminder_offsets.value);
  const zone = form.elements.timezone.value.trim();
  byId('window-zone').textContent = zone ? t('page.console.window_zone', { zone }) : '';
}

// Errors the API reports as conflicts belong to a field too.
function conflictErrors(error) {
  if (error.type === 'slug-taken') return [{ field: 'slug', message: t('page.console.slug_taken') }];
  if (error.type === 'capacity-below-confirmed')
    return [{ field: 'capacity', message: t('page.console.capacity_below', { confirmed: error.problem.confirmed }) }];
  return null;
}

const keepMessage = { slug: (e) => e.message, capacity: (e) => e.message };

async function save(submitted) {
  submitted.preventDefault();
  clearErrors(form, problems);
  formStatus.textContent = '';
  say(pageError, '');
  const now = readForm();
  const creating = !event;
  const body = await bodyFrom(now);
  if (!creating && Object.keys(body).length === 0) {
    formStatus.textContent = t('page.console.nothing_changed');
    return;
  }
  const button = byId('event-save');
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    const saved = await api(creating ? '/api/v1/events' : eventPath(), { method: creating ? 'POST' : 'PATCH', body });
    if (creating) {
      slug = saved.slug;
      main.dataset.slug = slug;
      history.replaceState(null, '', `/organise/events/${encodeURIComponent(slug)}?lang=${language}`);
      await loadEvent();
      announce(t(saved.status === 'draft' ? 'page.console.created_draft' : 'page.console.created_published', { title: saved.title }), { focus: true });
    } else {
      await loadEvent();
      formStatus.textContent = t('page.console.saved');
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const errors = error.status === 422 ? error.problem?.errors : conflictErrors(error);
    if (!(errors && showErrors(form, problems, errors, error.status === 409 ? keepMessage : {}))) fail(error);
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

// ---- the overview and its actions ------------------------------------------------------------------

async function registrationText(current) {
  const zone = current.timezone;
  switch (current.registration_state) {
    case 'not_yet_open':
      return t('page.console.registration_opens', { time: momentText(await zonedIn(current.registration_opens_at, zone)) });
    case 'closed':
      return current.status === 'cancelled' || !current.registration_closes_at
        ? t('page.console.registration.closed')
        : t('page.console.registration_closed_on', { time: momentText(await zonedIn(current.registration_closes_at, zone)) });
    default:
      return current.registration_closes_at
        ? t('page.console.registration_open_until', { time: momentText(await zonedIn(current.registration_closes_at, zone)) })
        : t('page.console.registration_open');
  }
}

async function showOverview() {
  byId('overview').hidden = false;
  byId('overview-status').textContent = t(`page.console.status.${event.status}`);
  byId('overview-registration').textContent = await registrationText(event);
  const counts = stats?.by_status || {};
  byId('overview-figures').textContent = ['confirmed', 'waitlisted', 'pending']
    .map((name) => `${t(`page.status.${name}`)}: ${counts[name] ?? 0}`)
    .join(' · ');
  const publicLink = byId('public-link');
  publicLink.href = `/events/${encodeURIComponent(slug)}?lang=${language}`;
  publicLink.parentElement.hidden = event.status === 'draft';
  byId('roster-link').href = `/organise/${encodeURIComponent(slug)}?lang=${language}`;
  byId('publish-action').hidden = event.status !== 'draft';
  byId('unpublish-action').hidden = event.status !== 'published';
  byId('close-action').hidden = event.status !== 'published' || event.registration_state === 'closed';
  byId('cancel-action').hidden = event.status === 'cancelled';
  byId('cancel-question').textContent = t('page.console.cancel_confirm', { count: stats?.active ?? 0 });
}

// One change of the event behind a question; the confirm panel closes and focus comes back to the
// live region that says what happened.
function eventAction(name, change, done) {
  confirmStep({
    start: byId(`${name}-start`),
    panel: byId(`${name}-confirm`),
    question: byId(`${name}-question`),
    yes: byId(`${name}-yes`),
    no: byId(`${name}-no`),
    action: async () => {
      say(pageError, '');
      try {
        await api(eventPath(), { method: 'PATCH', body: change() });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const text = error.problem?.errors?.map((e) => e.message).join(' ');
        fail(error.status === 422 && text ? text : error);
        return;
      }
      byId(`${name}-confirm`).hidden = true;
      byId(`${name}-start`).hidden = false;
      await loadEvent();
      announce(done(), { focus: true });
    },
  });
}

eventAction('publish', () => ({ status: 'published' }), () => t('page.console.published', { title: event.title }));
eventAction('unpublish', () => ({ status: 'draft' }), () => t('page.console.unpublished', { title: event.title }));
eventAction(
  'close',
  () => ({ registration_closes: 'now' }),
  () => t('page.console.registration_closed_now'),
);
eventAction('cancel', () => ({ status: 'cancelled' }), () => t('page.console.cancelled', { count: stats?.active ?? 0 }));

// ---- loading ---------------------------------------------------------------------------------------

const sessions = createSessions({
  eventPath,
  organiserZone,
  current: () => ({ event, stats }),
  refresh: () => loadEvent({ keepForm: true }),
});
const questions = createQuestions({ eventPath });
const timeFit = createTimeFit({ eventPath, organiserZone, current: () => ({ event, stats }) });
const announcements = createAnnouncements({ eventPath, current: () => ({ event, stats }) });

async function loadStats() {
  try {
    stats = await api(`${eventPath()}/stats`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    stats = null;
  }
}

async function loadEvent({ keepForm = false } = {}) {
  const [current] = await Promise.all([api(`${eventPath()}?tz=${encodeURIComponent(organiserZone)}`), loadStats()]);
  event = current;
  document.title = `${event.title} · ${t('page.site_name')}`;
  byId('event-heading').textContent = event.title;
  byId('slug-field').hidden = true;
  byId('status-field').hidden = true;
  byId('event-save').textContent = t('page.console.save');
  if (!keepForm) await fillForm(event);
  await showOverview();
  byId('questions-section').hidden = false;
  byId('sessions-section').hidden = false;
  byId('time-fit-section').hidden = false;
  byId('announcements-section').hidden = false;
  questions.render(event);
  sessions.render();
  timeFit.render();
  announcements.render();
  if (!keepForm) await announcements.load();
}

function startNew(me) {
  if (!me.all_events) {
    fail(t('page.console.cannot_create'));
    return;
  }
  form.elements.timezone.value = organiserZone;
  form.elements.reminder_offsets.value = 'P1D, PT1H';
  form.elements.status.value = 'draft';
  byId('event-save').textContent = t('page.console.create');
  showReadings();
  byId('event-view').hidden = false;
}

async function start() {
  let me;
  try {
    me = await whoAmI();
  } catch (error) {
    pageStatus.textContent = '';
    fail(error);
    return;
  }
  pageStatus.textContent = '';
  if (!me) {
    byId('not-signed-in').hidden = false;
    return;
  }
  if (!slug) {
    startNew(me);
    return;
  }
  try {
    await loadEvent();
    byId('event-view').hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    fail(error.status === 404 || error.status === 403 ? t('page.console.no_event') : error);
  }
}

form.addEventListener('submit', save);
form.elements.description.addEventListener('input', showReadings);
form.elements.reminder_offsets.addEventListener('input', showReadings);
form.elements.timezone.addEventListener('change', showReadings);
// Typing a closing time chooses "at this time".
form.elements.registration_closes_at.addEventListener('input', () => {
  form.elements.registration_closes.value = 'at';
});
offerZoneList(byId('zone-list'), [form.elements.timezone, byId('session-timezone')]);
start();
