// The organiser's page, /organise/{slug}: the figures, the roster and the CSV export, for an
// organiser signed in to the console (the session cookie goes with every call) or with a pasted
// organiser token.
import { api, problemText, request } from './api.js';
import { addCountryOptions } from './countries.js';
import { downloadCsv } from './csv-download.js';
import { byId, say } from './dom.js';
import { t } from './i18n.js';
import './languages.js';
import { forgetToken, savedToken, saveToken } from './organiser-token.js';
import { createInvitations } from './invitations.js';
import { createRoster } from './roster.js';
import { showStats } from './stats.js';

const slug = byId('main').dataset.slug;
const eventPath = `/api/v1/events/${encodeURIComponent(slug)}`;
const signInSection = byId('sign-in');
const signInForm = byId('sign-in-form');
const tokenError = byId('token-error');
const consoleView = byId('console');
const failure = byId('console-error');
let token = null;
let bySession = false; // signed in through the console's cookie rather than a token
const roster = createRoster({ eventPath, token: () => token, onChange: refreshStats });
const invitations = createInvitations({ eventPath, token: () => token, onChange: refreshStats });
let shownEvent = null; // the event as the page last read it

function signInProblem(error) {
  if (error.status === 401) return t('page.organise.bad_token');
  if (error.status === 403) return t('page.organise.forbidden');
  if (error.status === 404) return t('page.organise.no_event');
  return problemText(error);
}

function showSignIn(message = '') {
  consoleView.hidden = true;
  signInSection.hidden = false;
  say(tokenError, message);
  if (message) signInForm.elements.token.setAttribute('aria-invalid', 'true');
}

// The figures double as the check of the token: one call, and a clear answer when it is refused.
// Without a token (null) the call carries the console's session, if there is one; without a
// session, the sign-in form is offered without a complaint.
async function signIn(candidate) {
  try {
    await showStats(eventPath, candidate, shownEvent?.questions);
  } catch (error) {
    // Only a refused token is forgotten: a lost connection says nothing about it.
    if (candidate && (error.status === 401 || error.status === 403)) forgetToken();
    showSignIn(candidate || error.status !== 401 ? signInProblem(error) : '');
    if (candidate) signInForm.elements.token.focus();
    return;
  }
  token = candidate;
  bySession = !candidate;
  if (candidate) saveToken(token);
  signInForm.reset();
  signInForm.elements.token.removeAttribute('aria-invalid');
  say(tokenError, '');
  signInSection.hidden = true;
  consoleView.hidden = false;
  roster.reload();
  if (shownEvent) invitations.show(shownEvent);
  byId('stats-heading').focus(); // the form that had focus is gone
}

async function refreshStats() {
  try {
    await showStats(eventPath, token, shownEvent?.questions);
  } catch (error) {
    say(failure, problemText(error));
  }
}

async function showEventTitle() {
  try {
    const event = await api(eventPath);
    byId('event-name').textContent = t('page.organise.event', { event: event.title });
    roster.useQuestions(event.questions);
    shownEvent = event;
    if (!consoleView.hidden) {
      invitations.show(event);
      refreshStats(); // now with the answers to its questions
    }
  } catch (error) {
    byId('event-name').textContent = error.status === 404 ? t('page.organise.no_event') : problemText(error);
  }
}

signInForm.addEventListener('submit', (submitted) => {
  submitted.preventDefault();
  const candidate = signInForm.elements.token.value.trim();
  if (candidate) signIn(candidate);
  else showSignIn(t('page.organise.bad_token'));
});

byId('sign-out').addEventListener('click', async () => {
  say(failure, '');
  if (bySession) {
    try {
      await request('/api/v1/organiser/sign-out', { method: 'POST' });
    } catch (error) {
      say(failure, problemText(error));
      return;
    }
  }
  forgetToken();
  token = null;
  bySession = false;
  roster.clear();
  showSignIn();
  signInForm.elements.token.focus();
});

byId('csv').addEventListener('click', async () => {
  say(failure, '');
  try {
    await downloadCsv(eventPath, slug, token);
  } catch (error) {
    say(failure, problemText(error));
  }
});

addCountryOptions(byId('country-filter'));
showEventTitle();
byId('console-link').href = `/organise/events/${encodeURIComponent(slug)}?lang=${document.documentElement.lang}`;
const saved = savedToken();
signIn(saved || null);
