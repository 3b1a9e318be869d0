// The sessions of an event in the console: the list (in the event's zone and the organiser's), and
// one editor to add or move a session. The start is typed as a wall time in the session's zone; a
// preview shows it in the organiser's zone and in the zones most registrants are in. A wall time
// that the zone skips or repeats is explained (which hour, both readings) and the organiser picks
// one. Moving a session asks first, saying how many registrants get an updated invitation.
import { api, ApiError, problemText } from './api.js';
import { clearErrors, showErrors } from './console-form.js';
import { itemConfirmStep } from './confirm-step.js';
import { byId, h, say } from './dom.js';
import { t } from './i18n.js';
import { dateText, dateTime, momentText, spanText } from './time.js';

const MOST_ZONES = 3;

// ---- wall times --------------------------------------------------------------------------------

// "-05:00" (or "+05:45", "+00:00:00") in minutes.
function offsetMinutes(offset) {
  const match = /^([+-])(\d{2}):(\d{2})/.exec(offset);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

// The wall time ("2030-03-10T03:00:00") that an instant shows at an offset.
function wallAt(instant, offset) {
  const shifted = new Date(Date.parse(instant) + offsetMinutes(offset) * 60_000);
  return shifted.toISOString().slice(0, 19);
}

const clock = (local) => local.slice(11, 16);
const utc = (offset) => `\u2066UTC${offset}\u2069`;

// The words for a wall time the zone skips or shows twice, from the API's `wall_time` details:
// {kind, transition, offset_before/after or offset_first/second, earlier, later}.
export function wallTimeWords(details, local, zone) {
  const typed = clock(local);
  if (details.kind === 'skipped') {
    const from = wallAt(details.transition, details.offset_before);
    const to = wallAt(details.transition, details.offset_after);
    return {
      explanation: t('page.console.gap', {
        date: dateText(to),
        zone: `\u2066${zone}\u2069`,
        from: clock(from),
        to: clock(to),
        offset_before: utc(details.offset_before),
        offset_after: utc(details.offset_after),
        time: typed,
      }),
      earlier: t('page.console.gap_earlier', { time: clock(wallAt(details.earlier, details.offset_before)), offset: utc(details.offset_before) }),
      later: t('page.console.gap_later', { time: clock(wallAt(details.later, details.offset_after)), offset: utc(details.offset_after) }),
    };
  }
  const from = wallAt(details.transition, details.offset_first);
  const to = wallAt(details.transition, details.offset_second);
  return {
    explanation: t('page.console.overlap', {
      date: dateText(to),
      zone: `\u2066${zone}\u2069`,
      from: clock(from),
      to: clock(to),
      offset_first: utc(details.offset_first),
      offset_second: utc(details.offset_second),
      time: typed,
    }),
    earlier: t('page.console.overlap_first', { time: typed, offset: utc(details.offset_first) }),
    later: t('page.console.overlap_second', { time: typed, offset: utc(details.offset_second) }),
  };
}

// ---- the list and the editor -------------------------------------------------------------------

export function createSessions({ eventPath, organiserZone, current, refresh }) {
  const list = byId('session-list');
  const status = byId('sessions-status');
  const editor = byId('session-editor');
  const form = byId('session-form');
  const problems = byId('session-problems');
  const preview = byId('session-preview');
  const wallTime = byId('wall-time');
  const moveConfirm = byId('move-confirm');
  const addButton = byId('add-session');
  let editing = null; // null: adding; else the session being moved
  let explained = null; // {local, zone}: the wall time whose readings are offered
  let lastPreview = null; // the start as the last preview read it, in the session's zone
  let timer = null;

  const field = (name) => form.elements[name];
  const chosenReading = () => form.querySelector('input[name="disambiguation"]:checked')?.value || null;

  // The zones most registrants are in, with their counts, leaving out the ones already shown.
  function registrantZones(shown) {
    const { stats } = current();
    return Object.entries(stats?.by_timezone || {})
      .filter(([zone]) => !shown.includes(zone))
      .sort((a, b) => b[1] - a[1])
      .slice(0, MOST_ZONES);
  }

  function hideReadings() {
    wallTime.hidden = true;
    explained = null;
    for (const radio of form.querySelectorAll('input[name="disambiguation"]')) radio.checked = false;
  }

  function showReadings(details, local, zone) {
    const words = wallTimeWords(details, local, zone);
    byId('wall-time-explanation').textContent = words.explanation;
    byId('reading-earlier-label').textContent = words.earlier;
    byId('reading-later-label').textContent = words.later;
    if (!explained || explained.local !== local || explained.zone !== zone) {
      for (const radio of form.querySelectorAll('input[name="disambiguation"]')) radio.checked = false;
    }
    explained = { local, zone };
    wallTime.hidden = false;
  }

  async function updatePreview() {
    const zone = field('timezone').value.trim();
    const local = field('starts_local').value;
    lastPreview = null;
    if (!zone || !local) {
      preview.replaceChildren(h('li', {}, t('page.console.preview_empty')));
      hideReadings();
      return;
    }
    if (explained && (explained.local !== local || explained.zone !== zone)) hideReadings();
    const targets = [organiserZone, ...registrantZones([organiserZone, zone]).map(([name]) => name)];
    const query = new URLSearchParams({ at: local, from: zone, disambiguation: chosenReading() || 'reject' });
    for (const target of targets) query.append('to', target);
    try {
      const converted = await api(`/api/v1/time/convert?${query}`);
      if (field('timezone').value.trim() !== zone || field('starts_local').value !== local) return; // typed on since
      lastPreview = converted.from;
      const counts = Object.fromEntries(registrantZones([organiserZone, zone]));
      preview.replaceChildren(
        h('li', {}, h('span', { class: 'time-label' }, t('page.console.preview_session_zone'), ' '), momentText(converted.from)),
        ...converted.to.map((zoned, index) =>
          h(
            'li',
            {},
            h(
              'span',
              { class: 'time-label' },
              index === 0 ? t('page.console.preview_yours') : t('page.console.preview_registrants', { count: counts[zoned.zone] ?? 0 }),
              ' ',
            ),
            momentText(zoned),
          ),
        ),
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 422 && error.problem?.wall_time) {
        showReadings(error.problem.wall_time, local, zone);
        preview.replaceChildren(h('li', {}, t('page.console.preview_choose')));
      } else if (error.status === 422) {
        preview.replaceChildren(h('li', {}, t('page.console.preview_unknown_zone')));
      } else {
        preview.replaceChildren(h('li', {}, problemText(error)));
      }
    }
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(updatePreview, 250);
  }

  function open(session = null) {
    const { event } = current();
    editing = session;
    clearErrors(form, problems);
    hideReadings();
    moveConfirm.hidden = true;
    byId('session-buttons').hidden = false;
    field('title').value = session ? session.title : '';
    field('timezone').value = session ? session.timezone : event.timezone;
    field('starts_local').value = session ? session.starts_local.slice(0, 16) : '';
    field('duration_minutes').value = String(session ? session.duration_minutes : 60);
    byId('session-editor-heading').textContent = session ? t('page.console.move_heading', { title: session.title }) : t('page.console.add_heading');
    byId('session-save').textContent = session ? t('page.console.move') : t('page.console.add');
    editor.hidden = false;
    addButton.hidden = true;
    byId('session-editor-heading').focus();
    updatePreview();
  }

  function close() {
    editor.hidden = true;
    addButton.hidden = false;
    editing = null;
    hideReadings();
  }

  function readSession() {
    const duration = field('duration_minutes').value.trim();
    const body = {
      timezone: field('timezone').value.trim(),
      starts_local: field('starts_local').value,
      duration_minutes: /^\d+$/.test(duration) ? Number(duration) : duration,
      disambiguation: chosenReading() || 'reject',
    };
    const title = field('title').value.trim();
    if (title || editing) body.title = title;
    if (!body.starts_local) delete body.starts_local; // the API says it is required
    return body;
  }

  const timeChanged = (body) =>
    !editing ||
    body.timezone !== editing.timezone ||
    body.starts_local !== editing.starts_local.slice(0, 16) ||
    body.duration_minutes !== editing.duration_minutes;

  async function send(body) {
    clearErrors(form, problems);
    const path = editing ? `${eventPath()}/sessions/${editing.id}` : `${eventPath()}/sessions`;
    try {
      const saved = await api(path, { method: editing ? 'PATCH' : 'POST', body });
      const moved = Boolean(editing);
      const { stats } = current();
      close();
      await refresh();
      status.textContent = moved
        ? t('page.console.session_moved', { title: saved.title, time: spanText(saved.event_time), count: stats?.active ?? 0 })
        : t('page.console.session_added', { title: saved.title, time: spanText(saved.event_time) });
      byId('sessions-heading').focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      moveConfirm.hidden = true;
      byId('session-buttons').hidden = false;
      const details = error.problem?.wall_time;
      if (details) showReadings(details, body.starts_local, body.timezone);
      const words = details ? { starts_local: () => t('page.console.choose_reading') } : {};
      if (error.status === 422 && showErrors(form, problems, error.problem?.errors, words)) return;
      say(problems, problemText(error));
      problems.focus();
    }
  }

  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    const body = readSession();
    if (!editing || !timeChanged(body)) {
      await send(body);
      return;
    }
    // Moving tells every registrant: say how many, and where the session goes, before doing it.
    await updatePreview();
    const { stats } = current();
    const where = lastPreview ? momentText(lastPreview) : `${body.starts_local} (${body.timezone})`;
    byId('move-question').textContent = t('page.console.move_confirm', { title: editing.title, time: where, count: stats?.active ?? 0 });
    byId('session-buttons').hidden = true;
    moveConfirm.hidden = false;
    byId('move-question').focus();
  });
  byId('move-yes').addEventListener('click', async () => {
    byId('move-yes').disabled = true;
    try {
      await send(readSession());
    } finally {
      byId('move-yes').disabled = false;
    }
  });
  byId('move-no').addEventListener('click', () => {
    moveConfirm.hidden = true;
    byId('session-buttons').hidden = false;
    byId('session-save').focus();
  });
  byId('session-close').addEventListener('click', () => {
    close();
    addButton.focus();
  });
  addButton.addEventListener('click', () => open());
  for (const name of ['timezone', 'starts_local']) {
    field(name).addEventListener('input', schedulePreview);
    field(name).addEventListener('change', schedulePreview);
  }
  for (const radio of form.querySelectorAll('input[name="disambiguation"]')) radio.addEventListener('change', updatePreview);

  function sessionItem(session) {
    const { event, stats } = current();
    const titleId = `session-${session.id}-title`;
    const cancelled = session.status === 'cancelled';
    const lines = [
      h('p', { class: 'event-time' }, h('span', { class: 'time-label' }, t('page.time.event'), ' '), spanText(session.event_time)),
    ];
    if (session.viewer_time.starts.zone !== session.event_time.starts.zone) {
      lines.push(h('p', { class: 'viewer-time' }, h('span', { class: 'time-label' }, t('page.time.yours'), ' '), spanText(session.viewer_time)));
    }
    if (session.timezone !== event.timezone) {
      lines.push(h('p', {}, t('page.console.typed_in', { time: dateTime(session.starts_local), zone: `\u2066${session.timezone}\u2069` })));
    }
    const item = h(
      'li',
      { class: 'session', 'data-session': session.id, 'data-cancelled': cancelled },
      h('h3', { id: titleId, tabindex: -1 }, session.title),
      cancelled ? h('p', { class: 'cancelled-note' }, t('page.time.cancelled')) : null,
      lines,
    );
    if (cancelled || event.status === 'cancelled') return item;
    const move = h('button', { type: 'button', 'aria-describedby': titleId }, t('page.console.move_session'));
    move.addEventListener('click', () => open(session));
    const { start, panel } = itemConfirmStep({
      startText: t('page.console.cancel_session'),
      questionText: t('page.console.cancel_session_confirm', { title: session.title, count: stats?.active ?? 0 }),
      yesText: t('page.console.cancel_session_yes'),
      noText: t('page.console.go_back'),
      describedBy: titleId,
      action: async () => {
        say(problems, '');
        try {
          await api(`${eventPath()}/sessions/${session.id}`, { method: 'DELETE' });
        } catch (error) {
          status.textContent = problemText(error);
          return;
        }
        await refresh();
        status.textContent = t('page.console.session_cancelled', { title: session.title, count: stats?.active ?? 0 });
        byId('sessions-heading').focus();
      },
    });
    item.append(h('div', { class: 'button-row' }, move, start), panel);
    return item;
  }

  function render() {
    const { event } = current();
    list.replaceChildren(...event.sessions.map(sessionItem));
    byId('no-sessions').hidden = event.sessions.length > 0;
    addButton.hidden = !editor.hidden || event.status === 'cancelled';
    const zones = registrantZones([]);
    byId('sessions-zones').textContent = zones.length
      ? t('page.console.registrant_zones', { zones: zones.map(([zone, count]) => `\u2066${zone}\u2069 (${count})`).join(', ') })
      : t('page.console.registrant_zones_none');
  }

  return { render };
}
