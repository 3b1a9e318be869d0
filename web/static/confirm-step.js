// A step that cannot be undone sits behind a second, explicit question: the first button shows the
// question and its two answers, "no" goes back. Focus follows, so keyboard and screen reader users
// meet the question at once.
import { h } from './dom.js';

export function confirmStep({ start, panel, question, yes, no, action }) {
  start.addEventListener('click', () => {
    start.hidden = true;
    panel.hidden = false;
    question.focus();
  });
  no.addEventListener('click', () => {
    panel.hidden = true;
    start.hidden = false;
    start.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await action();
    } finally {
      yes.disabled = false;
    }
  });
}

// A confirm step built for an item of a list ("Withdraw" on an announcement, "Cancel" on a session):
// its start button (described by the item's heading, `describedBy`) and the panel that asks.
export function itemConfirmStep({ startText, questionText, yesText, noText, describedBy, action }) {
  const start = h('button', { type: 'button', class: 'danger-outline', 'aria-describedby': describedBy }, startText);
  const question = h('p', { tabindex: -1 }, questionText);
  const yes = h('button', { type: 'button', class: 'danger' }, yesText);
  const no = h('button', { type: 'button' }, noText);
  const panel = h('div', { class: 'confirm-step', hidden: true }, question, yes, no);
  confirmStep({ start, panel, question, yes, no, action });
  return { start, panel };
}
