// Announcements in the console: a subject and a plain-text body in one language, translations into
// others, an audience and a time to send; a preview of the message as one chosen registrant will get
// it; the list of announcements with their counts, where a scheduled one can be withdrawn.
import { api, ApiError, newIdempotencyKey, problemText } from './api.js';
import { clearErrors, LANGUAGE_NAMES, showErrors, wallToInstant } from './console-form.js';
import { itemConfirmStep } from './confirm-step.js';
import { byId, h, say } from './dom.js';
import { t } from './i18n.js';
import { momentText } from './time.js';

export function createAnnouncements({ eventPath, current }) {
  const form = byId('announcement-form');
  const problems = byId('announcement-problems');
  const status = byId('announcement-status');
  const translations = byId('translations');
  const registrant = byId('preview-registrant');
  const sendConfirm = byId('send-confirm');
  let attempt = null; // {text, key}: the same message sent again reuses its Idempotency-Key

  const sessionEnded = (event) =>
    event.sessions.some((session) => session.status === 'scheduled' && Date.parse(session.ends_at) <= Date.now());

  function addTranslation(language) {
    if (translations.querySelector(`[data-language="${language}"]`)) {
      byId(`translation-${language}-subject`).focus();
      return;
    }
    const id = (part) => `translation-${language}-${part}`;
    const remove = h('button', { type: 'button' }, t('page.console.remove_translation'));
    const group = h(
      'fieldset',
      { class: 'translation', 'data-language': language, lang: language },
      h('legend', {}, t('page.console.translation_legend', { language: LANGUAGE_NAMES[language] })),
      h(
        'div',
        { class: 'field' },
        h('label', { for: id('subject') }, t('page.console.subject')),
        h('input', { id: id('subject'), name: `translations.${language}.subject`, maxlength: 200, dir: 'auto', 'aria-describedby': id('subject-error') }),
        h('p', { id: id('subject-error'), class: 'field-error', hidden: true }),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: id('body') }, t('page.console.body')),
        h('textarea', { id: id('body'), name: `translations.${language}.body`, rows: 5, maxlength: 20000, dir: 'auto', 'aria-describedby': id('body-error') }),
        h('p', { id: id('body-error'), class: 'field-error', hidden: true }),
      ),
      remove,
    );
    remove.addEventListener('click', () => {
      group.remove();
      status.textContent = t('page.console.translation_removed', { language: LANGUAGE_NAMES[language] });
      byId('translation-language').focus();
    });
    translations.append(group);
    status.textContent = t('page.console.translation_added', { language: LANGUAGE_NAMES[language] });
    byId(id('subject')).focus();
  }

  async function readAnnouncement() {
    const { event } = current();
    const value = (name) => form.elements[name].value;
    const body = {
      language: value('language'),
      subject: value('subject').trim(),
      body: value('body'),
      audience: Array.from(form.querySelectorAll('input[name="audience"]:checked'), (box) => box.value),
    };
    const translated = {};
    for (const group of translations.querySelectorAll('[data-language]')) {
      const language = group.dataset.language;
      translated[language] = {
        subject: byId(`translation-${language}-subject`).value.trim(),
        body: byId(`translation-${language}-body`).value,
      };
    }
    if (Object.keys(translated).length) body.translations = translated;
    if (form.elements.send_mode.value === 'later') {
      const local = value('send_at');
      body.send_at = local ? ((await wallToInstant(local, event.timezone)) ?? local) : '';
    }
    return body;
  }

  // About how many registrants the audience holds now (the server counts them when it writes).
  function audienceSize(audience) {
    const { stats } = current();
    if (!stats) return 0;
    const confirmed = stats.by_status?.confirmed ?? 0;
    const sizes = {
      confirmed,
      waitlisted: stats.by_status?.waitlisted ?? 0,
      pending: stats.by_status?.pending ?? 0,
      attended: stats.attended ?? 0,
      did_not_attend: confirmed - (stats.attended ?? 0),
    };
    const groups = new Set(audience);
    if (groups.has('confirmed')) {
      groups.delete('attended');
      groups.delete('did_not_attend');
    }
    return [...groups].reduce((sum, group) => sum + (sizes[group] ?? 0), 0);
  }

  function explain(error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 422 && showErrors(form, problems, error.problem?.errors)) return;
    say(problems, problemText(error));
    problems.focus();
  }

  async function showPreview() {
    clearErrors(form, problems);
    const chosen = registrant.value;
    const slot = byId('preview-registrant-error');
    if (!chosen) {
      say(slot, t('page.console.preview_nobody'));
      return;
    }
    try {
      const message = await api(`${eventPath()}/announcements/preview`, {
        method: 'POST',
        body: { ...(await readAnnouncement()), registration_id: Number(chosen) },
      });
      byId('preview-to').textContent = message.to;
      byId('preview-language').textContent = LANGUAGE_NAMES[message.language] || message.language;
      byId('preview-subject').textContent = message.subject;
      const text = byId('preview-text');
      text.textContent = message.text;
      text.lang = message.language;
      byId('preview-subject').lang = message.language;
      const box = byId('announcement-preview');
      box.hidden = false;
      status.textContent = t('page.console.preview_shown', { name: registrant.selectedOptions[0]?.dataset.name || '' });
      box.focus();
    } catch (error) {
      explain(error);
    }
  }

  let pending = null; // the body waiting for the organiser's "yes"

  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    clearErrors(form, problems);
    status.textContent = '';
    pending = await readAnnouncement();
    const count = audienceSize(pending.audience);
    let question;
    if (pending.send_at) {
      let when = form.elements.send_at.value;
      try {
        const { to } = await api(`/api/v1/time/convert?${new URLSearchParams({ at: pending.send_at, to: current().event.timezone })}`);
        when = momentText(to[0]);
      } catch {
        // the server will name the field
      }
      question = t('page.console.schedule_confirm', { subject: pending.subject, count, time: when });
    } else {
      question = t('page.console.send_confirm', { subject: pending.subject, count });
    }
    byId('send-question').textContent = question;
    byId('announcement-send').hidden = true;
    sendConfirm.hidden = false;
    byId('send-question').focus();
  });

  function closeConfirm() {
    sendConfirm.hidden = true;
    byId('announcement-send').hidden = false;
  }

  byId('send-no').addEventListener('click', () => {
    closeConfirm();
    byId('announcement-send').focus();
  });

  byId('send-yes').addEventListener('click', async () => {
    const yes = byId('send-yes');
    yes.disabled = true;
    const text = JSON.stringify(pending);
    if (attempt?.text !== text) attempt = { text, key: newIdempotencyKey() };
    try {
      const written = await api(`${eventPath()}/announcements`, {
        method: 'POST',
        body: pending,
        headers: { 'Idempotency-Key': attempt.key },
      });
      closeConfirm();
      form.reset();
      translations.replaceChildren();
      byId('announcement-preview').hidden = true;
      attempt = null;
      await loadList();
      status.textContent =
        written.status === 'scheduled'
          ? t('page.console.announcement_scheduled', { subject: written.subject, count: written.recipients })
          : t('page.console.announcement_sent', { subject: written.subject, count: written.recipients });
      byId('announcement-list-heading').focus();
    } catch (error) {
      closeConfirm();
      explain(error);
    } finally {
      yes.disabled = false;
    }
  });

  async function announcementItem(announcement) {
    const { event } = current();
    let when = announcement.send_at;
    try {
      const { to } = await api(`/api/v1/time/convert?${new URLSearchParams({ at: announcement.send_at, to: event.timezone })}`);
      when = momentText(to[0]);
    } catch {
      // the instant as it is still says when
    }
    const headingId = `announcement-${announcement.id}`;
    const counts = announcement.counts;
    const item = h(
      'li',
      { class: 'announcement', 'data-id': announcement.id, 'data-status': announcement.status },
      h('h4', { id: headingId, dir: 'auto' }, announcement.subject),
      h('p', {}, t(`page.console.announcement_status.${announcement.status}`, { time: when })),
      h(
        'p',
        {},
        t('page.console.announcement_counts', {
          recipients: announcement.recipients,
          queued: counts.queued,
          sent: counts.sent,
          failed: counts.failed,
        }),
      ),
      h('p', { class: 'hint' }, t('page.console.announcement_languages', {
        languages: [announcement.language, ...Object.keys(announcement.translations || {})].map((code) => LANGUAGE_NAMES[code] || code).join(', '),
      })),
    );
    if (announcement.status !== 'scheduled') return item;
    const { start, panel } = itemConfirmStep({
      startText: t('page.console.withdraw'),
      questionText: t('page.console.withdraw_confirm', { subject: announcement.subject }),
      yesText: t('page.console.withdraw_yes'),
      noText: t('page.console.go_back'),
      describedBy: headingId,
      action: async () => {
        try {
          await api(`${eventPath()}/announcements/${announcement.id}`, { method: 'DELETE' });
        } catch (error) {
          status.textContent = error.type === 'announcement-sent' ? t('page.console.withdraw_too_late') : problemText(error);
          return;
        }
        await loadList();
        status.textContent = t('page.console.withdrawn', { subject: announcement.subject });
        byId('announcement-list-heading').focus();
      },
    });
    item.append(start, panel);
    return item;
  }

  async function loadList() {
    try {
      const page = await api(`${eventPath()}/announcements?limit=100`);
      const items = await Promise.all([...page.items].reverse().map(announcementItem));
      byId('announcement-list').replaceChildren(...items);
      byId('no-announcements').hidden = items.length > 0;
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  async function loadRegistrants() {
    try {
      const page = await api(`${eventPath()}/registrations?limit=100`);
      const options = page.items
        .filter((entry) => entry.status !== 'cancelled' && entry.status !== 'rejected')
        .map((entry) =>
          h('option', { value: entry.id, 'data-name': entry.name }, `${entry.name} (${LANGUAGE_NAMES[entry.language] || entry.language}, ${t(`page.status.${entry.status}`)})`),
        );
      registrant.replaceChildren(...(options.length ? options : [h('option', { value: '' }, t('page.console.preview_nobody'))]));
    } catch (error) {
      status.textContent = problemText(error);
    }
  }

  byId('add-translation').addEventListener('click', () => {
    const language = byId('translation-language').value;
    if (language === form.elements.language.value) {
      status.textContent = t('page.console.translation_same');
      return;
    }
    addTranslation(language);
  });
  byId('preview-button').addEventListener('click', showPreview);
  form.elements.send_at.addEventListener('input', () => {
    form.elements.send_mode.value = 'later';
  });

  return {
    render() {
      const { event } = current();
      const ended = sessionEnded(event);
      for (const choice of form.querySelectorAll('[data-after-session]')) choice.hidden = !ended;
      byId('send_at-hint').textContent = t('page.console.send_at_hint', { zone: event.timezone });
    },
    load() {
      return Promise.all([loadList(), loadRegistrants()]);
    },
  };
}
