// Invitations, on the organiser's page of an invitation-only event: a pasted list invited at once
// (with the lines that could not be read said back), who has not registered yet, and a reminder to
// them. POST / GET .../invitations and POST .../invitations/remind.
import { api, problemText } from './api.js';
import { byId, h, say } from './dom.js';
import { t } from './i18n.js';
import { authorisation } from './organiser-token.js';

// `token` is a function, as for the roster: the section outlives a sign-out and a new sign-in.
export function createInvitations({ eventPath, token, onChange }) {
  const section = byId('invitations');
  const form = byId('invite-form');
  const report = byId('invite-report');
  const status = byId('invitations-status');
  const pending = byId('pending-invitees');
  const remind = byId('remind');

  async function loadPending() {
    try {
      const page = await api(`${eventPath}/invitations?status=pending&limit=100`, { headers: authorisation(token()) });
      pending.replaceChildren(
        ...page.items.map((invitee) => h('li', {}, h('bdi', {}, invitee.name ? `${invitee.name} <${invitee.email}>` : invitee.email))),
      );
      byId('pending-count').textContent = t(page.next_cursor ? 'page.organise.pending_many' : 'page.organise.pending_count', {
        count: page.items.length,
      });
      remind.hidden = page.items.length === 0;
    } catch (error) {
      say(status, problemText(error));
    }
  }

  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    say(status, '');
    report.replaceChildren();
    const text = form.elements.invitees.value;
    if (!text.trim()) return say(status, t('page.organise.invite_empty'));
    try {
      const result = await api(`${eventPath}/invitations`, { method: 'POST', body: { text }, headers: authorisation(token()) });
      say(status, t('page.organise.invited', {
        invited: result.invited, already: result.already_invited, registered: result.already_registered,
      }));
      // Each line that named nobody, with its number, so that the organiser can mend it.
      report.replaceChildren(...result.rejected.map((line) =>
        h('li', {}, t('page.organise.invite_rejected', { line: line.line, text: line.text, error: line.error }))));
      if (result.rejected.length === 0) form.reset();
      await loadPending();
      onChange();
    } catch (error) {
      say(status, problemText(error));
    }
  });

  remind.addEventListener('click', async () => {
    say(status, '');
    try {
      const { reminded } = await api(`${eventPath}/invitations/remind`, { method: 'POST', headers: authorisation(token()) });
      say(status, t('page.organise.reminded', { count: reminded }));
    } catch (error) {
      say(status, problemText(error));
    }
  });

  return {
    // Shown for invitation-only events only.
    show(event) {
      section.hidden = event.access !== 'invitation';
      if (!section.hidden) loadPending();
    },
    reload: loadPending,
  };
}
