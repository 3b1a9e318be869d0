// The roster: search and filters (attendance among them), paging by next_cursor ("show more"), and the buttons that
// approve, decline and check in registrants (PATCH .../registrations/{id}).
import { answerText, localised } from './answers.js';
import { api, problemText } from './api.js';
import { countryName } from './countries.js';
import { byId, h, say } from './dom.js';
import { language, t } from './i18n.js';
import { authorisation } from './organiser-token.js';

const PAGE_SIZE = 50;
// Join times in the organiser's own zone and the page's language.
const joinedAt = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });

// `token` is a function: the roster outlives a sign-out and a new sign-in.
export function createRoster({ eventPath, token, onChange }) {
  const filters = byId('filters');
  const body = byId('roster').tBodies[0];
  const more = byId('more');
  const count = byId('roster-count');
  const announce = byId('roster-status');
  const failure = byId('console-error');
  let cursor = null;
  let questions = [];

  async function patch(registration, change) {
    return api(`${eventPath}/registrations/${registration.id}`, { method: 'PATCH', body: change, headers: authorisation(token()) });
  }

  // Runs one change, puts the changed row in place of the old one and keeps focus in that row.
  async function act(row, registration, change) {
    say(failure, '');
    announce.textContent = '';
    try {
      const changed = await patch(registration, change);
      const fresh = rowFor(changed);
      row.replaceWith(fresh);
      (fresh.querySelector('button') || fresh.querySelector('th')).focus();
      announce.textContent =
        'checked_in' in change
          ? t(changed.checked_in ? 'page.organise.checked_in' : 'page.organise.not_checked_in', { name: changed.name })
          : t('page.organise.changed', { name: changed.name, status: t(`page.status.${changed.status}`) });
      onChange();
    } catch (error) {
      if (error.type === 'capacity-reached') offerOverride(row, registration);
      else say(failure, problemText(error));
    }
  }

  // No seat is free: the organiser may confirm beyond the capacity, as a second, explicit step.
  function offerOverride(row, registration) {
    const cell = row.querySelector('.actions');
    const button = h('button', { type: 'button', class: 'danger' }, t('page.organise.override'));
    button.addEventListener('click', () => act(row, registration, { status: 'confirmed', override_capacity: true }));
    cell.replaceChildren(h('p', { role: 'alert' }, t('page.organise.full', { name: registration.name })), button);
    button.focus();
  }

  function actionButton(row, registration, label, change) {
    // The row's name cell describes the button: "Approve, José Núñez".
    const button = h('button', { type: 'button', 'aria-describedby': `registrant-${registration.id}` }, label);
    button.addEventListener('click', () => act(row, registration, change));
    return button;
  }

  function rowFor(registration) {
    const row = h('tr', { 'data-id': registration.id });
    const buttons = [];
    if (registration.status === 'pending' || registration.status === 'waitlisted') {
      buttons.push(actionButton(row, registration, t('page.organise.approve'), { status: 'confirmed' }));
      buttons.push(actionButton(row, registration, t('page.organise.reject'), { status: 'rejected' }));
    }
    if (registration.status === 'confirmed') {
      const checkedIn = registration.checked_in;
      buttons.push(
        actionButton(row, registration, t(checkedIn ? 'page.organise.undo_check_in' : 'page.organise.check_in'), {
          checked_in: !checkedIn,
        }),
      );
    }
    row.append(
      h('th', { scope: 'row', id: `registrant-${registration.id}`, tabindex: -1, dir: 'auto' }, registration.name),
      h('td', {}, registration.email),
      h('td', { dir: 'auto' }, registration.organisation || ''),
      h('td', {}, registration.country ? countryName(registration.country) : ''),
      h('td', {}, t(`page.status.${registration.status}`)),
      h('td', {}, t(registration.checked_in ? 'page.organise.yes' : 'page.organise.no')),
      h('td', {}, attendanceText(registration)),
      h('td', { dir: 'auto' }, answersText(registration.answers ?? {})),
      h('td', { class: 'actions' }, buttons),
    );
    return row;
  }

  // Whether a confirmed registrant came: when they first joined through their link, else whether
  // they were checked in. The others were never expected.
  function attendanceText(registration) {
    if (registration.status !== 'confirmed') return '';
    if (registration.first_joined_at) return t('page.organise.joined_at', { time: joinedAt.format(new Date(registration.first_joined_at)) });
    return t(registration.attended ? 'page.organise.yes' : 'page.organise.no');
  }

  // "Type of organisation: Government; Access needs: Captions", in the form's order.
  function answersText(answers) {
    return questions
      .filter((question) => question.key in answers)
      .map((question) => `${localised(question.label)}: ${answerText(question, answers[question.key])}`)
      .join('; ');
  }

  // The event's questions whose answers can be counted become choices of the answer filter, one
  // group per question; a choice's value is "key=answer" (?answers.<key>=<answer>).
  function useQuestions(asked = []) {
    questions = asked;
    const select = filters.elements.answer;
    const groups = asked
      .filter((question) => question.options || question.type === 'yes_no')
      .map((question) => {
        const choices = question.options
          ? question.options.map((option) => [option.key, localised(option.label)])
          : [['yes', t('page.form.yes')], ['no', t('page.form.no')]];
        return h('optgroup', { label: localised(question.label) },
          choices.map(([value, text]) => h('option', { value: `${question.key}=${value}` }, text)));
      });
    select.replaceChildren(select.options[0], ...groups);
    byId('answer-filter-field').hidden = groups.length === 0;
  }

  // The search as submitted: "show more" continues it even if the fields were changed since.
  function searched() {
    const params = new URLSearchParams({ limit: PAGE_SIZE });
    for (const name of ['q', 'status', 'country', 'attendance']) {
      const value = filters.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    const answer = filters.elements.answer.value;
    if (answer) {
      const [key, value] = answer.split('=');
      params.set(`answers.${key}`, value);
    }
    return params;
  }
  let search = searched();

  async function load({ fresh }) {
    say(failure, '');
    if (fresh) {
      search = searched();
      cursor = null;
    }
    const params = new URLSearchParams(search);
    if (cursor) params.set('cursor', cursor);
    try {
      const page = await api(`${eventPath}/registrations?${params}`, { headers: authorisation(token()) });
      if (fresh) body.replaceChildren();
      body.append(...page.items.map(rowFor));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const shown = body.rows.length;
      count.textContent =
        shown === 0 ? t('page.organise.none') : t(cursor ? 'page.organise.shown_more' : 'page.organise.shown', { count: shown });
    } catch (error) {
      say(failure, problemText(error));
    }
  }

  filters.addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    load({ fresh: true });
  });
  more.addEventListener('click', () => load({ fresh: false }));
  return {
    useQuestions,
    reload: () => load({ fresh: true }),
    clear: () => body.replaceChildren(),
  };
}
