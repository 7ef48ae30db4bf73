import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { RefreshToken, User } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';

/**
 * Signs claims as an HS256 JWT exactly as given; jsonwebtoken.sign would reject some of the
 * malformed claims these tests need.
 */
function signHs256(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe(`auth flow (${testDialect})`, () => {
  let server: TestServer;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
  });

  after(async () => {
    await server.close();
  });

  test('register returns the user without secrets', async () => {
    const response = await server.request<{ user: Record<string, unknown> }>(
      'POST',
      '/api/auth/register',
      { body: { email: 'Ada@Example.com', nickname: 'ada', password: 'correct horse' } },
    );

    assert.equal(response.status, 201);
    assert.equal(response.body.user.email, 'ada@example.com');
    assert.equal(response.body.user.nickname, 'ada');
    assert.equal(response.body.user.role, 'user');
    assert.equal(response.body.user.isActive, true);
    assert.equal(typeof response.body.user.createdAt, 'string');
    assert.equal('passwordHash' in response.body.user, false);
    const stored = await User.findOne({ where: { nickname: 'ada' } });
    assert.match(stored?.passwordHash ?? '', /^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    assert.notEqual(stored?.passwordHash, 'correct horse');
  });

  const invalidRegistrations: [string, Record<string, string>, string][] = [
    ['email', { email: 'not-an-email', nickname: 'bob', password: 'password-1' }, 'body.email'],
    [
      'short nickname',
      { email: 'b@example.com', nickname: 'b', password: 'password-1' },
      'body.nickname',
    ],
    [
      'nickname with space',
      { email: 'b@example.com', nickname: 'b b', password: 'password-1' },
      'body.nickname',
    ],
    [
      'long nickname',
      { email: 'b@example.com', nickname: 'b'.repeat(33), password: 'password-1' },
      'body.nickname',
    ],
    [
      'short password',
      { email: 'b@example.com', nickname: 'bob', password: 'short' },
      'body.password',
    ],
    [
      'password over 72 bytes',
      { email: 'b@example.com', nickname: 'bob', password: 'é'.repeat(37) },
      'body.password',
    ],
  ];
  for (const [name, body, field] of invalidRegistrations) {
    test(`register rejects invalid ${name}`, async () => {
      const response = await server.request<{ error: { code: string; message: string } }>(
        'POST',
        '/api/auth/register',
        { body },
      );

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, new RegExp(field.replace('.', '\\.')));
    });
  }

  test('register rejects a taken email or nickname', async () => {
    await server.signUp('Carol');

    const sameEmail = await server.request<{ error: { code: string; message: string } }>(
      'POST',
      '/api/auth/register',
      { body: { email: 'CAROL@example.com', nickname: 'carol2', password: 'password-1' } },
    );
    const sameNickname = await server.request<{ error: { code: string; message: string } }>(
      'POST',
      '/api/auth/register',
      { body: { email: 'other@example.com', nickname: 'CAROL', password: 'password-1' } },
    );

    assert.equal(sameEmail.status, 409);
    assert.equal(sameEmail.body.error.code, 'email_taken');
    assert.match(sameEmail.body.error.message, /carol@example\.com/);
    assert.equal(sameNickname.status, 409);
    assert.equal(sameNickname.body.error.code, 'nickname_taken');
    assert.match(sameNickname.body.error.message, /CAROL/);
  });

  test('login by email or nickname in body delivery', async () => {
    await server.signUp('dave', 'dave-password');

    for (const login of ['dave@example.com', 'DAVE', ' dave ']) {
      const response = await server.request<Record<string, unknown>>('POST', '/api/auth/login', {
        body: { login, password: 'dave-password', tokenDelivery: 'body' },
      });
      assert.equal(response.status, 200, login);
      assert.equal(typeof response.body.accessToken, 'string');
      assert.equal(typeof response.body.refreshToken, 'string');
      assert.equal(response.body.expiresIn, 900);
      assert.equal(response.headers.get('set-cookie'), null);
    }
  });

  test('access token is a 15-minute HS256 JWT', async () => {
    const { accessToken, userId } = await server.signUp('erin');

    const header = jwt.decode(accessToken, { complete: true });
    const claims = header?.payload as { sub: string; exp: number; iat: number; role: string };
    assert.equal(header?.header.alg, 'HS256');
    assert.equal(claims.sub, String(userId));
    assert.equal(claims.role, 'user');
    assert.equal(claims.exp - claims.iat, 900);
  });

  test('login in cookie delivery sets a strict HttpOnly cookie', async () => {
    await server.signUp('frank', 'frank-password');

    const response = await server.request<Record<string, unknown>>('POST', '/api/auth/login', {
      body: { login: 'frank', password: 'frank-password' },
    });

    assert.equal(response.status, 200);
    assert.equal('refreshToken' in response.body, false);
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^lw_refresh=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /path=\/api\/auth/);
    assert.match(cookie, /httponly/);
    assert.match(cookie, /samesite=strict/);
    const expires = Date.parse(/expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    const sevenDays = 7 * 24 * 3600 * 1000;
    assert.ok(Math.abs(expires - Date.now() - sevenDays) < 5000, `expires: ${cookie}`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  test('cookie flow refreshes and logs out', async () => {
    await server.signUp('gina', 'gina-password');
    const login = await server.request('POST', '/api/auth/login', {
      body: { login: 'gina', password: 'gina-password' },
    });
    const firstCookie = cookiePair(login.headers);

    const refreshed = await server.request<{ accessToken: string }>('POST', '/api/auth/refresh', {
      cookie: firstCookie,
    });
    const secondCookie = cookiePair(refreshed.headers);
    const me = await server.request<{ user: { nickname: string } }>('GET', '/api/auth/me', {
      token: refreshed.body.accessToken,
    });
    const logout = await server.request('POST', '/api/auth/logout', { cookie: secondCookie });
    const afterLogout = await server.request('POST', '/api/auth/refresh', { cookie: secondCookie });

    assert.equal(refreshed.status, 200);
    assert.notEqual(secondCookie, firstCookie);
    assert.equal(me.body.user.nickname, 'gina');
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get('set-cookie') ?? '', /^lw_refresh=;.*expires=Thu, 01 Jan 1970/);
    assert.equal(afterLogout.status, 401);
  });

  test('body flow refreshes, rotates and logs out', async () => {
    const session = await server.signUp('hank');

    const refreshed = await server.request<{ accessToken: string; refreshToken: string }>(
      'POST',
      '/api/auth/refresh',
      { body: { refreshToken: session.refreshToken } },
    );
    const me = await server.request('GET', '/api/auth/me', { token: refreshed.body.accessToken });
    const logout = await server.request('POST', '/api/auth/logout', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    const afterLogout = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });

    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, session.refreshToken);
    assert.equal(me.status, 200);
    assert.equal(logout.status, 204);
    assert.equal(afterLogout.status, 401);
  });

  test('reused rotated token revokes the family', async () => {
    const session = await server.signUp('ivy');
    const rotated = await server.request<{ refreshToken: string }>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    await ageRotations(session.userId, 11_000);

    const reuse = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const successor = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    const audit = await server.request<{ entries: { action: string }[] }>(
      'GET',
      '/api/admin/audit-log?action=auth.refresh_reuse',
      { token: (await server.logInAdmin()).accessToken },
    );

    assert.equal(reuse.status, 401);
    assert.equal(successor.status, 401);
    assert.equal(audit.body.entries.length >= 1, true);
  });

  test('racing repeat gets the same new pair', async () => {
    const session = await server.signUp('jack');

    const [first, second] = await Promise.all([
      server.request<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/refresh', {
        body: { refreshToken: session.refreshToken },
      }),
      server.request<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/refresh', {
        body: { refreshToken: session.refreshToken },
      }),
    ]);
    const third = await server.request<{ refreshToken: string }>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const next = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });

    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.body.refreshToken, first.body.refreshToken);
    assert.equal(second.body.accessToken, first.body.accessToken);
    assert.equal(third.status, 200);
    assert.equal(third.body.refreshToken, first.body.refreshToken);
    assert.equal(next.status, 200);
  });

  test('refresh burst of unknown tokens stays fast', async () => {
    const started = Date.now();

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_unused, index) =>
        server.request('POST', '/api/auth/refresh', { body: { refreshToken: `garbage-${index}` } }),
      ),
    );

    for (const response of responses) {
      assert.equal(response.status, 401);
    }
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  test('refresh burst of one token gets one pair', async () => {
    const session = await server.signUp('burst');

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.request<{ refreshToken: string }>('POST', '/api/auth/refresh', {
          body: { refreshToken: session.refreshToken },
        }),
      ),
    );
    const tokens = new Set(responses.map((response) => response.body.refreshToken));

    assert.deepEqual(
      responses.map((response) => response.status),
      responses.map(() => 200),
    );
    assert.equal(tokens.size, 1);
  });

  test('racing registrations keep nicknames unique', async () => {
    const nicknames = ['RaceNick', 'racenick', 'RACENICK', 'raceNICK'];

    const responses = await Promise.all(
      nicknames.map((nickname, index) =>
        server.request<{ error?: { code: string } }>('POST', '/api/auth/register', {
          body: { email: `race${index}@example.com`, nickname, password: 'password-123' },
        }),
      ),
    );
    const created = responses.filter((response) => response.status === 201);
    const rejected = responses.filter((response) => response.status === 409);

    assert.equal(created.length, 1);
    assert.equal(rejected.length, 3);
    for (const response of rejected) {
      assert.equal(response.body.error?.code, 'nickname_taken');
    }
  });

  test('racing registrations of one email', async () => {
    const responses = await Promise.all(
      ['dup-a', 'dup-b', 'dup-c'].map((nickname) =>
        server.request<{ error?: { code: string } }>('POST', '/api/auth/register', {
          body: { email: 'dup@example.com', nickname, password: 'password-123' },
        }),
      ),
    );

    assert.equal(responses.filter((response) => response.status === 201).length, 1);
    for (const response of responses.filter((item) => item.status !== 201)) {
      assert.equal(response.status, 409);
      assert.equal(response.body.error?.code, 'email_taken');
    }
  });

  test('password change revokes other sessions', async () => {
    const phone = await server.signUp('kate', 'old-password');
    const laptop = await server.logIn('kate', 'old-password');

    const wrong = await server.request<{ error: { code: string } }>('PUT', '/api/auth/password', {
      token: laptop.accessToken,
      body: { currentPassword: 'not-it', newPassword: 'new-password' },
    });
    const changed = await server.request('PUT', '/api/auth/password', {
      token: laptop.accessToken,
      body: { currentPassword: 'old-password', newPassword: 'new-password' },
    });
    const phoneRefresh = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: phone.refreshToken },
    });
    const laptopRefresh = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: laptop.refreshToken },
    });
    const oldLogin = await server.request('POST', '/api/auth/login', {
      body: { login: 'kate', password: 'old-password' },
    });
    const newLogin = await server.request('POST', '/api/auth/login', {
      body: { login: 'kate', password: 'new-password' },
    });

    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'wrong_password');
    assert.equal(changed.status, 204);
    assert.equal(phoneRefresh.status, 401);
    assert.equal(laptopRefresh.status, 200);
    assert.equal(oldLogin.status, 401);
    assert.equal(newLogin.status, 200);
  });

  test('failed logins share one message', async () => {
    await server.signUp('liam', 'liam-password');
    const disabled = await server.signUp('mona', 'mona-password');
    await User.update({ isActive: false }, { where: { id: disabled.userId } });

    const attempts = await Promise.all([
      server.request('POST', '/api/auth/login', { body: { login: 'liam', password: 'nope-nope' } }),
      server.request('POST', '/api/auth/login', {
        body: { login: 'nobody', password: 'nope-nope' },
      }),
      server.request('POST', '/api/auth/login', {
        body: { login: 'mona', password: 'nope-nope' },
      }),
    ]);

    for (const attempt of attempts) {
      assert.equal(attempt.status, 401);
      assert.deepEqual(attempt.body, {
        error: { code: 'invalid_credentials', message: 'The login or password is incorrect.' },
      });
    }
    const reasons = server.log
      .map((line) => JSON.parse(line) as { msg: string; reason?: string })
      .filter((entry) => entry.msg === 'login failed')
      .map((entry) => entry.reason);
    assert.ok(reasons.includes('wrong_password'));
    assert.ok(reasons.includes('unknown_login'));
  });

  test('right password on disabled account', async () => {
    const disabled = await server.signUp('petra', 'petra-password');
    await User.update({ isActive: false }, { where: { id: disabled.userId } });

    const rightPassword = await server.request('POST', '/api/auth/login', {
      body: { login: 'petra', password: 'petra-password' },
    });

    assert.equal(rightPassword.status, 403);
    assert.deepEqual(rightPassword.body, {
      error: {
        code: 'account_disabled',
        message: 'This account is disabled. Ask an admin to enable it.',
      },
    });
    const reasons = server.log
      .map((line) => JSON.parse(line) as { msg: string; reason?: string })
      .filter((entry) => entry.msg === 'login failed')
      .map((entry) => entry.reason);
    assert.ok(reasons.includes('disabled'));
  });

  test('disabled user can neither refresh nor call the API', async () => {
    const session = await server.signUp('nina');
    await User.update({ isActive: false }, { where: { id: session.userId } });

    const refresh = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const me = await server.request('GET', '/api/auth/me', { token: session.accessToken });

    assert.equal(refresh.status, 401);
    assert.equal(me.status, 401);
  });

  test('bad access tokens get 401', async () => {
    const session = await server.signUp('olga');
    const secret = server.config.jwtSecret;
    const claims = { sub: String(session.userId), role: 'admin', sid: 'x' };
    const [header, payload] = session.accessToken.split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString(
      'base64url',
    );
    const deleted = await server.signUp('pete');
    await User.destroy({ where: { id: deleted.userId } });

    const tokens: [string, string | undefined][] = [
      ['no token', undefined],
      ['garbage', 'not.a.jwt'],
      ['forged', jwt.sign(claims, 'another-secret-that-is-long-enough-123', { expiresIn: 900 })],
      ['expired', jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, secret)],
      ['alg none', `${noneHeader}.${payload ?? ''}.`],
      [
        'tampered',
        `${header ?? ''}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.x`,
      ],
      ['deleted user', deleted.accessToken],
    ];
    for (const [name, token] of tokens) {
      const response = await server.request<{ error: { code: string } }>(
        'GET',
        '/api/auth/me',
        token === undefined ? {} : { token },
      );
      assert.equal(response.status, 401, name);
      assert.equal(response.body.error.code, 'unauthorized', name);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer', name);
    }
  });

  test('token signed with the secret string is accepted', async () => {
    const session = await server.signUp('sven');
    const claims = { sub: String(session.userId), role: 'user', sid: 'x' };
    const token = jwt.sign(claims, server.config.jwtSecret, { expiresIn: 900 });

    const response = await server.request('GET', '/api/auth/me', { token });

    assert.equal(response.status, 200);
  });

  test('malformed token claims get 401', async () => {
    // The first user is the admin, so a loosely read `sub` would sign in as the admin.
    const admin = await server.logInAdmin();
    assert.equal(admin.userId, 1);
    const secret = server.config.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const valid: Record<string, unknown> = {
      sub: '1',
      role: 'admin',
      sid: 'x',
      iat: now,
      exp: now + 900,
    };
    const without = (name: string) =>
      Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));

    const claimSets: [string, Record<string, unknown>][] = [
      ['no exp', without('exp')],
      ['no iat', without('iat')],
      ['no sid', without('sid')],
      ['array sub', { ...valid, sub: ['1'] }],
      ['hexadecimal sub', { ...valid, sub: '0x1' }],
      ['padded sub', { ...valid, sub: ' 1 ' }],
      ['leading zero sub', { ...valid, sub: '01' }],
      ['number sub', { ...valid, sub: 1 }],
      ['object sub', { ...valid, sub: { id: 1 } }],
      ['unknown role', { ...valid, role: 'root' }],
      ['text exp', { ...valid, exp: String(now + 900) }],
    ];
    for (const [name, claims] of claimSets) {
      const response = await server.request<{ error: { code: string } }>('GET', '/api/auth/me', {
        token: signHs256(claims, secret),
      });

      assert.equal(response.status, 401, name);
      assert.equal(response.body.error.code, 'unauthorized', name);
    }
    const accepted = await server.request('GET', '/api/auth/me', {
      token: signHs256(valid, secret),
    });
    assert.equal(accepted.status, 200);
  });

  test('password past 72 bytes does not match', async () => {
    const password = 'p'.repeat(72);
    await server.signUp('long-password', password);

    const extended = await server.request('POST', '/api/auth/login', {
      body: { login: 'long-password', password: `${password}-and-more` },
    });
    const exact = await server.request('POST', '/api/auth/login', {
      body: { login: 'long-password', password },
    });

    assert.equal(extended.status, 401);
    assert.equal(exact.status, 200);
  });

  test('ill-formed new passwords are rejected', async () => {
    const session = await server.signUp('surrogate', 'password-123');

    const registered = await server.request<{ error: { code: string; message: string } }>(
      'POST',
      '/api/auth/register',
      { body: { email: 'lone@example.com', nickname: 'lone', password: 'pass\ud800word' } },
    );
    const changed = await server.request<{ error: { code: string; message: string } }>(
      'PUT',
      '/api/auth/password',
      {
        token: session.accessToken,
        body: { currentPassword: 'password-123', newPassword: 'pass\udc00word' },
      },
    );

    assert.equal(registered.status, 400);
    assert.match(registered.body.error.message, /^Invalid body\.password: .*well-formed Unicode/);
    assert.equal(changed.status, 400);
    assert.match(changed.body.error.message, /^Invalid body\.newPassword: .*well-formed Unicode/);
  });

  test('expired token says to refresh', async () => {
    const session = await server.signUp('quinn');
    const expired = jwt.sign(
      {
        sub: String(session.userId),
        role: 'user',
        sid: 'x',
        exp: Math.floor(Date.now() / 1000) - 1,
      },
      server.config.jwtSecret,
    );

    const response = await server.request<{ error: { message: string } }>('GET', '/api/auth/me', {
      token: expired,
    });

    assert.match(response.body.error.message, /expired/);
  });

  test('role change applies by the next access token', async () => {
    const session = await server.signUp('rita');
    const admin = await server.logInAdmin();
    const before = await server.request('GET', '/api/admin/stats', { token: session.accessToken });

    await server.request('PATCH', `/api/admin/users/${session.userId}`, {
      token: admin.accessToken,
      body: { role: 'admin' },
    });
    const refreshed = await server.request<{ accessToken: string }>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const claims = jwt.decode(refreshed.body.accessToken) as { role: string };
    const afterChange = await server.request('GET', '/api/admin/stats', {
      token: refreshed.body.accessToken,
    });

    assert.equal(before.status, 403);
    assert.equal(claims.role, 'admin');
    assert.equal(afterChange.status, 200);
  });

  test('no response or log line carries a secret', async () => {
    const password = 'secret-pass-9876';
    const bodies: string[] = [];
    const record = <T>(response: T & { body: unknown }): T => {
      bodies.push(JSON.stringify(response.body));
      return response;
    };
    record(
      await server.request('POST', '/api/auth/register', {
        body: { email: 'sam@example.com', nickname: 'sam', password },
      }),
    );
    const login = record(
      await server.request<{ accessToken: string; refreshToken: string }>(
        'POST',
        '/api/auth/login',
        { body: { login: 'sam', password, tokenDelivery: 'body' } },
      ),
    );
    record(
      await server.request('POST', '/api/auth/login', {
        body: { login: 'sam', password: `${password}x` },
      }),
    );
    const refreshed = record(
      await server.request<{ accessToken: string; refreshToken: string }>(
        'POST',
        '/api/auth/refresh',
        { body: { refreshToken: login.body.refreshToken } },
      ),
    );
    record(await server.request('GET', '/api/auth/me', { token: refreshed.body.accessToken }));
    record(
      await server.request('PUT', '/api/auth/password', {
        token: refreshed.body.accessToken,
        body: { currentPassword: password, newPassword: `${password}-new` },
      }),
    );
    const admin = await server.logInAdmin();
    record(await server.request('GET', '/api/admin/users?q=sam', { token: admin.accessToken }));
    record(await server.request('GET', '/api/admin/audit-log', { token: admin.accessToken }));
    const hash = (await User.findOne({ where: { nickname: 'sam' } }))?.passwordHash ?? '';

    const secrets = [
      password,
      `${password}-new`,
      hash,
      '$2b$',
      login.body.refreshToken,
      refreshed.body.accessToken,
      refreshed.body.refreshToken,
    ];
    const responsesAfterLogin = bodies.filter((_body, index) => index !== 1 && index !== 3);
    for (const secret of secrets) {
      for (const line of server.log) {
        assert.equal(line.includes(secret), false, `log line carries a secret: ${line}`);
      }
      for (const body of responsesAfterLogin) {
        assert.equal(body.includes(secret), false, `response carries a secret: ${body}`);
      }
    }
  });
});

function cookiePair(headers: Headers): string {
  const cookie = headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

async function ageRotations(userId: number, ageMs: number): Promise<void> {
  const rotated = await RefreshToken.findAll({ where: { userId } });
  for (const token of rotated) {
    if (token.rotatedAt !== null) {
      token.rotatedAt = new Date(token.rotatedAt.getTime() - ageMs);
      await token.save();
    }
  }
}
