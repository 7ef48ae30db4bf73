import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ApiErrorBody, TokenResponse } from '../../../shared/src/api/users.js';
import { AuditLog, User } from '../models/index.js';
import { TEST_ADMIN, testDialect, TestServer, type TestResponse } from '../testing/testServer.js';

/**
 * The server's defaults: 5 failures for an account or 20 for an address in 15 minutes, then a
 * one-minute block that doubles with each further failure.
 */
const MAX_FAILURES = 5;
const ADDRESS_MAX_FAILURES = 4 * MAX_FAILURES;
const WINDOW_MS = 15 * 60_000;
const FIRST_BLOCK_SECONDS = 60;

type AuthResponse = TestResponse<Partial<TokenResponse> & Partial<ApiErrorBody>>;

/**
 * Each test gets a fresh server, because every request comes from 127.0.0.1 and the per-address
 * count would otherwise carry over from one test to the next.
 */
describe(`login and register rate limit (${testDialect})`, () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await TestServer.start();
  });

  afterEach(async () => {
    await server.close();
  });

  function logIn(login: string, password: string): Promise<AuthResponse> {
    return server.request('POST', '/api/auth/login', {
      body: { login, password, tokenDelivery: 'body' },
    });
  }

  function register(email: string, nickname: string): Promise<AuthResponse> {
    return server.request('POST', '/api/auth/register', {
      body: { email, nickname, password: 'password-123' },
    });
  }

  async function failLogins(login: string, count: number): Promise<void> {
    for (let attempt = 1; attempt <= count; attempt += 1) {
      const response = await logIn(login, 'wrong-password');
      assert.equal(response.status, 401, `failed login ${attempt} of ${count} for ${login}`);
    }
  }

  test('account blocks after five failures', async () => {
    const victim = await server.signUp('victim');
    await failLogins('victim', MAX_FAILURES);

    const blocked = await logIn('victim', victim.password);

    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error?.code, 'too_many_attempts');
    assert.equal(blocked.body.accessToken, undefined);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > FIRST_BLOCK_SECONDS - 5, `Retry-After: ${retryAfter}`);
    assert.ok(retryAfter <= FIRST_BLOCK_SECONDS, `Retry-After: ${retryAfter}`);
    assert.deepEqual(blocked.body.error?.details, { retryAfterSeconds: retryAfter });
    assert.match(
      blocked.body.error?.message ?? '',
      new RegExp(`try again in ${retryAfter} seconds`),
    );
  });

  test('block covers email and nickname alike', async () => {
    const victim = await server.signUp('Alias');
    await failLogins('alias', 2);
    await failLogins(victim.email, 2);
    await failLogins('ALIAS@example.com', 1);

    const byNickname = await logIn('Alias', victim.password);
    const byEmail = await logIn(victim.email, victim.password);

    assert.equal(byNickname.status, 429);
    assert.equal(byEmail.status, 429);
  });

  test('four failures still allow a login', async () => {
    const user = await server.signUp('careful');
    await failLogins('careful', MAX_FAILURES - 1);

    const response = await logIn('careful', user.password);

    assert.equal(response.status, 200);
  });

  test('block is per account', async () => {
    await server.signUp('blocked-one');
    const bystander = await server.signUp('bystander');
    await failLogins('blocked-one', MAX_FAILURES);

    const response = await logIn('bystander', bystander.password);

    assert.equal(response.status, 200);
  });

  test('Retry-After grows with later failures', async () => {
    const victim = await server.signUp('persistent');
    const waits: number[] = [];
    await failLogins('persistent', MAX_FAILURES);
    waits.push(Number((await logIn('persistent', victim.password)).headers.get('retry-after')));
    for (const blockSeconds of [60, 120, 240]) {
      // Each block is waited out, then one more wrong password starts one twice as long.
      await ageAuditLog(blockSeconds * 1000 + 1000);
      await failLogins('persistent', 1);
      waits.push(Number((await logIn('persistent', victim.password)).headers.get('retry-after')));
    }

    for (let index = 1; index < waits.length; index += 1) {
      assert.ok((waits[index] ?? 0) > (waits[index - 1] ?? 0), `waits: ${waits.join(', ')}`);
    }
    assert.ok((waits[0] ?? 0) <= FIRST_BLOCK_SECONDS, `waits: ${waits.join(', ')}`);
    assert.ok((waits[3] ?? 0) > 7 * FIRST_BLOCK_SECONDS, `waits: ${waits.join(', ')}`);
  });

  test('Retry-After stops at the window length', async () => {
    await server.signUp('capped');
    await failLogins('capped', MAX_FAILURES);
    await ageAuditLog(14 * 60_000);
    for (let round = 0; round < 6; round += 1) {
      await AuditLog.create({
        action: 'auth.login_failed',
        actorId: null,
        targetType: null,
        targetId: null,
        login: 'capped@example.com',
        ip: '192.0.2.1',
        details: { reason: 'wrong_password' },
      });
    }

    const last = Number((await logIn('capped', 'guess')).headers.get('retry-after'));

    assert.ok(last <= WINDOW_MS / 1000, `${last}`);
    assert.ok(last > WINDOW_MS / 1000 - 5, `${last}`);
  });

  test('success resets the account count', async () => {
    const user = await server.signUp('forgetful');
    await failLogins('forgetful', MAX_FAILURES - 1);
    const success = await logIn('forgetful', user.password);
    await failLogins('forgetful', MAX_FAILURES - 1);

    const afterReset = await logIn('forgetful', user.password);
    await failLogins('forgetful', MAX_FAILURES);
    const blocked = await logIn('forgetful', user.password);

    assert.equal(success.status, 200);
    assert.equal(afterReset.status, 200);
    assert.equal(blocked.status, 429);
  });

  test('block lifts after one minute', async () => {
    const user = await server.signUp('patient');
    await failLogins('patient', MAX_FAILURES);

    await ageAuditLog(FIRST_BLOCK_SECONDS * 1000 + 1000);
    const allowed = await logIn('patient', user.password);

    assert.equal(allowed.status, 200);
  });

  test('blocked attempts do not extend the block', async () => {
    const user = await server.signUp('impatient');
    await failLogins('impatient', MAX_FAILURES);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await logIn('impatient', attempt % 2 === 0 ? 'guess' : user.password);
      assert.equal(response.status, 429, `blocked attempt ${attempt + 1}`);
      waits.push(Number(response.headers.get('retry-after')));
    }

    await ageAuditLog(FIRST_BLOCK_SECONDS * 1000 + 1000);
    const allowed = await logIn('impatient', user.password);

    assert.ok(Math.max(...waits) <= FIRST_BLOCK_SECONDS, `waits: ${waits.join(', ')}`);
    assert.equal(allowed.status, 200);
  });

  test('concurrent attempts reach bcrypt at most five times', async () => {
    const user = await server.signUp('raced');

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_unused, index) =>
        logIn('raced', index === 29 ? user.password : `wrong-${index}`),
      ),
    );
    const statuses = responses.map((response) => response.status);
    const checked = statuses.filter((status) => status !== 429).length;

    assert.ok(checked <= MAX_FAILURES, `statuses: ${statuses.join(', ')}`);
    assert.equal(statuses.filter((status) => status === 500).length, 0);
  });

  test('burst of sign-ins from one address passes', async () => {
    const users = [];
    for (let index = 0; index < ADDRESS_MAX_FAILURES + 5; index += 1) {
      users.push(await server.signUp(`office-${index}`));
    }

    const responses = await Promise.all(
      users.map((user, index) => logIn(`office-${index}`, user.password)),
    );

    assert.deepEqual(
      responses.map((response) => response.status),
      responses.map(() => 200),
    );
  });

  test('wrong current passwords count toward the block', async () => {
    const user = await server.signUp('guesser');
    const changes: number[] = [];
    for (let attempt = 0; attempt < MAX_FAILURES + 1; attempt += 1) {
      const response = await server.request('PUT', '/api/auth/password', {
        token: user.accessToken,
        body: { currentPassword: `guess-${attempt}`, newPassword: 'new-password-1' },
      });
      changes.push(response.status);
    }

    const login = await logIn('guesser', user.password);

    assert.deepEqual(changes, [400, 400, 400, 400, 400, 429]);
    assert.equal(login.status, 429);
  });

  test('failures age out of the window', async () => {
    const user = await server.signUp('returning');
    await failLogins('returning', MAX_FAILURES);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await logIn('returning', user.password);
    }

    await ageAuditLog(WINDOW_MS + 1000);
    await failLogins('returning', MAX_FAILURES - 1);
    const allowed = await logIn('returning', user.password);

    assert.equal(allowed.status, 200);
  });

  test('address blocks after failures across accounts', async () => {
    const user = await server.signUp('office-worker');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < ADDRESS_MAX_FAILURES; attempt += 1) {
      // A new unknown account every few attempts, so no account reaches its own limit.
      const account = `ghost-${Math.floor(attempt / (MAX_FAILURES - 1))}`;
      statuses.push((await logIn(account, 'wrong-password')).status);
    }

    const fromSameAddress = await logIn('office-worker', user.password);

    assert.deepEqual(new Set(statuses), new Set([401]));
    assert.equal(fromSameAddress.status, 429);
    assert.equal(fromSameAddress.body.error?.code, 'too_many_attempts');
    assert.ok(Number(fromSameAddress.headers.get('retry-after')) > 0);
  });

  test('address count survives a success', async () => {
    const user = await server.signUp('one-good-login');

    const statuses: number[] = [];
    for (let attempt = 0; attempt < ADDRESS_MAX_FAILURES; attempt += 1) {
      statuses.push((await logIn(`spray-${attempt}`, 'wrong-password')).status);
      if (attempt % (MAX_FAILURES - 1) === 0) {
        statuses.push((await logIn('one-good-login', user.password)).status);
      }
    }
    const afterLimit = await logIn('one-good-login', user.password);

    assert.ok(!statuses.includes(429), `statuses: ${statuses.join(', ')}`);
    assert.equal(afterLimit.status, 429);
  });

  test('register blocks after five failures', async () => {
    await server.signUp('taken');

    const failures: AuthResponse[] = [];
    for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) {
      failures.push(await register('taken@example.com', `fresh-nick-${attempt}`));
    }
    const blocked = await register('taken@example.com', 'fresh-nick-last');

    for (const failure of failures) {
      assert.equal(failure.status, 409);
      assert.equal(failure.body.error?.code, 'email_taken');
    }
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error?.code, 'too_many_attempts');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });

  test('register blocks an address probing emails', async () => {
    await server.signUp('popular');

    const statuses: number[] = [];
    for (let attempt = 0; attempt < ADDRESS_MAX_FAILURES; attempt += 1) {
      // Each attempt uses a new email and the taken nickname, so no account reaches the limit.
      statuses.push((await register(`probe-${attempt}@example.com`, 'popular')).status);
    }
    const newcomer = await register('newcomer@example.com', 'newcomer');

    assert.deepEqual(new Set(statuses), new Set([409]));
    assert.equal(newcomer.status, 429);
    assert.equal(newcomer.body.error?.code, 'too_many_attempts');
    assert.equal(await User.count({ where: { nickname: 'newcomer' } }), 0);
  });

  test('successful registrations do not count', async () => {
    for (let index = 0; index < 2 * MAX_FAILURES; index += 1) {
      const response = await register(`member-${index}@example.com`, `member-${index}`);
      assert.equal(response.status, 201, `registration ${index + 1}`);
    }
  });

  test('SQL in the login gets a plain 401', async () => {
    const admin = await User.findOne({ where: { role: 'admin' } });
    const lastLoginBefore = admin?.lastLoginAt ?? null;
    const logins = [
      "' OR '1'='1",
      "' OR 1=1 --",
      "admin'--",
      "root-admin@example.com'--",
      "root-admin@example.com' OR '1'='1",
      '" OR ""="',
      '"; DROP TABLE users; --',
      "'; DELETE FROM users; --",
      '%',
      '_',
      '\\',
      'admin\\',
    ];

    // The last attempts pair the admin's real password with a login that names the admin and
    // adds SQL, so a login cut off at the quote would succeed. All stay under the address limit.
    const attempts = [
      ...logins.map((login) => [login, "' OR '1'='1"]),
      ...["admin'--", "root-admin@example.com'--", "root-admin@example.com' OR '1'='1"].map(
        (login) => [login, TEST_ADMIN.password],
      ),
    ];

    for (const [login = '', password = ''] of attempts) {
      const response = await logIn(login, password);
      assert.equal(response.status, 401, login);
      assert.equal(response.body.error?.code, 'invalid_credentials', login);
      assert.equal(response.body.accessToken, undefined, login);
      assert.equal(response.headers.get('set-cookie'), null, login);
    }

    const successes = await AuditLog.count({ where: { action: 'auth.login' } });
    assert.equal(successes, 0);
    assert.equal(await User.count(), 1);
    assert.deepEqual(
      (await User.findOne({ where: { role: 'admin' } }))?.lastLoginAt ?? null,
      lastLoginBefore,
    );
  });
});

/** Moves every audit entry back in time, as if `ms` had passed since it was written. */
async function ageAuditLog(ms: number): Promise<void> {
  for (const entry of await AuditLog.findAll()) {
    await AuditLog.update(
      { createdAt: new Date(entry.createdAt.getTime() - ms) },
      { where: { id: entry.id } },
    );
  }
}
