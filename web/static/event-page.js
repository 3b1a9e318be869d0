// The event page: the session times in the visitor's zone (detected, and changeable from the list
// of zones), and the registration form.
import { api, problemText } from './api.js';
import { byId, say } from './dom.js';
import { t } from './i18n.js';
import './languages.js';
import { setUpRegistration, useZone } from './register.js';
import { annotateEventTimes, fillViewerTimes } from './session-times.js';
import { browserZone, offerZoneList } from './zones.js';

const event = JSON.parse(byId('event-data').textContent);
const sessionList = document.querySelector('.sessions');
const zoneForm = byId('zone-form');
const zoneInput = byId('viewer-zone');
const zoneError = byId('viewer-zone-error');
const timesStatus = byId('times-status');

// The server converts (its tz database is the one the invites and e-mails use); the event read
// with ?tz= carries every session in that zone. A zone the person typed and the server does not
// know takes them back to the field.
async function showTimesIn(zone, { typed = false } = {}) {
  say(zoneError, '');
  zoneInput.removeAttribute('aria-invalid');
  timesStatus.textContent = '';
  try {
    const current = await api(`/api/v1/events/${encodeURIComponent(event.slug)}?tz=${encodeURIComponent(zone)}`);
    fillViewerTimes(sessionList, current.sessions);
    zoneInput.value = current.viewer_timezone;
    useZone(current.viewer_timezone);
  } catch (error) {
    if (error.status !== 422) {
      timesStatus.textContent = `${t('page.time.failed')} ${problemText(error)}`;
      return;
    }
    say(zoneError, t('page.zone.unknown', { zone }));
    zoneInput.setAttribute('aria-invalid', 'true');
    if (typed) zoneInput.focus();
  }
}

annotateEventTimes(sessionList);
offerZoneList(byId('zone-list'), [zoneInput, byId('timezone')]);
zoneForm.addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  showTimesIn(zoneInput.value.trim(), { typed: true });
});

const zone = browserZone();
zoneInput.value = zone;
setUpRegistration(event, zone);
showTimesIn(zone);
