// A 360 px wide phone: nothing is wider than the screen (no sideways scrolling) on any page.
import { check } from '../lib/check.mjs';

export const name = 'pages fit a 360 px wide screen';

export async function run({ openPage, baseUrl, api, organiserToken, screenshot }) {
  const registration = await api.register('south-south-2021', { name: 'Narrow Screen', timezone: 'Asia/Kathmandu' });
  const pages = [
    ['event', '/events/south-south-2021?lang=en'],
    ['event-ar', '/events/south-south-2021?lang=ar'],
    ['event-ru', '/events/south-south-2021?lang=ru'],
    ['manage', `/r/${registration.manage_token}?lang=fr`],
    ['organise', '/organise/south-south-2021?lang=zh'],
  ];
  const page = await openPage({ timezoneId: 'Asia/Kathmandu', width: 360 });
  await page.goto(`${baseUrl}/`);
  await page.evaluate((token) => sessionStorage.setItem('convene.organiser-token', token), organiserToken);
  for (const [label, path] of pages) {
    await page.goto(`${baseUrl}${path}`);
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${label}: the page is ${overflow} px wider than a 360 px screen`);
    await screenshot(page, `narrow-${label}`);
  }
}
