// Building elements without innerHTML: every text goes in as a text node, so nothing a person typed
// or an API returned can become markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

export const byId = (id) => document.getElementById(id);

// Sets a message and shows its element, or hides it when the message is empty.
export function say(element, message) {
  element.textContent = message || '';
  element.hidden = !message;
}
