// "A time that suits the audience": for each half-hour start of one UTC day, the share of the
// event's registrants whose waking hours hold the whole session (GET .../time-fit). A table, one
// row per start: the start in the organiser's zone and in UTC, the share in words with a shade
// behind it (the shade only repeats the number, so the table reads the same without colour), the
// best starts and the current sessions marked in words, and the zones served worst.
import { api, ApiError, problemText } from './api.js';
import { clearErrors, showErrors } from './console-form.js';
import { byId, h, say } from './dom.js';
import { t } from './i18n.js';
import { dateText } from './time.js';

const SHADES = 4; // shade levels above "fits nobody"
const HALF_HOUR_MS = 30 * 60_000;
const leftToRight = (text) => `\u2066${text}\u2069`;

// The browser's own tz data is enough here: the organiser's zone is the browser's, and the times
// are only shown, never sent.
const clockIn = (instant, zone) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));
const dateIn = (instant, zone) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));

export function createTimeFit({ eventPath, organiserZone, current }) {
  const form = byId('time-fit-form');
  const problems = byId('time-fit-problems');
  const status = byId('time-fit-status');
  const result = byId('time-fit-result');
  let chosen = false; // the organiser asked about a day and length of their own
  let latest = 0; // the last question asked: an older answer arriving late is dropped

  // "15:00", or "01:00 (next day)" when the organiser's date is not the UTC day asked about.
  function yourTime(instant, day) {
    const clock = clockIn(instant, organiserZone);
    const date = dateIn(instant, organiserZone);
    if (date === day) return clock;
    return t(date > day ? 'page.console.fit_next_day' : 'page.console.fit_day_before', { time: clock });
  }

  const shareText = (candidate, people) =>
    t('page.console.fit_share', { percent: Math.round(candidate.share * 100), fit: candidate.fit, people });

  // Words for what stands out in a row: one of the best starts, a session already there.
  function notesByRow(fit) {
    const dayStart = Date.parse(`${fit.date}T00:00:00Z`);
    const notes = fit.candidates.map(() => []);
    const best = new Set(fit.best.map((candidate) => candidate.starts_at));
    fit.candidates.forEach((candidate, index) => {
      if (best.has(candidate.starts_at)) notes[index].push(t('page.console.fit_best'));
    });
    // A session that does not start on the half hour is marked on the half hour it starts in.
    for (const session of fit.current_sessions) {
      const index = Math.floor((Date.parse(session.starts_at) - dayStart) / HALF_HOUR_MS);
      notes[index]?.push(t('page.console.fit_current', { title: session.title, time: yourTime(session.starts_at, fit.date) }));
    }
    return notes;
  }

  function row(candidate, notes, fit) {
    const level = candidate.share === 0 ? 0 : Math.min(SHADES, Math.ceil(candidate.share * SHADES));
    const worst = candidate.worst_served.map((zone) => leftToRight(`${zone.zone} (${zone.people})`)).join(', ');
    return h(
      'tr',
      { class: notes.length ? 'fit-marked' : null },
      // What marks a start goes with it, in its row header: a screen reader says it with every cell.
      h(
        'th',
        { scope: 'row' },
        yourTime(candidate.starts_at, fit.date),
        h('br'),
        h('span', { class: 'hint' }, `${clockIn(candidate.starts_at, 'UTC')} UTC`),
        notes.map((note) => [h('br'), note]),
      ),
      h('td', { class: `fit-share fit-level-${level}` }, shareText(candidate, fit.audience.people)),
      h('td', {}, worst || t('page.console.fit_nobody_left_out')),
    );
  }

  function show(fit) {
    const { people, unplaced } = fit.audience;
    byId('time-fit-audience').textContent = t('page.console.fit_audience', { people, unplaced });
    byId('time-fit-best').textContent = t('page.console.fit_best_list', {
      list: fit.best
        .map((candidate) => `${yourTime(candidate.starts_at, fit.date)} (${clockIn(candidate.starts_at, 'UTC')} UTC): ${shareText(candidate, people)}`)
        .join('; '),
    });
    byId('time-fit-caption').textContent = t('page.console.fit_caption', {
      date: dateText(`${fit.date}T00:00`),
      duration: fit.duration_minutes,
      from: fit.awake.from,
      to: fit.awake.to,
    });
    byId('time-fit-zone').textContent = leftToRight(`(${organiserZone})`);
    const notes = notesByRow(fit);
    byId('time-fit-rows').replaceChildren(...fit.candidates.map((candidate, index) => row(candidate, notes[index], fit)));
    result.hidden = false;
  }

  // The date and length of the first session still scheduled (the day is the UTC day, as the API
  // counts it), else today and an hour.
  function fillDefaults(event) {
    const first = event.sessions.find((session) => session.status === 'scheduled');
    form.elements.date.value = (first?.starts_at ?? new Date().toISOString()).slice(0, 10);
    form.elements.duration_minutes.value = String(first?.duration_minutes ?? 60);
  }

  // The API's names for the two fields are the session form's too: these words are for this form.
  const words = {
    date: () => t('page.console.error.fit_date'),
    duration_minutes: () => t('page.console.error.fit_duration'),
  };

  async function ask({ announce = false } = {}) {
    clearErrors(form, problems);
    status.textContent = '';
    // Without registrants there is no audience to fit; the API would say so with a 422.
    if (!(current().stats?.active > 0)) {
      result.hidden = true;
      status.textContent = t('page.console.fit_no_audience');
      return;
    }
    const query = new URLSearchParams({ date: form.elements.date.value, duration_minutes: form.elements.duration_minutes.value.trim() });
    const asked = ++latest;
    form.setAttribute('aria-busy', 'true');
    try {
      const fit = await api(`${eventPath()}/time-fit?${query}`);
      if (asked !== latest) return;
      show(fit);
      if (announce) status.textContent = t('page.console.fit_shown', { date: dateText(`${fit.date}T00:00`), duration: fit.duration_minutes });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.hidden = true;
      if (!(error.status === 422 && showErrors(form, problems, error.problem?.errors, words))) {
        say(problems, problemText(error));
        problems.focus();
      }
    } finally {
      form.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    chosen = true;
    ask({ announce: true });
  });

  return {
    // Asked again whenever the event changes (a session moved is marked where it now is), for the
    // first session until the organiser chooses a day and length.
    render() {
      if (!chosen) fillDefaults(current().event);
      ask();
    },
  };
}
