// The page's texts: the merged catalogue (shared e-mail texts plus page texts) that the server put
// into the page as a JSON data block, in the page's language.
const catalogue = JSON.parse(document.getElementById('catalogue')?.textContent || '{}');

export const language = document.documentElement.lang || 'en';

// The text for `key` with its {placeholders} filled from `values`; the key itself when missing, so
// a gap shows up in testing instead of an empty label.
export function t(key, values = {}) {
  const pattern = catalogue[key] ?? key;
  return pattern.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function hasText(key) {
  return key in catalogue;
}
