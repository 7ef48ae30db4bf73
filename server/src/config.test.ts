import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-config-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('defaults for an empty environment', () => {
    const config = loadConfig({ DATA_DIR: dataDir });

    assert.equal(config.port, 8000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.bcryptRounds, 10);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.maxUploadMb, 512);
    assert.deepEqual(config.corsOrigins, []);
    assert.equal(config.adminEmail, undefined);
    assert.equal(config.adminPassword, undefined);
    assert.equal(config.dataDir, dataDir);
    assert.equal(config.databaseUrl, `sqlite:${path.join(dataDir, 'workbench.sqlite')}`);
  });

  test('DATA_DIR defaults to ./data in the working directory', (t) => {
    const workDir = fs.realpathSync(dataDir);
    const previous = process.cwd();
    process.chdir(workDir);
    t.after(() => process.chdir(previous));

    const config = loadConfig({});

    assert.equal(config.dataDir, path.join(workDir, 'data'));
    assert.equal(config.databaseUrl, `sqlite:${path.join(workDir, 'data', 'workbench.sqlite')}`);
    assert.equal(fs.statSync(config.dataDir).isDirectory(), true);
  });

  test('empty values count as unset', () => {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '', LOG_LEVEL: '' });

    assert.equal(config.port, 8000);
    assert.equal(config.logLevel, 'info');
  });

  test('explicit values override defaults', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '::1',
      BCRYPT_ROUNDS: '12',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'mysql://user:pass@127.0.0.1:3306/app',
      CORS_ORIGINS: 'http://localhost:3000, https://example.com',
      ADMIN_EMAIL: 'ops@example.com',
    });

    assert.equal(config.port, 0);
    assert.equal(config.host, '::1');
    assert.equal(config.bcryptRounds, 12);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.databaseUrl, 'mysql://user:pass@127.0.0.1:3306/app');
    assert.deepEqual(config.corsOrigins, ['http://localhost:3000', 'https://example.com']);
    assert.equal(config.adminEmail, 'ops@example.com');
  });

  // [variable, value, text the message must contain besides the variable]
  const invalidValues: [string, string, string][] = [
    ['PORT', 'abc', '"abc"'],
    ['PORT', '70000', '"70000"'],
    ['PORT', '-1', '"-1"'],
    ['BCRYPT_ROUNDS', '3', '"3"'],
    ['BCRYPT_ROUNDS', '16', '"16"'],
    ['LOG_LEVEL', 'loud', '"loud"'],
    ['DATABASE_URL', 'postgres://x', '"postgres://x"'],
    ['CORS_ORIGINS', 'not a url', '"not a url"'],
    ['CORS_ORIGINS', 'http://localhost:3000/app', '"http://localhost:3000/app"'],
    ['CORS_ORIGINS', 'http://localhost:3000,ftp//x', '"ftp//x"'],
    ['ADMIN_EMAIL', 'bad', '"bad"'],
    ['MAX_UPLOAD_MB', '0', '"0"'],
    ['JWT_SECRET', 'too-short-secret', '16 characters'],
    ['APP_SECRET', 'xyz', '3 characters'],
    ['ADMIN_PASSWORD', 'short', '5 characters'],
    ['ADMIN_PASSWORD', 'é'.repeat(37), '72 bytes'],
    ['ADMIN_PASSWORD', 'password\ud800', 'well-formed Unicode'],
    ['HOST', '999.1.1.1', '"999.1.1.1"'],
    ['HOST', '1.2.3', '"1.2.3"'],
    ['HOST', '[::1]', '"[::1]"'],
    ['HOST', 'two words', '"two words"'],
    ['HOST', '-leading-hyphen', '"-leading-hyphen"'],
    ['TRUST_PROXY', 'yes', '"yes"'],
    ['UPLOAD_EXPIRY_HOURS', '0', 'between 1 and 8760'],
    ['UPLOAD_EXPIRY_HOURS', '1.5', 'whole number from 1 to 8760'],
    ['MAX_UPLOAD_MB', '-1', 'whole number from 1 to 102400'],
    ['CHAT_KEEPALIVE_MS', 'often', 'whole number of milliseconds'],
    ['CHAT_KEEPALIVE_MS', '5', 'between 10 and 600000'],
    ['TRAINING_POLL_INTERVAL_MS', 'fast', 'whole number of milliseconds'],
    ['TRAINING_LEASE_MS', '10', 'between 500 and 3600000'],
    ['TRAINING_SSE_KEEPALIVE_MS', '-1', '"-1"'],
    ['TRAINING_LEASE_MS', '-5', 'whole number of milliseconds from 500 to 3600000'],
  ];
  for (const [name, value, shown] of invalidValues) {
    test(`rejects ${name}=${value}`, () => {
      assert.throws(
        () => loadConfig({ DATA_DIR: dataDir, [name]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
          assert.match(error.message, new RegExp(`\\b${name}\\b`));
          assert.ok(error.message.includes(shown), error.message);
          return true;
        },
      );
    });
  }

  for (const host of ['localhost', '0.0.0.0', '192.0.2.10', '::', '::1', 'workbench.example.com']) {
    test(`accepts HOST=${host}`, () => {
      assert.equal(loadConfig({ DATA_DIR: dataDir, HOST: host }).host, host);
    });
  }

  test('ADMIN_PASSWORD of exactly 72 bytes is accepted', () => {
    const password = 'é'.repeat(36);

    assert.equal(
      loadConfig({ DATA_DIR: dataDir, ADMIN_PASSWORD: password }).adminPassword,
      password,
    );
  });

  test('provider settings default to the closed policy', () => {
    const config = loadConfig({ DATA_DIR: dataDir });

    assert.equal(config.providerPrivateNetworks, 'admins');
    assert.equal(config.providerListTimeoutMs, 15_000);
    assert.equal(config.providerTestsPerMinute, 10);
  });

  test('list timeout falls back to its earlier name', () => {
    const earlier = loadConfig({ DATA_DIR: dataDir, PROVIDER_TEST_TIMEOUT_MS: '2500' });
    const both = loadConfig({
      DATA_DIR: dataDir,
      PROVIDER_TEST_TIMEOUT_MS: '2500',
      PROVIDER_LIST_TIMEOUT_MS: '4000',
    });

    assert.equal(earlier.providerListTimeoutMs, 2500);
    assert.equal(both.providerListTimeoutMs, 4000);
  });

  test('unknown private network policy is rejected', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir, PROVIDER_PRIVATE_NETWORKS: 'everyone' }),
      /PROVIDER_PRIVATE_NETWORKS="everyone": PROVIDER_PRIVATE_NETWORKS must be admins .* or all/,
    );
  });

  test('upload, chat and training defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir });

    assert.equal(config.uploadExpiryMs, 24 * 60 * 60 * 1000);
    assert.equal(config.chatKeepAliveMs, 15_000);
    assert.deepEqual(config.training, {
      pollIntervalMs: 400,
      stopGraceMs: 120_000,
      termGraceMs: 30_000,
      reconnectMinMs: 1000,
      reconnectMaxMs: 60_000,
      leaseMs: 60_000,
      sshReadyTimeoutMs: 20_000,
      sshKeepaliveMs: 15_000,
      commandTimeoutMs: 120_000,
      sseKeepAliveMs: 15_000,
    });
  });

  test('upload, chat and training values', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      UPLOAD_EXPIRY_HOURS: '2',
      CHAT_KEEPALIVE_MS: '500',
      TRAINING_POLL_INTERVAL_MS: '100',
      TRAINING_STOP_GRACE_MS: '0',
      TRAINING_TERM_GRACE_MS: '1500',
      TRAINING_RECONNECT_MIN_MS: '50',
      TRAINING_RECONNECT_MAX_MS: '400',
      TRAINING_LEASE_MS: '2000',
      TRAINING_SSH_READY_TIMEOUT_MS: '10000',
      TRAINING_SSH_KEEPALIVE_MS: '0',
      TRAINING_COMMAND_TIMEOUT_MS: '30000',
      TRAINING_SSE_KEEPALIVE_MS: '200',
    });

    assert.equal(config.uploadExpiryMs, 2 * 60 * 60 * 1000);
    assert.equal(config.chatKeepAliveMs, 500);
    assert.deepEqual(config.training, {
      pollIntervalMs: 100,
      stopGraceMs: 0,
      termGraceMs: 1500,
      reconnectMinMs: 50,
      reconnectMaxMs: 400,
      leaseMs: 2000,
      sshReadyTimeoutMs: 10_000,
      sshKeepaliveMs: 0,
      commandTimeoutMs: 30_000,
      sseKeepAliveMs: 200,
    });
  });

  test('reconnect maximum raised to the minimum', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      TRAINING_RECONNECT_MIN_MS: '5000',
      TRAINING_RECONNECT_MAX_MS: '100',
    });

    assert.equal(config.training.reconnectMinMs, 5000);
    assert.equal(config.training.reconnectMaxMs, 5000);
  });

  test('TRUST_PROXY is off unless true', () => {
    assert.equal(loadConfig({ DATA_DIR: dataDir }).trustProxy, false);
    assert.equal(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: 'true' }).trustProxy, true);
  });

  test('rejection hides secret values', () => {
    const secrets = {
      JWT_SECRET: 'jwt-secret-9',
      APP_SECRET: 'app-secret-9',
      ADMIN_PASSWORD: 'pw1',
    };

    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir, ...secrets }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const [name, value] of Object.entries(secrets)) {
          assert.match(error.message, new RegExp(`\\b${name}\\b`));
          assert.equal(error.message.includes(value), false, `${name} value leaked`);
        }
        return true;
      },
    );
  });

  test('rejection hides a database password', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://app:hunter2@db/app' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /DATABASE_URL="postgres:\/\/app:\*\*\*@db\/app"/);
        assert.equal(error.message.includes('hunter2'), false);
        return true;
      },
    );
  });

  test('rejection names every invalid variable', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: dataDir, PORT: 'abc', LOG_LEVEL: 'loud' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PORT="abc"/);
        assert.match(error.message, /LOG_LEVEL="loud"/);
        return true;
      },
    );
  });

  test('DATA_DIR that is a file is rejected', () => {
    const file = path.join(dataDir, 'plain-file');
    fs.writeFileSync(file, '');

    assert.throws(
      () => loadConfig({ DATA_DIR: file }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /DATA_DIR=/);
        assert.ok(error.message.includes(file), error.message);
        return true;
      },
    );
  });

  test('secrets file is created with mode 0600', () => {
    const config = loadConfig({ DATA_DIR: dataDir });

    const file = path.join(dataDir, 'secrets.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    assert.equal(stored.jwtSecret, config.jwtSecret);
    assert.equal(stored.appSecret, config.appSecret);
    assert.ok(config.jwtSecret.length >= 32);
    assert.ok(config.appSecret.length >= 32);
    assert.notEqual(config.jwtSecret, config.appSecret);
  });

  test('secrets file is reused on the next load', () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });

    assert.equal(second.jwtSecret, first.jwtSecret);
    assert.equal(second.appSecret, first.appSecret);
  });

  test('secrets file mode is tightened to 0600', () => {
    loadConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, 'secrets.json');
    fs.chmodSync(file, 0o644);

    loadConfig({ DATA_DIR: dataDir });

    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  test('environment secrets override the file', () => {
    const generated = loadConfig({ DATA_DIR: dataDir });
    const jwtSecret = 'j'.repeat(32);

    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: jwtSecret });

    assert.equal(config.jwtSecret, jwtSecret);
    assert.equal(config.appSecret, generated.appSecret);
  });

  test('both environment secrets skip the file', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      JWT_SECRET: 'j'.repeat(32),
      APP_SECRET: 'a'.repeat(32),
    });

    assert.equal(config.appSecret, 'a'.repeat(32));
    assert.equal(fs.existsSync(path.join(dataDir, 'secrets.json')), false);
  });

  const corruptFiles: [string, string][] = [
    ['truncated JSON', '{"jwtSecret": "abc'],
    ['empty file', ''],
    ['null', 'null'],
    ['array', '[]'],
    ['number secret', JSON.stringify({ jwtSecret: 5, appSecret: 'a'.repeat(48) })],
    ['empty secret', JSON.stringify({ jwtSecret: '', appSecret: 'a'.repeat(48) })],
    ['short secret', JSON.stringify({ jwtSecret: 'abc', appSecret: 'a'.repeat(48) })],
  ];
  for (const [name, content] of corruptFiles) {
    test(`secrets file with ${name} is rejected`, () => {
      const file = path.join(dataDir, 'secrets.json');
      fs.writeFileSync(file, content, { mode: 0o600 });

      assert.throws(
        () => loadConfig({ DATA_DIR: dataDir }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
          assert.ok(error.message.includes(file), error.message);
          assert.match(error.message, /delete it to generate new secrets/);
          return true;
        },
      );
      assert.equal(fs.readFileSync(file, 'utf8'), content);
    });
  }
});
