// The language switcher: marks the page's own language for screen readers (links are ?lang=,
// so they work without this script too).
import { language } from './i18n.js';

for (const link of document.querySelectorAll('.languages a[hreflang]')) {
  if (link.hreflang === language) link.setAttribute('aria-current', 'true');
}
