// The event's figures (GET .../stats): seats, counts by status (the waiting list among them),
// check-ins, who came, and countries (with how many of their confirmed registrants came).
import { api } from './api.js';
import { countryName } from './countries.js';
import { byId, h } from './dom.js';
import { language, t } from './i18n.js';
import { authorisation } from './organiser-token.js';

const STATUSES = ['confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected'];
const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
const rateText = (rate) => (rate === null || rate === undefined ? '—' : percent.format(rate));

// Throws the ApiError of the call: signing in uses this call to check the token.
export async function showStats(eventPath, token) {
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
}
