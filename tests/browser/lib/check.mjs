// Checks that say what they expected: a failure names the check, which the runner prints.
export function check(condition, what) {
  if (!condition) throw new Error(what);
}

export function checkIncludes(text, part, what) {
  check(text.includes(part), `${what}: expected to contain ${JSON.stringify(part)}, got ${JSON.stringify(text)}`);
}

export function checkNoProblems(page, where) {
  check(page.problems.length === 0, `${where}: ${page.problems.join(' | ')}`);
}

// Text as read: without the invisible isolates that keep zone names left-to-right in Arabic.
export function readable(text) {
  return text.replace(/[\u2066-\u2069]/g, '');
}
