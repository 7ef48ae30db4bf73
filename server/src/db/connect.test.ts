import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DataTypes, QueryTypes, type Transaction } from 'sequelize';
import { ConfigError } from '../config.js';
import { createLogger } from '../logger.js';
import { connectDatabase } from './connect.js';

const silentLogger = createLogger('silent');

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Asserts that connecting fails with a ConfigError and returns its message. */
async function connectError(url: string): Promise<string> {
  try {
    const sequelize = await connectDatabase(url, silentLogger);
    await sequelize.close();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`connecting to ${url} succeeded`);
}

describe('connectDatabase on SQLite', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-connect-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('new database files are private', async (t) => {
    // Under the usual umask of 022, files SQLite creates itself are readable by everyone.
    const previousUmask = process.umask(0o022);
    t.after(() => process.umask(previousUmask));
    const file = path.join(dir, 'fresh.sqlite');

    const sequelize = await connectDatabase(`sqlite:${file}`, silentLogger);
    try {
      await sequelize.query('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
      await sequelize.query("INSERT INTO notes (text) VALUES ('hello')");

      assert.equal(modeOf(file), 0o600);
      assert.equal(modeOf(`${file}-wal`), 0o600);
      assert.equal(modeOf(`${file}-shm`), 0o600);
    } finally {
      await sequelize.close();
    }
  });

  test('transactions commit without a full fsync', async () => {
    const sequelize = await connectDatabase(
      `sqlite:${path.join(dir, 'sync.sqlite')}`,
      silentLogger,
    );
    try {
      // Sequelize runs each transaction on a connection of its own; 1 is NORMAL, 2 is FULL.
      const inTransaction = await sequelize.transaction((transaction) =>
        sequelize.query('PRAGMA synchronous', { transaction, plain: true }),
      );
      const outside = await sequelize.query('PRAGMA synchronous', { plain: true });

      assert.deepEqual(inTransaction, { synchronous: 1 });
      assert.deepEqual(outside, { synchronous: 1 });
    } finally {
      await sequelize.close();
    }
  });

  /** Returns the sqlite3 connection Sequelize gave a transaction; its types leave it out. */
  const connectionOf = (transaction: Transaction) =>
    (transaction as unknown as { connection: unknown }).connection;

  test('transactions reuse their connection', async () => {
    const sequelize = await connectDatabase(
      `sqlite:${path.join(dir, 'reuse.sqlite')}`,
      silentLogger,
    );
    try {
      await sequelize.query('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const connections = new Set<unknown>();
      for (let round = 0; round < 5; round += 1) {
        await sequelize.transaction(async (transaction) => {
          connections.add(connectionOf(transaction));
          await sequelize.query("INSERT INTO notes (body) VALUES ('kept')", { transaction });
        });
      }
      // A rolled back transaction leaves the connection clean for the next one.
      await assert.rejects(
        sequelize.transaction(async (transaction) => {
          connections.add(connectionOf(transaction));
          await sequelize.query("INSERT INTO notes (body) VALUES ('undone')", { transaction });
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await sequelize.transaction(async (transaction) => {
        connections.add(connectionOf(transaction));
        await sequelize.query("INSERT INTO notes (body) VALUES ('kept')", { transaction });
      });
      const [rows] = await sequelize.query('SELECT body FROM notes ORDER BY id');

      assert.equal(connections.size, 1);
      assert.deepEqual(
        (rows as { body: string }[]).map((row) => row.body),
        ['kept', 'kept', 'kept', 'kept', 'kept', 'kept'],
      );
    } finally {
      await sequelize.close();
    }
  });

  test('column types are read once per table', async () => {
    const sequelize = await connectDatabase(
      `sqlite:${path.join(dir, 'columns.sqlite')}`,
      silentLogger,
    );
    try {
      const connection = (await sequelize.connectionManager.getConnection({
        type: 'read',
      })) as unknown as { on(event: 'trace', listener: (sql: string) => void): void };
      const lookups: string[] = [];
      connection.on('trace', (sql) => {
        if (sql.startsWith('PRAGMA table_info')) {
          lookups.push(sql);
        }
      });
      const Event = sequelize.define(
        'Event',
        { at: DataTypes.DATE },
        { tableName: 'events', timestamps: false },
      );
      await sequelize.query('CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME)');
      await sequelize.query("INSERT INTO events (at) VALUES ('2026-01-02 03:04:05.000 +00:00')");

      const first = await Event.findAll();
      await Event.findAll();
      await Event.findAll();
      const lookupsBeforeChange = lookups.length;
      await sequelize.query('ALTER TABLE events ADD COLUMN seen TEXT');
      const changed = await sequelize.query('SELECT * FROM `events`', { type: QueryTypes.SELECT });

      assert.equal(lookupsBeforeChange, 1);
      assert.equal(lookups.length, 2);
      assert.ok(first[0]?.get('at') instanceof Date, 'the cached type still parses dates');
      assert.ok('seen' in (changed[0] ?? {}));
    } finally {
      await sequelize.close();
    }
  });

  test('queued reads leave threads for a committing transaction', async () => {
    const sequelize = await connectDatabase(
      `sqlite:${path.join(dir, 'threads.sqlite')}`,
      silentLogger,
    );
    try {
      await sequelize.query('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      // Quoted, the table name makes Sequelize look up its column types first, so a read runs
      // after an await, as every model query does. The first read fills the lookup cache.
      const count = () => sequelize.query('SELECT count(*) AS n FROM `notes`');
      await count();
      const startedAt = Date.now();
      let outside: Promise<unknown>[] = [];
      await sequelize.transaction(async (transaction) => {
        await sequelize.query("INSERT INTO notes (body) VALUES ('first')", { transaction });
        // A write outside the transaction waits for its lock, and reads queue behind the write
        // on the same connection: more statements than libuv has worker threads.
        outside = [
          sequelize.query("INSERT INTO notes (body) VALUES ('outside')"),
          ...Array.from({ length: 8 }, count),
        ];
        await delay(100);
        await sequelize.query("INSERT INTO notes (body) VALUES ('second')", { transaction });
      });
      const outcomes = await Promise.allSettled(outside);
      const elapsedMs = Date.now() - startedAt;

      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        Array.from({ length: 9 }, () => 'fulfilled'),
      );
      assert.ok(elapsedMs < 2_000, `took ${elapsedMs} ms, as if waiting for the busy timeout`);
    } finally {
      await sequelize.close();
    }
  });

  test('readable database files are made private', async () => {
    const file = path.join(dir, 'old.sqlite');
    const first = await connectDatabase(`sqlite:${file}`, silentLogger);
    await first.query('CREATE TABLE notes (id INTEGER PRIMARY KEY)');
    await first.close();
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(`${file}-wal`, '');
    fs.chmodSync(`${file}-wal`, 0o644);

    const second = await connectDatabase(`sqlite:${file}`, silentLogger);
    try {
      assert.equal(modeOf(file), 0o600);
      assert.equal(modeOf(`${file}-wal`), 0o600);
    } finally {
      await second.close();
    }
  });

  test('folder that is a file is named', async () => {
    const blocker = path.join(dir, 'plain-file');
    fs.writeFileSync(blocker, '');
    const url = `sqlite:${path.join(blocker, 'db.sqlite')}`;

    const message = await connectError(url);

    assert.ok(message.includes(`DATABASE_URL=${url}`), message);
    assert.ok(message.includes(blocker), message);
    assert.doesNotMatch(message, /database server/);
  });

  test('file that is not a database is named', async () => {
    const file = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(file, 'These are notes, not a SQLite database. '.repeat(100));

    const message = await connectError(`sqlite:${file}`);

    assert.ok(message.includes(file), message);
    assert.match(message, /DATABASE_URL names a SQLite database file/);
    assert.doesNotMatch(message, /database server/);
  });

  test('database path that is a folder is named', async () => {
    const message = await connectError(`sqlite:${dir}`);

    assert.ok(message.includes(`DATABASE_URL=sqlite:${dir}`), message);
    assert.doesNotMatch(message, /database server/);
  });
});

describe('connectDatabase on MySQL', () => {
  test('unreachable server says to check it is running', async (t) => {
    // A local listener that drops every connection plays a server that is down.
    const listener = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    t.after(() => listener.close());
    const { port } = listener.address() as net.AddressInfo;

    const message = await connectError(`mysql://app:hunter2@127.0.0.1:${port}/app`);

    assert.match(message, /that the database server is running/);
    assert.ok(message.includes(`mysql://app:***@127.0.0.1:${port}/app`), message);
    assert.equal(message.includes('hunter2'), false);
  });
});
