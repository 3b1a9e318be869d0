// The organiser console's browser session: an HttpOnly cookie the page cannot read, so the page asks
// the API who is signed in. fetch() from the page sends the cookie (same origin) and, for writes, the
// Origin header the server checks.
import { api, request } from './api.js';

// The organiser ({email, all_events, events}) or null when nobody is signed in.
export async function whoAmI() {
  try {
    return await api('/api/v1/organiser/me');
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

// Asks for a sign-in link; the answer is the same whether or not the address is an organiser's.
export function requestSignInLink(email, language) {
  return api('/api/v1/organiser/sign-in', { method: 'POST', body: { email, language } });
}

// Ends the session on the server (its token stops working) and clears the cookie.
export function signOut() {
  return request('/api/v1/organiser/sign-out', { method: 'POST' });
}
