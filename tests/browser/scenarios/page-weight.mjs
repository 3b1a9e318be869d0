// What each page weighs with everything it loads (HTML, stylesheet, scripts), uncompressed; the
// event page must stay under 100 KB (issue 7). API answers the scripts fetch are counted apart.
import { httpError } from '../lib/browser.mjs';
import { check } from '../lib/check.mjs';

export const name = 'page weights (event page under 100 KB)';

const LIMIT = 100 * 1024;

async function weigh(page, url) {
  const sizes = [];
  const listener = async (response) => {
    const body = await response.body().catch(() => Buffer.alloc(0));
    sizes.push({ path: new URL(response.url()).pathname, bytes: body.length });
  };
  page.on('response', listener);
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  page.off('response', listener);
  const sum = (list) => list.reduce((total, { bytes }) => total + bytes, 0);
  const assets = sizes.filter(({ path }) => !path.startsWith('/api/'));
  return { bytes: sum(assets), files: assets.length, apiBytes: sum(sizes.filter(({ path }) => path.startsWith('/api/'))) };
}

export async function run({ openPage, baseUrl, api }) {
  const registration = await api.register('south-south-2021', { name: 'Page Weight', timezone: 'Asia/Kathmandu' });
  const pages = [
    ['event', '/events/south-south-2021?lang=en'],
    ['event (Arabic)', '/events/south-south-2021?lang=ar'],
    ['manage', `/r/${registration.manage_token}?lang=en`],
    ['organise', '/organise/south-south-2021?lang=en'],
    ['index', '/?lang=en'],
  ];
  let event = null;
  for (const [label, path] of pages) {
    // A new context each: nothing comes from the cache. The organiser page, signed in neither by
    // token nor by the console's cookie, is answered 401 when it tries the API with the cookie.
    const page = await openPage({ timezoneId: 'Asia/Kathmandu', expectErrors: label === 'organise' ? [httpError(401)] : [] });
    const weight = await weigh(page, `${baseUrl}${path}`);
    console.log(`     ${label}: ${weight.bytes} bytes in ${weight.files} files (+ ${weight.apiBytes} bytes of API answers)`);
    if (label === 'event') event = weight;
  }
  check(event.bytes < LIMIT, `the event page and its assets weigh ${event.bytes} bytes (limit ${LIMIT})`);
}
