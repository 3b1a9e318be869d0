// The organiser's token lives in sessionStorage: this tab only, gone when it closes, and never in
// the address, which browsers keep in history and may send on as a referrer.
const KEY = 'convene.organiser-token';

export function savedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the organiser signs in on each visit
  }
}

export function saveToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage disabled: the token still works for this page view
  }
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing was stored
  }
}

// Without a token, the console's session cookie (sent by the browser with every same-origin fetch)
// speaks for the organiser.
export const authorisation = (token) => (token ? { Authorization: `Bearer ${token}` } : {});
