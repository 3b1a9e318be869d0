// The event's own registration questions in the console: the ordered list, each question with its
// key, type, whether it is required, its label and help in the languages the organiser ticks, its
// options (choice types) or bounds (numbers). "Save questions" sends the whole list, as the API takes
// it; the API's 422 errors, named like "questions[2].options[0].key", land next to their fields
// because every input is named by the same path. Keys of saved questions and options stay read-only:
// answers are stored under them. Removed questions are listed read-only: their answers are kept.
import { api, ApiError, problemText } from './api.js';
import { clearErrors, LANGUAGE_NAMES, showErrors } from './console-form.js';
import { byId, h, say } from './dom.js';
import { language as pageLanguage, t } from './i18n.js';

const TYPES = ['short_text', 'long_text', 'one_choice', 'several_choices', 'yes_no', 'country', 'number'];
const LANGUAGES = Object.keys(LANGUAGE_NAMES);
const hasOptions = (type) => type === 'one_choice' || type === 'several_choices';

// A key from an English label, "Type of organisation" → "type_of_organisation", by the API's rule
// (1-40 of a-z, 0-9 and _, starting with a letter). Only a suggestion until the organiser types one.
export function suggestKey(text) {
  const key = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!key) return '';
  return (/^[a-z]/.test(key) ? key : `q_${key}`).slice(0, 40).replace(/_+$/, '');
}

