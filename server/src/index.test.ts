import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { freePort } from './testing/freePort.js';

const ENTRY = path.join(__dirname, 'index.ts');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const START_TIMEOUT_MS = 60_000;

/** A server process started from `server/src/index.ts`, with its output collected. */
class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  /** `user` runs the server as another user, which needs root. */
  constructor(cwd: string, env: Record<string, string>, user: { uid?: number; gid?: number } = {}) {
    this.child = spawn(process.execPath, ['--import', TSX_LOADER, ENTRY], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Waits until `read()` matches `pattern`, failing if the process exits or time runs out. */
  async waitFor(pattern: RegExp, read: () => string, what: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = read().match(pattern);
      if (match !== null) {
        return match;
      }
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${exited ? 'server exited' : 'timed out'} waiting for ${what}\n` +
            `stderr:\n${this.stderr}\nstdout:\n${this.stdout}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits for the start banner and returns the server URL from it. */
  async listening(): Promise<string> {
    const match = await this.waitFor(
      /LLM Workbench server at (http:\/\/\S+)/,
      () => this.stderr,
      'the start banner',
    );
    return match[1] ?? '';
  }

  /** Parses the JSON log lines on stdout. */
  logLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const running = new Set<ServerProcess>();

/**
 * Returns the ids of the `nobody` user when this process runs as root and `nobody` can read the
 * server's sources, or undefined. Root passes every permission check, so tests of a folder the
 * server may not write run the server as `nobody` instead.
 */
function nobodyUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  try {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    execFileSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(ENTRY)})`], {
      uid,
      gid,
      stdio: 'ignore',
    });
    return { uid, gid };
  } catch {
    return undefined;
  }
}

async function logIn(baseUrl: string, login: string, password: string) {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password, tokenDelivery: 'body' }),
  });
  const body = (await response.json()) as { accessToken?: string; user?: { role: string } };
  return { status: response.status, body };
}

// Each start takes most of a second, so the cases run at the same time on their own ports.
describe('server process', { concurrency: true }, () => {
  // The working directory is a fresh folder, so no `.env` of the repository is read.
  let workDir: string;

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-process-'));
  });

  after(async () => {
    for (const server of running) {
      server.kill('SIGKILL');
      await server.exited;
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  describe('first and second start', { concurrency: 1 }, () => {
    let dataDir: string;
    let generatedPassword: string;

    before(() => {
      dataDir = path.join(workDir, 'shared-data');
    });

    test('first start prints a generated password once', async () => {
      const port = await freePort();
      const server = new ServerProcess(workDir, {
        DATA_DIR: dataDir,
        PORT: String(port),
        BCRYPT_ROUNDS: '4',
      });
      const url = await server.listening();
      const match = server.stderr.match(/password: (\S+)/);
      generatedPassword = match?.[1] ?? '';

      const login = await logIn(url, 'admin', generatedPassword);
      server.kill('SIGTERM');
      const exit = await server.exited;

      assert.equal(url, `http://127.0.0.1:${port}`);
      assert.ok(generatedPassword.length >= 16, server.stderr);
      assert.equal(server.stderr.split(generatedPassword).length - 1, 1);
      assert.equal(server.stdout.includes(generatedPassword), false, 'password in the log');
      assert.equal(login.status, 200);
      assert.equal(login.body.user?.role, 'admin');
      assert.equal(exit.code, 0);
    });

    test('second start prints no password', async () => {
      const port = await freePort();
      const server = new ServerProcess(workDir, {
        DATA_DIR: dataDir,
        PORT: String(port),
        BCRYPT_ROUNDS: '4',
      });
      const url = await server.listening();

      const login = await logIn(url, 'admin', generatedPassword);
      server.kill('SIGTERM');
      const exit = await server.exited;

      assert.doesNotMatch(server.stderr, /password/i);
      assert.doesNotMatch(server.stderr, /Created the first admin/);
      assert.equal(login.status, 200);
      assert.equal(exit.code, 0);
    });
  });

  test('invalid PORT exits with a message', async () => {
    const server = new ServerProcess(workDir, {
      DATA_DIR: path.join(workDir, 'invalid-port'),
      PORT: 'abc',
    });

    const exit = await server.exited;

    assert.notEqual(exit.code, 0);
    assert.match(server.stderr, /PORT="abc"/);
    assert.doesNotMatch(server.stderr, /LLM Workbench server at/);
    assert.doesNotMatch(server.stderr, /\n\s+at /, 'stack trace in the message');
  });

  test('mistyped HOST exits with a message', async () => {
    const server = new ServerProcess(workDir, {
      DATA_DIR: path.join(workDir, 'mistyped-host'),
      HOST: '999.1.1.1',
    });

    const exit = await server.exited;

    assert.notEqual(exit.code, 0);
    assert.match(server.stderr, /HOST="999\.1\.1\.1"/);
    assert.doesNotMatch(server.stderr, /\n\s+at /, 'stack trace in the message');
  });

  test('unwritable SQLite folder exits with a message', async (t) => {
    const isRoot = process.getuid?.() === 0;
    const nobody = nobodyUser();
    if (isRoot && nobody === undefined) {
      t.skip('running as root, and user nobody cannot run the server from this checkout');
      return;
    }
    // Both folders must be reachable by `nobody`, so they live outside the private workDir.
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-readonly-'));
    t.after(() => fs.rmSync(base, { recursive: true, force: true }));
    fs.chmodSync(base, 0o755);
    const dataDir = path.join(base, 'data');
    const readOnly = path.join(base, 'read-only');
    fs.mkdirSync(dataDir);
    fs.chmodSync(dataDir, 0o777);
    fs.mkdirSync(readOnly);
    fs.chmodSync(readOnly, 0o555);
    const databaseUrl = `sqlite:${path.join(readOnly, 'workbench.sqlite')}`;

    const server = new ServerProcess(
      base,
      { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PORT: String(await freePort()) },
      nobody ?? {},
    );
    const exit = await server.exited;

    assert.equal(exit.code, 1, server.stderr);
    assert.ok(server.stderr.includes(`DATABASE_URL=${databaseUrl}`), server.stderr);
    assert.ok(server.stderr.includes(`${readOnly} is not writable`), server.stderr);
    assert.doesNotMatch(server.stderr, /LLM Workbench server at/);
    assert.doesNotMatch(server.stderr, /\n\s+at /, 'stack trace in the message');
  });

  test('busy port exits with a message', async (t) => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    t.after(() => holder.close());
    const { port } = holder.address() as net.AddressInfo;

    const server = new ServerProcess(workDir, {
      DATA_DIR: path.join(workDir, 'busy-port'),
      PORT: String(port),
      BCRYPT_ROUNDS: '4',
    });
    const exit = await server.exited;

    assert.equal(exit.code, 1);
    assert.match(server.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
  });

  test('SIGTERM lets a request in flight finish', async () => {
    const port = await freePort();
    // bcrypt at cost 12 takes about 250 ms per compare, so the login is still running when the
    // signal arrives. Trace level logs each SQL statement, which shows that the login started.
    const server = new ServerProcess(workDir, {
      DATA_DIR: path.join(workDir, 'slow-login'),
      PORT: String(port),
      BCRYPT_ROUNDS: '12',
      LOG_LEVEL: 'trace',
      ADMIN_PASSWORD: 'slow-admin-password',
    });
    const url = await server.listening();
    const logOffset = server.stdout.length;

    const login = logIn(url, 'admin', 'slow-admin-password');
    await server.waitFor(
      /"msg":"sql"/,
      () => server.stdout.slice(logOffset),
      'the login to query the database',
    );
    server.kill('SIGTERM');
    const response = await login;
    const respondedAt = Date.now();
    const exit = await server.exited;
    const exitDelayMs = Date.now() - respondedAt;

    assert.equal(response.status, 200);
    assert.equal(typeof response.body.accessToken, 'string');
    assert.equal(exit.code, 0);
    // A connection kept alive after the response would hold the exit for seconds, until the
    // client's or the server's keep-alive timeout closes it.
    assert.ok(exitDelayMs < 2500, `exited ${exitDelayMs} ms after the response`);
    const messages = server.logLines().map((line) => line.msg);
    const signalAt = messages.indexOf('signal received');
    const requestAt = messages.lastIndexOf('request');
    const stoppedAt = messages.indexOf('server stopped');
    assert.ok(signalAt !== -1, 'no log line for the signal');
    assert.ok(requestAt > signalAt, 'the login finished before the signal');
    assert.ok(stoppedAt > requestAt, 'no "server stopped" after the login');
  });

  test('.env in the working directory is read', async () => {
    const port = await freePort();
    const envDir = fs.mkdtempSync(path.join(workDir, 'dotenv-'));
    fs.writeFileSync(
      path.join(envDir, '.env'),
      [
        `PORT=${port}`,
        `DATA_DIR=${path.join(envDir, 'data')}`,
        'ADMIN_PASSWORD=from-dotenv-password',
        // The environment below sets a valid value, which must win over this one.
        'BCRYPT_ROUNDS=not-a-number',
        '',
      ].join('\n'),
    );
    const server = new ServerProcess(envDir, { BCRYPT_ROUNDS: '4' });

    const url = await server.listening();
    const login = await logIn(url, 'admin', 'from-dotenv-password');
    server.kill('SIGTERM');
    const exit = await server.exited;

    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.ok(fs.existsSync(path.join(envDir, 'data', 'workbench.sqlite')));
    assert.match(server.stderr, /password: the value of ADMIN_PASSWORD/);
    assert.equal(login.status, 200);
    assert.equal(exit.code, 0);
  });
});
