import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { initModels, User } from '../models/index.js';
import { startServer, type RunningServer } from '../server.js';
import { createTestDatabase, testDialect, TEST_ADMIN } from '../testing/testServer.js';
import { connectDatabase } from './connect.js';
import { createMigrator, migrateUp } from './migrate.js';

const ALL_MIGRATIONS = [
  '0001-users-and-auth',
  '0002-providers',
  '0003-model-configs-and-usage',
  '0004-chat',
  '0005-training',
  '0006-datasets',
  '0007-compare',
  '0008-provider-hardening',
  '0009-prompts',
];
const MIGRATED_TABLES = [
  'users',
  'refresh_tokens',
  'audit_log',
  'providers',
  'provider_models',
  'model_configs',
  'usage_records',
];
const silentLogger = createLogger('silent');

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  const tables = (await sequelize.getQueryInterface().showAllTables()) as unknown[];
  return tables.map((table) =>
    typeof table === 'string' ? table : (table as { tableName: string }).tableName,
  );
}

async function appliedMigrations(sequelize: Sequelize): Promise<string[]> {
  const [rows] = await sequelize.query('SELECT name FROM migrations ORDER BY name');
  return (rows as { name: string }[]).map((row) => row.name);
}

/** Starts a server on `dataDir` and collects its JSON log lines. */
async function startOn(
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<{ running: RunningServer; log: string[] }> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    BCRYPT_ROUNDS: '4',
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
  });
  const log: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const running = await startServer(config, createLogger('info', sink));
  return { running, log };
}