// Numbers go as numbers; anything else as typed, so that the API names the field.
const numberOr = (text) => (text !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

let nextUid = 1; // element ids stay with a question or option when the list is reordered

const fromApiOption = (option) => ({
  uid: nextUid++,
  saved: true,
  key: option.key,
  label: { ...option.label },
  limit: option.limit ? String(option.limit) : '',
});

const newOption = () => ({ uid: nextUid++, saved: false, keyTyped: false, key: '', label: {}, limit: '' });

const fromApi = (question) => ({
  uid: nextUid++,
  saved: true,
  key: question.key,
  type: question.type,
  required: question.required,
  label: { ...question.label },
  help: { ...(question.help || {}) },
  options: (question.options || []).map(fromApiOption),
  min: question.min ?? '',
  max: question.max ?? '',
});

const newQuestion = () => ({
  uid: nextUid++,
  saved: false,
  keyTyped: false,
  key: '',
  type: 'short_text',
  required: false,
  label: {},
  help: {},
  options: [],
  min: '',
  max: '',
});

// A text in the page's language, else English, else the first language it has (as the API reads).
function textIn(texts) {
  return texts[pageLanguage] || texts.en || LANGUAGES.map((code) => texts[code]).find(Boolean) || '';
}

export function createQuestions({ eventPath }) {
  const form = byId('questions-form');
  const problems = byId('questions-problems');
  const status = byId('questions-status');
  const list = byId('question-list');
  let questions = [];
  let languages = [];
  let dirty = false; // edits not saved yet: a reload of the event elsewhere on the page keeps them

  const nameOf = (question) =>
    textIn(question.label) || question.key || t('page.console.question_legend', { number: questions.indexOf(question) + 1 });

  // The languages the texts are typed in: those the saved questions use, else English and the page's.
  function languagesOf(list) {
    const used = new Set();
    for (const question of list) {
      for (const texts of [question.label, question.help, ...question.options.map((option) => option.label)])
        for (const code of Object.keys(texts)) used.add(code);
    }
    if (used.size === 0) used.add('en').add(pageLanguage);
    return LANGUAGES.filter((code) => used.has(code));
  }

  // The texts of the ticked languages that hold something: texts in a language the organiser
  // unticked are left out, as the hint says.
  const textsOf = (texts) =>
    Object.fromEntries(languages.map((code) => [code, (texts[code] || '').trim()]).filter(([, text]) => text));

  function toApi(question) {
    const body = { key: question.key.trim(), type: question.type, required: question.required, label: textsOf(question.label) };
    const help = textsOf(question.help);
    if (Object.keys(help).length) body.help = help;
    if (hasOptions(question.type)) {
      body.options = question.options.map((option) => {
        const item = { key: option.key.trim(), label: textsOf(option.label) };
        if (option.limit.trim()) item.limit = numberOr(option.limit.trim());
        return item;
      });
    }
    if (question.type === 'number') {
      for (const bound of ['min', 'max']) {
        const text = String(question[bound]).trim();
        if (text) body[bound] = numberOr(text);
      }
    }
    return body;
  }

  // ---- building the fields ---------------------------------------------------------------------

  const errorSlot = (id) => h('p', { id: `${id}-error`, class: 'field-error', hidden: true });

  // One labelled input with its hint and error slot; `name` is the API's path of the field.
  function inputField({ id, name, label, value, hint = null, attributes = {}, onInput }) {
    const input = h('input', {
      id,
      name,
      'aria-describedby': [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(' '),
      ...attributes,
    });
    input.value = value;
    input.addEventListener('input', () => {
      dirty = true;
      onInput(input.value);
    });
    const field = h(
      'div',
      { class: 'field' },
      h('label', { for: id, lang: attributes.lang }, label),
      input,
      hint && h('p', { id: `${id}-hint`, class: 'hint' }, hint),
      errorSlot(id),
    );
    return { field, input };
  }

  // A text in each ticked language, grouped: the group carries the name of the whole text
  // ("questions[0].label"), so "give at least one language" lands on it too.
  function textsGroup({ id, name, legend, texts, maxlength, onInput = () => {} }) {
    return h(
      'fieldset',
      { id, name, class: 'texts', 'aria-describedby': `${id}-error` },
      h('legend', {}, legend),
      languages.map(
        (code) =>
          inputField({
            id: `${id}-${code}`,
            name: `${name}.${code}`,
            label: LANGUAGE_NAMES[code],
            value: texts[code] || '',
            attributes: { lang: code, dir: 'auto', maxlength },
            onInput: (value) => {
              texts[code] = value;
              onInput(code, value);
            },
          }).field,
      ),
      errorSlot(id),
    );
  }

  // The key: suggested from the English label until the organiser types one; read-only once saved.
  function keyField(item, id, name) {
    const { field, input } = inputField({
      id,
      name,
      label: t('page.console.question_key'),
      value: item.key,
      hint: t(item.saved ? 'page.console.question_key_saved' : 'page.console.question_key_hint'),
      attributes: { maxlength: 40, autocomplete: 'off', spellcheck: 'false', dir: 'ltr', readonly: item.saved },
      onInput: (value) => {
        item.key = value;
        item.keyTyped = value !== '';
      },
    });
    const suggest = (code, text) => {
      if (code !== 'en' || item.saved || item.keyTyped) return;
      item.key = suggestKey(text);
      input.value = item.key;
    };
    return { field, suggest };
  }

  function optionItem(question, option, index, path) {
    const id = `option-${option.uid}`;
    const name = `${path}.options[${index}]`;
    const key = keyField(option, `${id}-key`, `${name}.key`);
    const legendId = `${id}-legend`;
    const remove = h('button', { type: 'button', 'aria-describedby': legendId }, t('page.console.remove_option'));
    remove.addEventListener('click', () => {
      question.options.splice(question.options.indexOf(option), 1);
      changed();
      status.textContent = t('page.console.option_removed', { option: textIn(option.label) || option.key || index + 1 });
      byId(`question-${question.uid}-add-option`).focus();
    });
    return h(
      'li',
      {},
      h(
        'fieldset',
        { class: 'option' },
        h('legend', { id: legendId }, t('page.console.option_legend', { number: index + 1 })),
        textsGroup({
          id: `${id}-label`,
          name: `${name}.label`,
          legend: t('page.console.question_label'),
          texts: option.label,
          maxlength: 300,
          onInput: key.suggest,
        }),
        key.field,
        inputField({
          id: `${id}-limit`,
          name: `${name}.limit`,
          label: t('page.console.option_limit'),
          value: option.limit,
          hint: t('page.console.option_limit_hint'),
          attributes: { type: 'number', inputmode: 'numeric', min: 1, max: 1000000, step: 1 },
          onInput: (value) => {
            option.limit = value;
          },
        }).field,
        remove,
      ),
    );
  }

  function optionsGroup(question, id, path) {
    const add = h('button', { type: 'button', id: `${id}-add-option` }, t('page.console.add_option'));
    add.addEventListener('click', () => {
      const option = newOption();
      question.options.push(option);
      changed();
      byId(`option-${option.uid}-label-${languages[0]}`).focus();
    });
    return h(
      'fieldset',
      { id: `${id}-options`, name: `${path}.options`, class: 'options', 'aria-describedby': `${id}-options-error` },
      h('legend', {}, t('page.console.question_options')),
      errorSlot(`${id}-options`),
      h('ol', { class: 'option-list' }, question.options.map((option, index) => optionItem(question, option, index, path))),
      add,
    );
  }

  function boundsFields(question, id, path) {
    return ['min', 'max'].map(
      (bound) =>
        inputField({
          id: `${id}-${bound}`,
          name: `${path}.${bound}`,
          label: t(`page.console.question_${bound}`),
          value: String(question[bound]),
          attributes: { type: 'number', step: 'any' },
          onInput: (value) => {
            question[bound] = value;
          },
        }).field,
    );
  }

  function typeField(question, id, path) {
    const select = h(
      'select',
      { id: `${id}-type`, name: `${path}.type`, disabled: question.saved, 'aria-describedby': `${id}-type-hint ${id}-type-error` },
      TYPES.map((type) => h('option', { value: type }, t(`page.console.question_type.${type}`))),
    );
    select.value = question.type;
    select.addEventListener('change', () => {
      question.type = select.value;
      if (hasOptions(question.type) && question.options.length === 0) question.options.push(newOption());
      changed();
      byId(`${id}-type`).focus();
    });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: `${id}-type` }, t('page.console.question_type')),
      select,
      h('p', { id: `${id}-type-hint`, class: 'hint' }, t(question.saved ? 'page.console.question_type_saved' : 'page.console.question_type_hint')),
      errorSlot(`${id}-type`),
    );
  }

  function requiredField(question, id, path) {
    const box = h('input', { type: 'checkbox', id: `${id}-required`, name: `${path}.required`, checked: question.required });
    box.addEventListener('change', () => {
      dirty = true;
      question.required = box.checked;
    });
    return h('div', { class: 'field checkbox' }, box, h('label', { for: `${id}-required` }, t('page.console.question_required')));
  }

  function questionItem(question, index) {
    const id = `question-${question.uid}`;
    const path = `questions[${index}]`;
    const legendId = `${id}-legend`;
    const key = keyField(question, `${id}-key`, `${path}.key`);
    const button = (part, text, onClick, disabled = false) => {
      const element = h('button', { type: 'button', id: `${id}-${part}`, 'aria-describedby': legendId, disabled }, text);
      element.addEventListener('click', onClick);
      return element;
    };
    return h(
      'li',
      { class: 'question', 'data-key': question.key },
      h(
        'fieldset',
        {},
        h('legend', { id: legendId }, t('page.console.question_legend', { number: index + 1 })),
        textsGroup({
          id: `${id}-label`,
          name: `${path}.label`,
          legend: t('page.console.question_label'),
          texts: question.label,
          maxlength: 300,
          onInput: key.suggest,
        }),
        key.field,
        typeField(question, id, path),
        requiredField(question, id, path),
        textsGroup({ id: `${id}-help`, name: `${path}.help`, legend: t('page.console.question_help'), texts: question.help, maxlength: 1000 }),
        hasOptions(question.type) && optionsGroup(question, id, path),
        question.type === 'number' && boundsFields(question, id, path),
        h(
          'div',
          { class: 'button-row' },
          button('up', t('page.console.move_up'), () => move(question, -1), index === 0),
          button('down', t('page.console.move_down'), () => move(question, 1), index === questions.length - 1),
          button('remove', t('page.console.remove_question'), () => remove(question)),
        ),
      ),
    );
  }

  // ---- changes to the list ---------------------------------------------------------------------

  // The list is drawn again from the questions after any change of its shape (which also clears
  // errors that named positions); callers put focus back where the person was.
  function draw() {
    list.replaceChildren(...questions.map(questionItem));
    byId('no-questions').hidden = questions.length > 0;
  }

  function changed() {
    dirty = true;
    clearErrors(form, problems);
    draw();
  }

  // Focus stays with the question that moved: on the same button, or on the other one once it
  // reaches the end it moved towards.
  function move(question, by) {
    const from = questions.indexOf(question);
    const to = from + by;
    if (to < 0 || to >= questions.length) return;
    questions.splice(from, 1);
    questions.splice(to, 0, question);
    changed();
    const same = byId(`question-${question.uid}-${by < 0 ? 'up' : 'down'}`);
    (same.disabled ? byId(`question-${question.uid}-${by < 0 ? 'down' : 'up'}`) : same).focus();
    status.textContent = t('page.console.question_moved', { question: nameOf(question), position: to + 1, count: questions.length });
  }

  function remove(question) {
    const name = nameOf(question);
    questions.splice(questions.indexOf(question), 1);
    changed();
    status.textContent = t(question.saved ? 'page.console.question_removed_saved' : 'page.console.question_removed', { question: name });
    byId('questions-heading').focus();
  }

  function addQuestion() {
    const question = newQuestion();
    questions.push(question);
    changed();
    status.textContent = t('page.console.question_added', { number: questions.length });
    byId(`question-${question.uid}-label-${languages[0]}`).focus();
  }

  // Ticking a language adds its inputs to every text; at least one stays ticked.
  function chooseLanguages() {
    const ticked = LANGUAGES.filter((code) => byId(`question-language-${code}`).checked);
    if (ticked.length === 0) {
      byId(`question-language-${languages[0]}`).checked = true;
      status.textContent = t('page.console.question_languages_one');
      return;
    }
    languages = ticked;
    changed();
  }

  function showLanguages() {
    for (const code of LANGUAGES) byId(`question-language-${code}`).checked = languages.includes(code);
  }

  function showRetired(retired) {
    byId('retired-questions').hidden = retired.length === 0;
    byId('retired-list').replaceChildren(
      ...retired.map((question) =>
        h('li', {}, h('span', { dir: 'auto' }, textIn(question.label)), ' ', h('span', { dir: 'ltr' }, `(${question.key})`)),
      ),
    );
  }

  function load(event) {
    questions = (event.questions || []).map(fromApi);
    languages = languagesOf(questions);
    dirty = false;
    showLanguages();
    showRetired(event.retired_questions || []);
    clearErrors(form, problems);
    draw();
  }

  // Errors the page has a better sentence for than the field's usual one: a key another question
  // (or option) already has.
  const taken = (errors) =>
    Object.fromEntries(
      errors.filter((error) => /differ from the other/.test(error.message)).map((error) => [error.field, () => t('page.console.error.questions.key_taken')]),
    );

  async function save(submitted) {
    submitted.preventDefault();
    clearErrors(form, problems);
    status.textContent = '';
    const button = byId('questions-save');
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const saved = await api(eventPath(), { method: 'PATCH', body: { questions: questions.map(toApi) } });
      load(saved);
      status.textContent = t('page.console.questions_saved', { count: saved.questions.length });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const errors = error.status === 422 ? error.problem?.errors || [] : [];
      if (!showErrors(form, problems, errors, taken(errors))) {
        say(problems, problemText(error));
        problems.focus();
      }
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', save);
  byId('add-question').addEventListener('click', addQuestion);
  for (const code of LANGUAGES) byId(`question-language-${code}`).addEventListener('change', chooseLanguages);

  return {
    // The event as loaded; unsaved edits are kept when the event is reloaded for another change.
    render(event) {
      if (!dirty) load(event);
    },
  };
}
