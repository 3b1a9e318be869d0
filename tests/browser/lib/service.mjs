// The service under test: a database of its own in the PostgreSQL named by
// CONVENE_TEST_DATABASE_URL, migrated and seeded, an organiser token, and `convene serve` on a free
// port with its mail spool in a temporary folder. BASE_URL is that port's address: links in e-mails
// (the console's sign-in link) point to it, and writes made with the console's cookie must come
// from that origin.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DATABASE = 'convene_browser_tests';

// The admin URI with its database name replaced; the query (?host=...&port=...) is kept.
export function withDatabase(adminUrl, name) {
  const match = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(adminUrl);
  if (!match) throw new Error(`CONVENE_TEST_DATABASE_URL is not a postgresql:// URI: ${adminUrl}`);
  return `${match[1]}/${name}${match[3] ?? ''}`;
}

function psql(url, ...commands) {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url];
  for (const command of commands) args.push('-c', command);
  execFileSync('psql', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function convene(binary, env, ...args) {
  return execFileSync(binary, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Resolves with the base URL once the server says where it listens; rejects if it exits first.
function waitForListening(server, stderr) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`convene serve did not start in 20 s:\n${stderr.text}`)), 20_000);
    server.stderr.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr.text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`convene serve exited (${code}) before listening:\n${stderr.text}`));
    });
  });
}

// A port nobody listens on now (the kernel's choice), for the server to take a moment later.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startService({ binary, sourceDir, adminUrl }) {
  psql(adminUrl, `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`, `CREATE DATABASE ${DATABASE}`);
  const spool = mkdtempSync(join(tmpdir(), 'convene-browser-spool-'));
  const env = { ...process.env, DATABASE_URL: withDatabase(adminUrl, DATABASE), SPOOL_DIR: spool };
  convene(binary, env, 'migrate');
  convene(binary, env, 'seed', join(sourceDir, 'seed', 'south-south-2021.json'));
  const token = convene(binary, env, 'organiser', 'add', '--email', 'organiser@example.org', '--all').trim().split('\n').pop();

  const port = await freePort();
  const server = spawn(binary, ['serve'], {
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Everything the server says is kept for the report when something fails (the access log too).
  const stderr = { text: '' };
  server.stderr.setEncoding('utf8');
  server.stderr.on('data', (chunk) => {
    stderr.text += chunk;
  });
  let baseUrl;
  try {
    baseUrl = await waitForListening(server, stderr);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }

  async function stop() {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(spool, { recursive: true, force: true });
    try {
      psql(adminUrl, `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    } catch {
      // left for the next run, which drops it first
    }
  }

  // Another organiser, with rights on all events, who signs in to the console by e-mail.
  const addOrganiser = (email) => convene(binary, env, 'organiser', 'add', '--email', email, '--all').trim().split('\n').pop();

  return { baseUrl, organiserToken: token, spool, addOrganiser, log: () => stderr.text, stop };
}
