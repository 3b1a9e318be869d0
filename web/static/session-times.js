// Session times: in the viewer's zone (with a note when that falls on another day than in the
// event's zone, as the panel does in Apia) and in the event's zone.
import { h } from './dom.js';
import { t } from './i18n.js';
import { daysApart, spanText } from './time.js';

// The note as a list of zero or one element, to spread into the line.
function dayNote(session) {
  const shift = daysApart(session.viewer_time.starts, session.event_time.starts);
  if (shift === 0) return [];
  return [h('strong', { class: 'day-note' }, ` (${t(shift > 0 ? 'page.time.next_day' : 'page.time.previous_day')})`)];
}

const label = (key) => h('span', { class: 'time-label' }, t(key), ' ');

function viewerTimeParts(session) {
  return [label('page.time.yours'), spanText(session.viewer_time), ...dayNote(session)];
}

const cancelledNote = () => h('p', { class: 'cancelled-note' }, t('page.time.cancelled'));

// The event page: the server rendered each session with its time in the event's zone and an empty,
// hidden line for the viewer's time, which this fills.
export function fillViewerTimes(list, sessions) {
  for (const session of sessions) {
    const line = list.querySelector(`[data-session="${session.id}"] .viewer-time`);
    if (!line) continue;
    line.replaceChildren(...viewerTimeParts(session));
    line.hidden = false;
  }
}

// Labels the server-rendered times in the event's zone, and says which sessions are cancelled.
export function annotateEventTimes(list) {
  for (const line of list.querySelectorAll('.event-time')) line.prepend(label('page.time.event'));
  for (const title of list.querySelectorAll('[data-cancelled] h3')) title.after(cancelledNote());
}

// The attendee's page: the whole list, from the registration's sessions (viewer_time in their zone).
export function sessionItems(sessions) {
  return sessions.map((session) =>
    h(
      'li',
      { class: 'session', 'data-session': session.id, 'data-cancelled': session.status === 'cancelled' },
      h('h3', {}, session.title),
      session.status === 'cancelled' ? cancelledNote() : null,
      h('p', { class: 'viewer-time' }, ...viewerTimeParts(session)),
      h('p', { class: 'event-time' }, label('page.time.event'), spanText(session.event_time)),
    ),
  );
}
