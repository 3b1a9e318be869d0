// The API's 422 errors shown next to their fields (each field names its error element, "<id>-error",
// in aria-describedby), with a summary at the top of the form that links to each field.
import { h, say } from './dom.js';
import { hasText, t } from './i18n.js';

export function clearFieldErrors(form, summary = null) {
  for (const slot of form.querySelectorAll('.field-error')) say(slot, '');
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  if (summary) say(summary, '');
}

// The message for a field: the page's own words in the page's language where it has them (the
// API's messages are English), else the API's.
function fieldMessage({ field, message }) {
  const key = `page.error.field.${field}`;
  return hasText(key) ? t(key) : message;
}

// `errors` as the API gives them: [{field, message}]. Without a summary (a form of one field), focus
// goes to the first field in error. Returns false when none names a field of this form, so the
// caller can say something else.
export function showFieldErrors(form, summary, errors = []) {
  const byField = new Map(errors.map((error) => [error.field, error]));
  const shown = [];
  // In the order of the form, whatever the order of the answer.
  for (const input of form.elements) {
    const error = byField.get(input.name);
    // A group of radios or checkboxes shares one slot (data-error), and its error is shown once.
    const slot = error && document.getElementById(input.dataset.error ?? `${input.id}-error`);
    if (!slot) continue;
    byField.delete(input.name);
    const text = fieldMessage(error);
    say(slot, text);
    input.setAttribute('aria-invalid', 'true');
    shown.push({ input, text });
  }
  if (shown.length === 0) return false;
  if (!summary) {
    shown[0].input.focus();
    return true;
  }
  const links = shown.map(({ input, text }) => h('li', {}, h('a', { href: `#${input.id}` }, text)));
  summary.replaceChildren(h('p', {}, t('page.form.fix')), h('ul', {}, links));
  summary.hidden = false;
  summary.focus();
  return true;
}
