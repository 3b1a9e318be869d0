// The event's figures (GET .../stats): seats, counts by status (the waiting list among them),
// check-ins, who came, countries (with how many of their confirmed registrants came), and the
// answers to the event's own questions, per option.
import { answerText, localised } from './answers.js';
import { api } from './api.js';
import { countryName } from './countries.js';
import { byId, h } from './dom.js';
import { language, t } from './i18n.js';
import { authorisation } from './organiser-token.js';

const STATUSES = ['confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected'];
const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
const rateText = (rate) => (rate === null || rate === undefined ? '—' : percent.format(rate));

// Active registrants per answer of each counted question (choices, yes/no, countries), in the
// form's order, each answer as people read it.
function answerCounts(questions, byAnswer = {}) {
  return questions
    .filter((question) => byAnswer[question.key])
    .map((question) => {
      const counts = Object.entries(byAnswer[question.key]).map(([value, count]) => {
        const answer = question.type === 'yes_no' ? value === 'yes' : value;
        return h('li', {}, `${answerText(question, answer)}: ${count}`);
      });
      return h('section', { 'aria-label': localised(question.label) }, h('h4', {}, localised(question.label)), h('ul', {}, counts));
    });
}

// Throws the ApiError of the call: signing in uses this call to check the token. `questions` are
// the event's, when the page has read it.
export async function showStats(eventPath, token, questions = []) {
  const stats = await api(`${eventPath}/stats`, { headers: authorisation(token) });
  const figures = [
    [t('page.organise.capacity'), stats.capacity],
    [t('page.organise.seats_left'), stats.seats_left],
    ...STATUSES.map((status) => [t(`page.status.${status}`), stats.by_status?.[status] ?? 0]),
    [t('page.organise.checked_in_count'), stats.checked_in],
    [t('page.organise.attended_count'), stats.attended ?? 0],
    [t('page.organise.attendance_rate'), rateText(stats.attendance_rate)],
    [t('page.organise.overbooked'), stats.overbooked ?? 0],
  ];
  byId('stats').replaceChildren(...figures.map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', {}, String(value)))));
  const countries = Object.entries(stats.by_country || {}).sort((a, b) => b[1] - a[1]);
  // Registrants who gave no country are counted as "unknown".
  const place = (code) => (code === 'unknown' ? t('page.form.country_none') : countryName(code));
  const came = (code) => {
    const figures = stats.attendance_by_country?.[code];
    if (!figures?.attended) return '';
    return ` · ${t('page.organise.country_came', { attended: figures.attended, confirmed: figures.confirmed, rate: rateText(figures.rate) })}`;
  };
  byId('stats-countries').replaceChildren(...countries.map(([code, count]) => h('li', {}, `${place(code)}: ${count}${came(code)}`)));
  const answers = answerCounts(questions, stats.by_answer);
  byId('stats-answers').replaceChildren(...answers);
  byId('stats-answers-heading').hidden = answers.length === 0;
}
