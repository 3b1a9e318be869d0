// The attendee's page, /r/{manage_token}: the registration with its times in the attendee's zone;
// change of zone or language, cancellation, the invite again, erasure of their data.
import { api, ApiError, problemText } from './api.js';
import { confirmStep } from './confirm-step.js';
import { byId, h, say } from './dom.js';
import { answerErrors, readAnswers, setUpAnswers } from './answers.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { language, t } from './i18n.js';
import './languages.js';
import { sessionItems } from './session-times.js';
import { offerZoneList } from './zones.js';

// The token is the last part of the address; it never leaves this page except to its own API.
const token = decodeURIComponent(location.pathname.split('/').pop());
const path = `/api/v1/registrations/${encodeURIComponent(token)}`;

const pageStatus = byId('manage-status');
const actionError = byId('action-error');
const settingsStatus = byId('settings-status');
const zoneForm = byId('zone-form');
const languageForm = byId('language-form');
const answersForm = byId('answers-form');

const ended = (status) => status === 'cancelled' || status === 'rejected';

function render(registration) {
  const eventLink = byId('event-link');
  eventLink.href = `/events/${encodeURIComponent(registration.event)}?lang=${language}`;
  eventLink.textContent = registration.event_title;
  byId('status').textContent = t(`page.status.${registration.status}`);
  byId('detail-name').textContent = registration.name;
  byId('detail-email').textContent = registration.email;
  byId('detail-organisation').textContent = registration.organisation || '—';
  byId('sessions').replaceChildren(...sessionItems(registration.sessions));
  byId('invite-link').href = `${path}/invite.ics`;
  zoneForm.elements.timezone.value = registration.timezone;
  languageForm.elements.language.value = registration.language;
  byId('cancel-section').hidden = ended(registration.status);
}

// Said once cancelled: where to register again, should it have been a mistake.
function showCancelled(registration) {
  const note = byId('cancelled-note');
  const again = h('a', { href: `/events/${encodeURIComponent(registration.event)}?lang=${language}` }, t('page.manage.register_again'));
  note.replaceChildren(t('page.manage.cancelled'), ' ', again);
  return note;
}

async function load() {
  try {
    const registration = await api(path);
    render(registration);
    pageStatus.textContent = '';
    byId('registration').hidden = false;
    if (registration.status === 'cancelled') showCancelled(registration);
  } catch (error) {
    pageStatus.textContent = error.status === 404 ? t('page.manage.not_found') : problemText(error);
  }
}

// PATCH one setting; the answer is the whole registration, shown again.
async function change(form, body) {
  clearFieldErrors(form);
  settingsStatus.textContent = '';
  say(actionError, '');
  try {
    const registration = await api(path, { method: 'PATCH', body });
    render(registration);
    return registration;
  } catch (error) {
    const atFields = error instanceof ApiError && (error.status === 422 || error.type === 'option-full');
    if (!(atFields && showFieldErrors(form, null, answerErrors(error.problem)))) say(actionError, problemText(error));
    return null;
  }
}

setUpAnswers(answersForm);
answersForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  if (await change(answersForm, { answers: readAnswers(answersForm) })) say(byId('answers-status'), t('page.manage.answers_saved'));
});

zoneForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  if (await change(zoneForm, { timezone: zoneForm.elements.timezone.value.trim() })) {
    settingsStatus.textContent = t('page.manage.saved');
  }
});

languageForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  const registration = await change(languageForm, { language: languageForm.elements.language.value });
  if (!registration) return;
  // The attendee chose a language: the page follows it.
  if (registration.language !== language) location.search = `?lang=${registration.language}`;
  else settingsStatus.textContent = t('page.manage.saved');
});

confirmStep({
  start: byId('cancel-start'),
  panel: byId('cancel-confirm'),
  question: byId('cancel-question'),
  yes: byId('cancel-yes'),
  no: byId('cancel-no'),
  action: async () => {
    say(actionError, '');
    try {
      const registration = await api(path, { method: 'DELETE' });
      render(registration);
      showCancelled(registration).focus(); // the section that had focus is gone
    } catch (error) {
      say(actionError, error.type === 'registration-rejected' ? t('page.manage.declined') : problemText(error));
    }
  },
});

confirmStep({
  start: byId('erase-start'),
  panel: byId('erase-confirm'),
  question: byId('erase-question'),
  yes: byId('erase-yes'),
  no: byId('erase-no'),
  action: async () => {
    say(actionError, '');
    try {
      await api(`${path}/erase`, { method: 'POST' });
      byId('registration').hidden = true;
      pageStatus.textContent = t('page.manage.erased');
      pageStatus.focus();
    } catch (error) {
      say(actionError, problemText(error));
    }
  },
});

offerZoneList(byId('zone-list'), [zoneForm.elements.timezone]);
load();
