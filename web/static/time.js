// Times as people read them, in the words of the shared catalogue (the same "date.format" the
// e-mails use, so a page and an e-mail read alike). The zoned objects come from the API:
// {"local": "2021-09-11T02:00:00", "offset": "+13:00", "abbreviation": "+13", "zone": "Pacific/Apia"}.
import { t } from './i18n.js';

// A left-to-right isolate: "(Asia/Kathmandu, UTC+05:45)" stays one left-to-right unit inside
// Arabic text instead of having its parentheses and comma reordered.
const leftToRight = (text) => `\u2066${text}\u2069`;

const datePart = (local) => local.slice(0, 10);
const clockPart = (local) => local.slice(11, 16);

// Mirrors Catalogue::date_time on the server: "Saturday 11 September 2021, 02:00".
export function dateTime(local) {
  const [year, month, day] = datePart(local).split('-').map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return t('date.format', {
    weekday: t(`date.weekday.${weekday}`),
    day,
    month: t(`date.month.${month}`),
    year,
    time: clockPart(local),
  });
}

// The date alone, "Saturday 11 September 2021": the catalogue's format without its time.
export function dateText(local) {
  return dateTime(local).replace(/,?\s*\d{2}:\d{2}$/, '');
}

const zoneSuffix = (zoned) => leftToRight(`(${zoned.zone}, UTC${zoned.offset})`);

// "Saturday 11 September 2021, 02:00 – 04:00 (Pacific/Apia, UTC+13:00)"; the end gets its own date
// when it falls on another day.
export function spanText({ starts, ends }) {
  const end = datePart(ends.local) === datePart(starts.local) ? clockPart(ends.local) : dateTime(ends.local);
  return `${dateTime(starts.local)} – ${end} ${zoneSuffix(starts)}`;
}

export function momentText(zoned) {
  return `${dateTime(zoned.local)} ${zoneSuffix(zoned)}`;
}

// Whole days from the date of `other` to the date of `zoned` (1: the next day).
export function daysApart(zoned, other) {
  const day = (local) => Date.parse(`${datePart(local)}T00:00:00Z`) / 86400000;
  return day(zoned.local) - day(other.local);
}
