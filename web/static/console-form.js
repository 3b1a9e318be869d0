// What the console's forms share: the API's 422 errors next to their fields (groups of checkboxes
// and radio buttons included) with a summary that links to each, wall times typed in a zone turned
// into instants and back by the server's tz database, and small readings of what was typed.
import { api, ApiError } from './api.js';
import { h, say } from './dom.js';
import { hasText, t } from './i18n.js';

// The six languages by their own names, in the order the API falls back through them.
export const LANGUAGE_NAMES = { en: 'English', fr: 'Français', es: 'Español', ar: 'العربية', zh: '中文', ru: 'Русский' };

export function clearErrors(form, summary = null) {
  for (const slot of form.querySelectorAll('.field-error')) say(slot, '');
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  if (summary) say(summary, '');
}

// One message for every language and position: "translations.fr.subject" reads as
// "translations.subject", "questions[2].options[0].label.fr" as "questions.options.label".
const messageKey = (field) =>
  `page.console.error.${field
    .replace(/^translations\.[a-z]+\./, 'translations.')
    .replace(/\[\d+\]/g, '')
    .replace(/\.(label|help)\.[a-z]+$/, '.$1')}`;

// The page's own words for a field in the page's language where it has them (the API's messages are
// English), else the API's message.
export function fieldMessage({ field, message }) {
  const key = messageKey(field);
  return hasText(key) ? t(key) : message;
}

// The element a field's error belongs to (the first of a group) and the slot the error goes in.
function placeOf(form, field) {
  const named = form.elements.namedItem(field);
  const input = named instanceof RadioNodeList ? named[0] : named;
  if (!input) return null;
  const slot = document.getElementById(`${input.id}-error`) || document.getElementById(`${field}-error`);
  return slot ? { input, slot } : null;
}

// `errors` as the API gives them: [{field, message}], shown in the order of the form. Errors that
// name no field of this form go into the summary as plain sentences. `words` may give a field a
// message of its own (a function of the error). Returns true when anything was shown.
export function showErrors(form, summary, errors = [], words = {}) {
  const shown = [];
  const loose = [];
  const order = Array.from(form.elements);
  for (const error of errors) {
    const place = placeOf(form, error.field);
    const text = words[error.field]?.(error) ?? fieldMessage(error);
    if (!place) {
      loose.push(text);
      continue;
    }
    say(place.slot, text);
    place.input.setAttribute('aria-invalid', 'true');
    shown.push({ ...place, text });
  }
  shown.sort((a, b) => order.indexOf(a.input) - order.indexOf(b.input));
  if (shown.length === 0 && loose.length === 0) return false;
  const items = [
    ...shown.map(({ input, text }) => h('li', {}, h('a', { href: `#${input.id}` }, text))),
    ...loose.map((text) => h('li', {}, text)),
  ];
  summary.replaceChildren(h('p', {}, t('page.form.fix')), h('ul', {}, items));
  summary.hidden = false;
  summary.focus();
  return true;
}

// The instant of a wall time ("2030-03-10T10:00") in a zone, as the server reads it; times an hour
// the zone skips or repeats are read as calendars read them (compatible). null when it cannot be read.
export async function wallToInstant(local, zone) {
  const query = new URLSearchParams({ at: local, from: zone, disambiguation: 'compatible' });
  try {
    return (await api(`/api/v1/time/convert?${query}`)).instant;
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) return null;
    throw error;
  }
}

// The wall time ("2030-03-10T10:00", as <input type="datetime-local"> takes it) of an instant in a zone.
export async function instantToWall(instant, zone) {
  const query = new URLSearchParams({ at: instant, to: zone });
  const { to } = await api(`/api/v1/time/convert?${query}`);
  return to[0].local.slice(0, 16);
}

// The description as the event page shows it: paragraphs at blank lines, line breaks kept; web
// addresses become links, as they do there (convene::paragraphs_html).
export function descriptionPreview(text) {
  return text
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim())
    .map((paragraph) => {
      const parts = [];
      paragraph.split('\n').forEach((line, index) => {
        if (index > 0) parts.push(h('br'));
        // As the server does: an address starts a word and leaves out the punctuation that ends a sentence.
        let rest = line;
        for (let match; (match = /(^|[^A-Za-z0-9])(https?:\/\/[^\s<>"]*?)([.,;:!?)']*)(?=[\s<>"]|$)/.exec(rest)); ) {
          const [whole, before, address, after] = match;
          const head = rest.slice(0, match.index) + before;
          if (head) parts.push(head);
          if (/^https?:\/\/.+/.test(address)) parts.push(h('a', { href: address, rel: 'noopener noreferrer', target: '_blank' }, address));
          else parts.push(address);
          if (after) parts.push(after);
          rest = rest.slice(match.index + whole.length);
        }
        if (rest) parts.push(rest);
      });
      return h('p', {}, parts);
    });
}

// "P1D, PT1H" read aloud: "1 day, 1 hour before each session". Durations it cannot read are left to
// the server, which names the field.
export function remindersReading(text) {
  const items = text.split(/[\s,;]+/).filter(Boolean);
  if (items.length === 0) return t('page.console.reminders_none');
  const units = { W: 'weeks', D: 'days', H: 'hours', M: 'minutes', S: 'seconds' };
  const read = items.map((item) => {
    const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(item.toUpperCase());
    if (!match || item.toUpperCase() === 'P' || item.toUpperCase().endsWith('T')) return null;
    const parts = [];
    ['W', 'D', 'H', 'M', 'S'].forEach((unit, index) => {
      const count = Number(match[index + 1] || 0);
      if (count) parts.push(t(`page.console.unit.${units[unit]}`, { count }));
    });
    return parts.join(' ');
  });
  if (read.some((part) => !part)) return '';
  return t('page.console.reminders_reading', { list: read.join(', ') });
}
