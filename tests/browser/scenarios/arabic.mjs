// Arabic: the page is right-to-left (dir="rtl" on <html>) and laid out so: headings, labels and
// fields start at the right edge, the language switcher sits on the left.
import { check, checkIncludes } from '../lib/check.mjs';

export const name = 'Arabic renders right-to-left';

export async function run({ openPage, baseUrl, scan, screenshot }) {
  const page = await openPage({ timezoneId: 'Asia/Kathmandu', locale: 'ar' });
  await page.goto(`${baseUrl}/events/south-south-2021?lang=ar`);
  await page.locator('.session .viewer-time').waitFor({ state: 'visible' });
  check((await page.getAttribute('html', 'dir')) === 'rtl', 'html has dir="rtl"');
  check((await page.getAttribute('html', 'lang')) === 'ar', 'html has lang="ar"');
  check((await page.evaluate(() => getComputedStyle(document.body).direction)) === 'rtl', 'the body is laid out right-to-left');

  // Where things are drawn: the text of a heading (not its full-width box), a label, its field.
  const layout = await page.evaluate(() => {
    const box = (selector) => document.querySelector(selector).getBoundingClientRect();
    const text = document.createRange();
    text.selectNodeContents(document.querySelector('#when-heading'));
    const main = getComputedStyle(document.querySelector('main'));
    return {
      contentRight: box('main').right - parseFloat(main.paddingRight),
      headingText: text.getBoundingClientRect(),
      label: box('label[for="name"]'),
      input: box('#name'),
      siteName: box('.site-name'),
      languages: box('.languages'),
    };
  });
  const near = (a, b) => Math.abs(a - b) <= 2;
  check(near(layout.headingText.right, layout.contentRight), 'headings start at the right edge');
  check(near(layout.input.right, layout.contentRight) && layout.input.left > 100, 'fields sit at the right, not the left');
  check(near(layout.label.right, layout.input.right), 'labels start at the right, over their fields');
  check(layout.siteName.left > layout.languages.left, 'the site name is on the right and the language switcher on the left');

  const times = await page.locator('.session .viewer-time').innerText();
  checkIncludes(times, 'سبتمبر', 'the date is in Arabic');
  checkIncludes(times, '18:45', 'the time in Kathmandu');
  checkIncludes(await page.locator('label[for="email"]').innerText(), 'البريد الإلكتروني', 'the form is in Arabic');
  await scan(page, 'event page (Arabic)');
  await screenshot(page, 'event-arabic');
}
