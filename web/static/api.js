// Calls to the JSON API of the same server. Every failure becomes an ApiError whose message the
// person can read: a network failure, a busy or broken server, or the problem the API described.
import { t } from './i18n.js';

export class ApiError extends Error {
  // status 0: no answer at all. problem: the RFC 9457 body, when the server sent one.
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  // The problem's type name, e.g. "already-registered" for "/problems/already-registered".
  get type() {
    return (this.problem?.type || '').split('/').pop();
  }
}

async function readJson(response) {
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// The response of a call that succeeded; anything else throws an ApiError.
export async function request(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) throw new ApiError(response.status, await readJson(response));
  return response;
}

// A call whose answer is JSON.
export async function api(path, options) {
  return readJson(await request(path, options));
}

// What to tell the person when a call failed in a way the page has no better words for. Anything
// else is a fault of the page itself: it is thrown on, to the console (where the tests see it).
export function problemText(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 0) return t('page.error.network');
  if (error.status === 503 || error.status === 429) return t('page.error.busy');
  if (error.status >= 500 || !error.problem) return t('page.error.unexpected', { status: error.status });
  return error.message;
}

// A random Idempotency-Key. crypto.randomUUID exists only on secure origins (https, localhost);
// getRandomValues also works on a plain-http intranet address.
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
