import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { createTestDatabase, testDialect, TEST_ADMIN, TestServer } from '../testing/testServer.js';
import { scheduleUploadSweeps } from './sweep.js';

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

/** Writes a `.part` file two hours old, older than the sweep's one-hour limit for strays. */
function writeStaleFile(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'partial');
  const twoHoursAgo = new Date(Date.now() - TWO_HOURS_MS);
  fs.utimesSync(file, twoHoursAgo, twoHoursAgo);
  return file;
}

/** Polls until `done` holds; fails after `timeoutMs`. */
async function waitUntil(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting until ${what}`);
    }
    await delay(20);
  }
}

describe(`upload sweep at server start (${testDialect})`, () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-sweep-start-'));
    database = await createTestDatabase(dataDir);
  });

  after(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('start removes a stray file left from before', async () => {
    const stray = writeStaleFile(path.join(dataDir, 'datasets', 'tmp'), 'left-over.part');
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
    });

    const running = await startServer(config, createLogger('silent'));
    try {
      await waitUntil(() => !fs.existsSync(stray), 'the stray file is removed');
    } finally {
      await running.close();
    }
  });
});

describe(`scheduled upload sweeps (${testDialect})`, () => {
  let server: TestServer;
  let tmpDir: string;

  before(async () => {
    server = await TestServer.start();
    tmpDir = path.join(server.config.dataDir, 'datasets', 'tmp');
  });

  after(async () => {
    await server.close();
  });

  test('sweeps repeat until stopped', async () => {
    const sweeps = scheduleUploadSweeps(server.running.services, 50);
    try {
      const first = writeStaleFile(tmpDir, 'first.part');
      await waitUntil(() => !fs.existsSync(first), 'a sweep removes the first file');
      // Written after the sweep that removed the first file had listed the folder.
      const second = writeStaleFile(tmpDir, 'second.part');
      await waitUntil(() => !fs.existsSync(second), 'a later sweep removes the second file');
    } finally {
      await sweeps.stop();
    }
    const afterStop = writeStaleFile(tmpDir, 'after-stop.part');

    await delay(300);

    assert.equal(fs.existsSync(afterStop), true, 'no sweep ran after stop');
    fs.rmSync(afterStop);
  });

  test('a failed sweep is logged', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    // A data directory that is a file: the sweep cannot create its folders there.
    const notADirectory = path.join(server.config.dataDir, 'plain-file');
    fs.writeFileSync(notADirectory, '');
    const services = {
      config: { ...server.config, dataDir: notADirectory },
      logger: createLogger('info', sink),
    };

    const sweeps = scheduleUploadSweeps(services, 60_000);
    await sweeps.stop();

    const failures = lines
      .map((line) => JSON.parse(line) as { msg: string; err?: { code?: string } })
      .filter((entry) => entry.msg === 'dataset upload sweep failed');
    assert.equal(failures.length, 1, lines.join(''));
    assert.equal(failures[0]?.err?.code, 'ENOTDIR');
  });
});
