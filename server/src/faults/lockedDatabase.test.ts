// A SQLite database file whose write lock another process holds: writes must fail with 503 after
// the busy timeout instead of hanging, reads must still be served, and writes must succeed again
// once the lock is released.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { SQLITE_BUSY_TIMEOUT_MS } from '../db/connect.js';
import { TEST_ADMIN } from '../testing/testServer.js';
import {
  callJson,
  killHard,
  logInAdmin,
  startServerProcess,
  type ServerProcess,
} from './serverProcess.js';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

/**
 * Maximum time a request may take while the lock is held: one busy timeout plus 4 s for a loaded
 * machine. It is below two busy timeouts, so transactions that each waited in turn would fail it.
 */
const RESPONSE_WITHIN_MS = SQLITE_BUSY_TIMEOUT_MS + 4_000;

/** A process that holds the write lock of a SQLite file until `release()` is called. */
interface LockHolder {
  child: ChildProcess;
  release(): Promise<void>;
}

/** Starts a process that opens `file` with node-sqlite3 and takes its write lock. */
async function holdWriteLock(file: string): Promise<LockHolder> {
  const script = `
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE', (error) => {
      if (error) { console.error(error.message); process.exit(1); }
      console.log('locked');
    });
    process.stdin.once('data', () => {
      db.exec('ROLLBACK', () => db.close(() => console.log('released')));
    });
  `;
  const child = spawn(process.execPath, ['-e', script, file], {
    cwd: REPOSITORY_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // One iterator for every wait: leaving a for-await loop would close the interface.
  const reader = readline.createInterface({ input: child.stdout ?? process.stdin });
  const lines = reader[Symbol.asyncIterator]();
  const nextLine = async (expected: string) => {
    for (let line = await lines.next(); line.done !== true; line = await lines.next()) {
      if (line.value === expected) {
        return;
      }
    }
    throw new Error(`the lock holder exited before it printed "${expected}"`);
  };
  await nextLine('locked');
  return {
    child,
    release: async () => {
      child.stdin?.write('release\n');
      await nextLine('released');
    },
  };
}

interface Outcome {
  label: string;
  status: number;
  body: ApiErrorBody;
  elapsedMs: number;
}

describe('locked SQLite database', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let holder: LockHolder | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-locked-'));
    server = await startServerProcess(dataDir, `sqlite:${path.join(dataDir, 'workbench.sqlite')}`);
  });

  after(async () => {
    if (holder !== undefined && holder.child.exitCode === null) {
      holder.child.kill();
    }
    if (server !== undefined) {
      await killHard(server);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('writes get 503 while locked, then succeed', async (t) => {
    assert.ok(server !== undefined);
    const { url } = server;
    const token = await logInAdmin(url);
    holder = await holdWriteLock(path.join(dataDir, 'workbench.sqlite'));

    const send = async (
      method: string,
      urlPath: string,
      options: { token?: string; body?: unknown },
    ): Promise<Outcome> => {
      const startedAt = Date.now();
      const response = await callJson<ApiErrorBody>(url, method, urlPath, options);
      return { label: `${method} ${urlPath}`, ...response, elapsedMs: Date.now() - startedAt };
    };
    const newPrompt = (name: string) => ({
      token,
      body: { name, content: 'Text.', format: 'custom' },
    });
    // Three prompt writes, each a transaction, queue one behind the other in the server.
    const writes = Promise.all([
      send('POST', '/api/prompts', newPrompt('Locked 1')),
      send('POST', '/api/prompts', newPrompt('Locked 2')),
      send('POST', '/api/prompts', newPrompt('Locked 3')),
      send('POST', '/api/auth/login', {
        body: { login: TEST_ADMIN.email, password: TEST_ADMIN.password, tokenDelivery: 'body' },
      }),
    ]);
    // Reads sent once the writes wait for the lock. A write outside a transaction waits on the
    // connection that reads use too, and node-sqlite3 runs one statement at a time on it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reads = Promise.all([
      send('GET', '/api/prompts', { token }),
      send('GET', '/api/chat/sessions', { token }),
      send('GET', '/api/health', {}),
    ]);
    const [written, read] = await Promise.all([writes, reads]);
    t.diagnostic(
      [...written, ...read].map((outcome) => `${outcome.label} ${outcome.elapsedMs} ms`).join(', '),
    );

    for (const outcome of written) {
      const { label, body } = outcome;
      assert.equal(outcome.status, 503, `${label}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'database_busy', label);
      assert.match(body.error.message, /locked by another writer/, label);
      assert.ok(outcome.elapsedMs < RESPONSE_WITHIN_MS, `${label} took ${outcome.elapsedMs} ms`);
    }
    for (const outcome of read) {
      assert.equal(outcome.status, 200, `${outcome.label}: ${JSON.stringify(outcome.body)}`);
      assert.ok(
        outcome.elapsedMs < RESPONSE_WITHIN_MS,
        `${outcome.label} took ${outcome.elapsedMs} ms`,
      );
    }
    assert.equal(
      server.child.exitCode,
      null,
      'the server process exited while the file was locked',
    );

    await holder.release();
    const created = await callJson(url, 'POST', '/api/prompts', newPrompt('After the lock'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok((await logInAdmin(url)).length > 0);
  });
});
