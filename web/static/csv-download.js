// The roster as CSV: fetched with the token in the Authorization header (a plain link cannot carry
// it), then handed to the browser as a file.
import { request } from './api.js';
import { h } from './dom.js';
import { authorisation } from './organiser-token.js';

export async function downloadCsv(eventPath, slug, token) {
  const response = await request(`${eventPath}/registrations.csv`, { headers: { ...authorisation(token), Accept: 'text/csv' } });
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: `${slug}-registrations.csv`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the blob can go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
