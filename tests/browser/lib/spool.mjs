// The service's mail spool (SPOOL_DIR): one .eml file per message, as the SMTP server would have
// received it. Reads each into {file, headers, kind, to, subject, text, html, calendar}, decoding
// what MIME encodes (base64 or quoted-printable parts, encoded-word headers).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function decodeTransfer(body, encoding = '') {
  const how = encoding.toLowerCase();
  if (how === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (how === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

// "=?UTF-8?B?...?=" and "=?UTF-8?Q?...?=" words, joined as RFC 2047 says (no space between words).
function decodeHeader(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, how, text) =>
      how.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeTransfer(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

// Headers (unfolded, names in lower case) and body of one entity.
function splitEntity(text) {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

// Every leaf part of a (nested) multipart entity.
function leafParts(entity) {
  const type = entity.headers['content-type'] || 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) return [entity];
  const pieces = entity.body.split(`--${boundary}`).slice(1);
  return pieces.filter((piece) => !piece.startsWith('--')).flatMap((piece) => leafParts(splitEntity(piece.replace(/^\r?\n/, ''))));
}

export function parseMessage(raw, file = '') {
  const entity = splitEntity(raw);
  const message = {
    file,
    headers: entity.headers,
    kind: entity.headers['x-convene-kind'] || '',
    to: decodeHeader(entity.headers.to || ''),
    subject: decodeHeader(entity.headers.subject || ''),
    text: '',
    html: '',
    calendar: '',
  };
  for (const part of leafParts(entity)) {
    const type = (part.headers['content-type'] || '').toLowerCase();
    const decoded = decodeTransfer(part.body, part.headers['content-transfer-encoding']);
    if (type.startsWith('text/plain')) message.text += decoded;
    else if (type.startsWith('text/html')) message.html += decoded;
    else if (type.startsWith('text/calendar')) message.calendar += decoded;
  }
  return message;
}

export function readSpool(folder) {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.eml'))
    // Files are named after their outbox rows ("9.eml" before "10.eml"): oldest first.
    .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => parseMessage(readFileSync(join(folder, name), 'utf8'), name));
}

// The first message that `matches`, waiting for the worker inside `convene serve` to deliver it.
export async function waitForMessage(folder, matches, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = readSpool(folder).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no message in the spool after ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
