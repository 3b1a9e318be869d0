// The JSON API from the test's side, to arrange what a scenario needs (an event, registrations)
// and to confirm what the pages did.
let unique = 0;

export function apiClient(baseUrl) {
  async function call(method, path, { body, token } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // A registration with a fresh address (the reply holds the manage token).
  function register(slug, fields = {}) {
    unique += 1;
    return call('POST', `/api/v1/events/${slug}/registrations`, {
      body: {
        email: `person${unique}.${Date.now()}@example.org`,
        name: `Person ${unique}`,
        timezone: 'UTC',
        language: 'en',
        consent: true,
        ...fields,
      },
    });
  }

  return { call, register };
}

// A fresh e-mail address for a registration made through the page.
export function freshEmail(who) {
  unique += 1;
  return `${who}.${unique}.${Date.now()}@example.org`;
}
