// The event's own questions, as the server rendered them into a form ("answers.<key>" fields): their
// answers read for the API, country lists filled, and the API's answer errors in the page's words.
import { addCountryOptions, countryName } from './countries.js';
import { language, t } from './i18n.js';

const PREFIX = 'answers.';

// The answers the form holds, by question key, as the API takes them (blank ones left out).
export function readAnswers(form) {
  const answers = {};
  for (const group of form.querySelectorAll('[data-question]')) {
    const key = group.dataset.question;
    const inputs = [...group.querySelectorAll(`[name="${PREFIX}${key}"]`)];
    const kind = inputs[0]?.type;
    let value;
    if (kind === 'checkbox') {
      value = inputs.filter((input) => input.checked).map((input) => input.value);
      if (value.length === 0) value = undefined;
    } else if (kind === 'radio') {
      const chosen = inputs.find((input) => input.checked)?.value;
      // A yes/no question answers true or false; a choice, its option's key.
      value = group.querySelector(`#answer-${key}-yes`) ? (chosen === undefined ? undefined : chosen === 'yes') : chosen;
    } else if (kind === 'number') {
      value = inputs[0].value === '' ? undefined : Number(inputs[0].value);
    } else {
      value = inputs[0].value.trim() || undefined;
    }
    if (value !== undefined) answers[key] = value;
  }
  return answers;
}

// Country questions get the same list as the country field, with the stored answer chosen.
export function setUpAnswers(form) {
  for (const select of form.querySelectorAll('select[data-countries]')) {
    addCountryOptions(select);
    if (select.dataset.value) select.value = select.dataset.value;
  }
}

// The page's words for the answer errors a registrant can fix; other messages stay the API's.
export function answerErrors(problem) {
  return (problem?.errors ?? []).map((error) => {
    if (!error.field.startsWith(PREFIX)) return error;
    if (problem.type?.endsWith('/option-full')) return { ...error, message: t('page.error.option_full') };
    if (error.message === 'is required') return { ...error, message: t('page.error.answer_required') };
    return error;
  });
}

// A question's text in the page's language, as the server reads it: else English, else the first of
// the six that it has.
const SIX = ['en', 'fr', 'es', 'ar', 'zh', 'ru'];
export function localised(texts = {}) {
  return texts[language] ?? texts.en ?? texts[SIX.find((code) => code in texts)] ?? '';
}

// A registrant's answer as a person reads it: option labels, yes / no, countries by name.
export function answerText(question, answer) {
  const option = (key) => localised(question.options?.find((o) => o.key === key)?.label) || key;
  if (Array.isArray(answer)) return answer.map(option).join('; ');
  if (typeof answer === 'boolean') return t(answer ? 'page.form.yes' : 'page.form.no');
  if (question.type === 'one_choice') return option(answer);
  if (question.type === 'country') return countryName(answer);
  return String(answer);
}
