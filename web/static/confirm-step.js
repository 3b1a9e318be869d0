// A step that cannot be undone sits behind a second, explicit question: the first button shows the
// question and its two answers, "no" goes back. Focus follows, so keyboard and screen reader users
// meet the question at once.
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