describe(`database migrations (${testDialect})`, () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };
  let sequelize: Sequelize | undefined;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-migrate-'));
    database = await createTestDatabase(dataDir);
  });

  afterEach(async () => {
    await sequelize?.close();
    sequelize = undefined;
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('empty database gets every table', async () => {
    sequelize = await connectDatabase(database.url, silentLogger);

    const applied = await migrateUp(sequelize, silentLogger);

    assert.deepEqual(applied, ALL_MIGRATIONS);
    const tables = await tableNames(sequelize);
    for (const table of [...MIGRATED_TABLES, 'migrations']) {
      assert.ok(tables.includes(table), `missing table ${table} in ${tables.join(', ')}`);
    }
    assert.deepEqual(await appliedMigrations(sequelize), ALL_MIGRATIONS);
  });

  test('second run applies nothing', async () => {
    sequelize = await connectDatabase(database.url, silentLogger);
    await migrateUp(sequelize, silentLogger);

    const applied = await migrateUp(sequelize, silentLogger);

    assert.deepEqual(applied, []);
    assert.deepEqual(await appliedMigrations(sequelize), ALL_MIGRATIONS);
  });

  test('migrated columns match the models', async () => {
    sequelize = await connectDatabase(database.url, silentLogger);
    await migrateUp(sequelize, silentLogger);
    initModels(sequelize);

    // umzug's SequelizeMeta model for the migrations table is checked along with the app's models.
    const models = Object.values(sequelize.models);
    const modelNames = models.map((model) => model.name);
    for (const name of ['User', 'RefreshToken', 'AuditLog', 'ModelConfig', 'UsageRecord']) {
      assert.ok(modelNames.includes(name), `model ${name} is not initialised`);
    }
    for (const model of models) {
      const columns = await sequelize.getQueryInterface().describeTable(model.tableName);
      for (const attribute of Object.values(model.getAttributes())) {
        const column = attribute.field ?? '';
        assert.ok(column in columns, `${model.tableName} has no column ${column}`);
      }
    }
  });

  test('down then up restores the tables', async () => {
    sequelize = await connectDatabase(database.url, silentLogger);
    const migrator = createMigrator(sequelize, silentLogger);
    await migrator.up();

    const reverted = await migrator.down({ to: 0 });

    assert.deepEqual(
      reverted.map((migration) => migration.name),
      [...ALL_MIGRATIONS].reverse(),
    );
    const afterDown = await tableNames(sequelize);
    for (const table of MIGRATED_TABLES) {
      assert.equal(afterDown.includes(table), false, `table ${table} still exists`);
    }
    assert.deepEqual(await appliedMigrations(sequelize), []);

    const reapplied = await migrator.up();

    assert.deepEqual(
      reapplied.map((migration) => migration.name),
      ALL_MIGRATIONS,
    );
    const afterUp = await tableNames(sequelize);
    for (const table of MIGRATED_TABLES) {
      assert.ok(afterUp.includes(table), `missing table ${table} after up`);
    }
  });

  test('provider hardening fills keys and flags', async () => {
    sequelize = await connectDatabase(database.url, silentLogger);
    const migrator = createMigrator(sequelize, silentLogger);
    await migrator.up({ to: '0007-compare' });
    const now = new Date();
    const insertUser = async (nickname: string, role: string) => {
      await sequelize!.query(
        'INSERT INTO users (email, nickname, nickname_key, password_hash, role, is_active, ' +
          'created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        {
          replacements: [`${nickname}@example.com`, nickname, nickname, 'x', role, true, now, now],
        },
      );
      const [rows] = await sequelize!.query('SELECT id FROM users WHERE nickname = ?', {
        replacements: [nickname],
      });
      return (rows as { id: number }[])[0]!.id;
    };
    const insertProvider = (ownerId: number, name: string) =>
      sequelize!.query(
        'INSERT INTO providers (owner_id, name, kind, base_url, header_names, shared, enabled, ' +
          'status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        {
          replacements: [
            ownerId,
            name,
            'ollama',
            'http://127.0.0.1:11434',
            '[]',
            false,
            true,
            'unknown',
            now,
            now,
          ],
        },
      );
    const adminId = await insertUser('boss', 'admin');
    const userId = await insertUser('ada', 'user');
    await insertProvider(adminId, 'Local');
    await insertProvider(userId, 'Claude');
    // Only SQLite compared names with case, so only there can both exist before this migration.
    if (testDialect === 'sqlite') {
      await insertProvider(userId, 'claude');
    }

    await migrator.up();

    const [rows] = await sequelize.query(
      'SELECT id, owner_id, name, name_key, allow_private_network, connection_version ' +
        'FROM providers ORDER BY id',
    );
    const providers = rows as {
      id: number;
      name: string;
      name_key: string;
      allow_private_network: number | boolean;
      connection_version: number;
    }[];
    assert.deepEqual(
      providers.map((row) => [row.name_key, Boolean(row.allow_private_network)]),
      [
        ['local', true],
        ['claude', false],
        ...(testDialect === 'sqlite' ? [[`claude (${providers[2]!.id})`, false]] : []),
      ],
    );
    assert.ok(providers.every((row) => row.connection_version === 0));
    if (testDialect === 'sqlite') {
      assert.equal(providers[2]?.name, `claude (${providers[2]!.id})`);
    }
    await assert.rejects(
      sequelize.query(
        'INSERT INTO providers (owner_id, name, name_key, kind, base_url, header_names, ' +
          'created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        { replacements: [userId, 'CLAUDE', 'claude', 'ollama', 'http://h', '[]', now, now] },
      ),
      'the unique index on (owner_id, name_key) let a second "claude" in',
    );
  });

  test('restart on the same data keeps users', async () => {
    // SQLite uses the default file in DATA_DIR, so the second start must find it there.
    const databaseUrl = testDialect === 'sqlite' ? undefined : database.url;
    const first = await startOn(dataDir, databaseUrl);
    let registered: Response;
    try {
      registered = await fetch(`${first.running.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          email: 'kept@example.com',
          nickname: 'kept',
          password: 'kept-pw-1',
        }),
      });
    } finally {
      await first.running.close();
    }
    assert.equal(registered.status, 201);
    assert.ok(first.running.createdAdmin !== undefined);
    assert.ok(first.log.some((line) => line.includes('"msg":"applied database migrations"')));
    if (testDialect === 'sqlite') {
      assert.ok(fs.existsSync(path.join(dataDir, 'workbench.sqlite')));
    }

    const second = await startOn(dataDir, databaseUrl);
    let login: Response;
    let userCount: number;
    try {
      login = await fetch(`${second.running.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: 'kept', password: 'kept-pw-1', tokenDelivery: 'body' }),
      });
      userCount = await User.count();
    } finally {
      await second.running.close();
    }

    assert.equal(login.status, 200);
    assert.equal(userCount, 2);
    assert.equal(second.running.createdAdmin, undefined);
    assert.equal(
      second.log.some((line) => line.includes('"msg":"migration"')),
      false,
      'the second start ran a migration',
    );
    assert.equal(
      second.log.some((line) => line.includes('"msg":"applied database migrations"')),
      false,
    );
  });
});
