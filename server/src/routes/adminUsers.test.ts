import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiErrorBody, ApiUser } from '../../../shared/src/api/users.js';
import { recordAudit } from '../audit.js';
import { AuditLog, RefreshToken, User } from '../models/index.js';
import { TEST_ADMIN, testDialect, TestServer, type RequestOptions } from '../testing/testServer.js';

interface UserList {
  users: ApiUser[];
  total: number;
  page: number;
  pageSize: number;
}

interface AuditEntryBody {
  id: number;
  actorId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  login: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

interface AuditPage {
  entries: AuditEntryBody[];
  total: number;
}

/** Test requests come from loopback, as IPv4 or as an IPv4-mapped IPv6 address. */
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

/** A test server and its admin's access token, for requests made as the admin. */
class AdminClient {
  private constructor(
    readonly server: TestServer,
    readonly adminId: number,
    private readonly token: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<AdminClient> {
    // The rate limit has its own tests, so a high limit keeps it from blocking the logins that
    // fail here on purpose.
    const server = await TestServer.start({ AUTH_MAX_FAILURES: '1000', ...env });
    const admin = await server.logInAdmin();
    return new AdminClient(server, admin.userId, admin.accessToken);
  }

  request<T>(method: string, path: string, options: RequestOptions = {}) {
    return this.server.request<T>(method, path, { token: this.token, ...options });
  }

  listUsers(query = '') {
    return this.request<UserList>('GET', `/api/admin/users${query}`);
  }

  changeUser(userId: number, body: unknown) {
    return this.request<{ user: ApiUser } & ApiErrorBody>('PATCH', `/api/admin/users/${userId}`, {
      body,
    });
  }

  deleteUser(userId: number) {
    return this.request<ApiErrorBody>('DELETE', `/api/admin/users/${userId}`);
  }

  async auditEntries(query: string): Promise<AuditEntryBody[]> {
    const response = await this.request<AuditPage>('GET', `/api/admin/audit-log?${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.entries;
  }
}

describe(`admin users API (${testDialect})`, () => {
  let client: AdminClient;
  let server: TestServer;

  before(async () => {
    client = await AdminClient.start();
    server = client.server;
  });

  after(async () => {
    await server.close();
  });

  test('list returns users newest first', async () => {
    const first = await server.signUp('list-first');
    const second = await server.signUp('list-second');

    const response = await client.listUsers();

    assert.equal(response.status, 200);
    assert.equal(response.body.total, await User.count());
    assert.equal(response.body.page, 1);
    assert.equal(response.body.pageSize, 50);
    const ids = response.body.users.map((user) => user.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.ok(ids.includes(first.userId));
    assert.ok(ids.indexOf(second.userId) < ids.indexOf(first.userId));
    const listed = response.body.users.find((user) => user.id === first.userId);
    assert.deepEqual(Object.keys(listed ?? {}).sort(), [
      'createdAt',
      'email',
      'id',
      'isActive',
      'lastLoginAt',
      'nickname',
      'role',
    ]);
  });

  test('list filters by role', async () => {
    const promoted = await server.signUp('role-filter-admin');
    await client.changeUser(promoted.userId, { role: 'admin' });

    const admins = await client.listUsers('?role=admin');
    const users = await client.listUsers('?role=user');

    assert.equal(admins.status, 200);
    assert.ok(admins.body.users.every((user) => user.role === 'admin'));
    assert.ok(admins.body.users.some((user) => user.id === promoted.userId));
    assert.ok(admins.body.users.some((user) => user.id === client.adminId));
    assert.equal(admins.body.total, await User.count({ where: { role: 'admin' } }));
    assert.equal(users.status, 200);
    assert.ok(users.body.users.every((user) => user.role === 'user'));
    assert.equal(users.body.total, await User.count({ where: { role: 'user' } }));
    assert.equal(admins.body.total + users.body.total, await User.count());
  });

  test('list filters by active state', async () => {
    const disabled = await server.signUp('active-filter-off');
    const enabled = await server.signUp('active-filter-on');
    await client.changeUser(disabled.userId, { isActive: false });

    const inactive = await client.listUsers('?active=false&q=active-filter');
    const active = await client.listUsers('?active=true&q=active-filter');

    assert.deepEqual(
      inactive.body.users.map((user) => user.id),
      [disabled.userId],
    );
    assert.equal(inactive.body.total, 1);
    assert.deepEqual(
      active.body.users.map((user) => user.id),
      [enabled.userId],
    );
    assert.equal(active.body.total, 1);
  });

  test('filters combine with the search', async () => {
    const admin = await server.signUp('combo-admin');
    const disabledAdmin = await server.signUp('combo-disabled-admin');
    await server.signUp('combo-user');
    await client.changeUser(admin.userId, { role: 'admin' });
    await client.changeUser(disabledAdmin.userId, { role: 'admin', isActive: false });

    const response = await client.listUsers('?q=combo&role=admin&active=true');

    assert.deepEqual(
      response.body.users.map((user) => user.id),
      [admin.userId],
    );
    assert.equal(response.body.total, 1);
  });

  test('search matches part of email or nickname', async () => {
    const byEmail = await registerUser(server, 'zeta.mail@sample-domain.org', 'zorro');
    const byNickname = await registerUser(server, 'quiet@example.com', 'Search_Target');

    const cases: [string, number[]][] = [
      ['sample-domain', [byEmail]],
      ['ZETA.MAIL', [byEmail]],
      ['zorro', [byEmail]],
      ['ch_tar', [byNickname]],
      ['search_target', [byNickname]],
      ['quiet@', [byNickname]],
      ['no-such-user-anywhere', []],
    ];
    for (const [search, expected] of cases) {
      const response = await client.listUsers(`?q=${encodeURIComponent(search)}`);
      assert.equal(response.status, 200, search);
      assert.deepEqual(
        response.body.users.map((user) => user.id),
        expected,
        search,
      );
      assert.equal(response.body.total, expected.length, search);
    }
  });

  test('empty search lists everyone', async () => {
    const response = await client.listUsers('?q=');

    assert.equal(response.status, 200);
    assert.equal(response.body.total, await User.count());
  });

  test('list pages through results', async () => {
    for (const suffix of ['a', 'b', 'c', 'd', 'e']) {
      await server.signUp(`paging-${suffix}`);
    }

    const pages = await Promise.all(
      [1, 2, 3, 4].map((page) => client.listUsers(`?q=paging-&pageSize=2&page=${page}`)),
    );

    assert.deepEqual(
      pages.map((page) => page.body.users.map((user) => user.nickname)),
      [['paging-e', 'paging-d'], ['paging-c', 'paging-b'], ['paging-a'], []],
    );
    for (const page of pages) {
      assert.equal(page.body.total, 5);
      assert.equal(page.body.pageSize, 2);
    }
    assert.deepEqual(
      pages.map((page) => page.body.page),
      [1, 2, 3, 4],
    );
  });

  test('list sorts by a chosen field', async () => {
    const names = ['sort-Bravo', 'sort-alpha', 'sort-charlie'];
    const ids: number[] = [];
    for (const name of names) {
      ids.push((await server.signUp(name)).userId);
    }
    await client.changeUser(ids[0]!, { role: 'admin' });
    await client.changeUser(ids[1]!, { isActive: false });
    const nicknames = async (query: string) =>
      (await client.listUsers(`?q=sort-&${query}`)).body.users.map((user) => user.nickname);

    const cases: [string, string[]][] = [
      ['', ['sort-charlie', 'sort-alpha', 'sort-Bravo']],
      ['order=asc', ['sort-Bravo', 'sort-alpha', 'sort-charlie']],
      ['sort=nickname', ['sort-charlie', 'sort-Bravo', 'sort-alpha']],
      ['sort=nickname&order=asc', ['sort-alpha', 'sort-Bravo', 'sort-charlie']],
      ['sort=email&order=asc', ['sort-alpha', 'sort-Bravo', 'sort-charlie']],
      ['sort=role&order=asc', ['sort-Bravo', 'sort-alpha', 'sort-charlie']],
      ['sort=isActive&order=asc', ['sort-alpha', 'sort-Bravo', 'sort-charlie']],
      ['sort=isActive&order=desc', ['sort-charlie', 'sort-Bravo', 'sort-alpha']],
    ];
    for (const [query, expected] of cases) {
      assert.deepEqual(await nicknames(query), expected, query);
    }
  });

  test('list sort keeps pages apart', async () => {
    for (const suffix of ['a', 'b', 'c', 'd']) {
      await server.signUp(`tie-${suffix}`);
    }

    const pages = await Promise.all(
      [1, 2].map((page) => client.listUsers(`?q=tie-&sort=role&pageSize=2&page=${page}`)),
    );

    assert.deepEqual(
      pages.map((page) => page.body.users.map((user) => user.nickname)),
      [
        ['tie-d', 'tie-c'],
        ['tie-b', 'tie-a'],
      ],
    );
  });

  test('unknown sort field is rejected', async () => {
    const field = await client.request<ApiErrorBody>('GET', '/api/admin/users?sort=password');
    const order = await client.request<ApiErrorBody>('GET', '/api/admin/users?order=up');

    assert.equal(field.status, 400);
    assert.equal(
      field.body.error.message,
      'Invalid query.sort: must be one of createdAt, email, nickname, role, isActive, lastLoginAt',
    );
    assert.equal(order.status, 400);
    assert.equal(order.body.error.message, 'Invalid query.order: must be asc or desc');
  });

  test('search treats SQL and wildcards as text', async () => {
    const quoted = await registerUser(server, "o'hara@example.com", 'ohara');
    const underscored = await registerUser(server, 'under@example.com', 'has_underscore');
    const usersBefore = await User.count();
    const underscoreIds = (await User.findAll())
      .filter((user) => user.email.includes('_') || user.nickname.includes('_'))
      .map((user) => user.id)
      .sort((a, b) => b - a);

    const cases: [string, number[]][] = [
      ["' OR '1'='1", []],
      ["' OR 1=1 --", []],
      ["admin'--", []],
      ['"; DROP TABLE users; --', []],
      ["'); DELETE FROM users; --", []],
      ['%', []],
      ['%%', []],
      ['\\', []],
      ['\\%', []],
      ['\\_', []],
      ['\\\\', []],
      ["o'hara", [quoted]],
      ["'", [quoted]],
      ['_', underscoreIds],
      ['s_u', [underscored]],
    ];
    for (const [search, expected] of cases) {
      const response = await client.listUsers(`?q=${encodeURIComponent(search)}`);
      assert.equal(response.status, 200, search);
      assert.deepEqual(
        response.body.users.map((user) => user.id),
        expected,
        search,
      );
      assert.equal(response.body.total, expected.length, search);
    }

    assert.ok(underscoreIds.includes(underscored));
    assert.equal(await User.count(), usersBefore);
    assert.equal((await client.listUsers()).body.total, usersBefore);
  });

  test('role change promotes and demotes', async () => {
    const target = await server.signUp('role-change');

    const promoted = await client.changeUser(target.userId, { role: 'admin' });
    const asAdmin = await server.logIn('role-change', target.password);
    const stats = await server.request('GET', '/api/admin/stats', { token: asAdmin.accessToken });
    const demoted = await client.changeUser(target.userId, { role: 'user' });
    const afterDemotion = await server.request('GET', '/api/admin/stats', {
      token: asAdmin.accessToken,
    });

    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.user.role, 'admin');
    assert.equal(promoted.body.user.id, target.userId);
    assert.equal(stats.status, 200);
    assert.equal(demoted.status, 200);
    assert.equal(demoted.body.user.role, 'user');
    assert.equal((await User.findByPk(target.userId))?.role, 'user');
    assert.equal(afterDemotion.status, 403);
  });

  test('disabling revokes every session', async () => {
    const target = await server.signUp('disable-me');
    const second = await server.logIn('disable-me', target.password);

    const disabled = await client.changeUser(target.userId, { isActive: false });
    // Counted before the refresh attempts below, which revoke what they touch themselves.
    const liveTokens = await RefreshToken.count({
      where: { userId: target.userId, revokedAt: null },
    });
    const me = await server.request<ApiErrorBody>('GET', '/api/auth/me', {
      token: target.accessToken,
    });
    const refreshes = await Promise.all(
      [target.refreshToken, second.refreshToken].map((refreshToken) =>
        server.request('POST', '/api/auth/refresh', { body: { refreshToken } }),
      ),
    );
    const login = await server.request('POST', '/api/auth/login', {
      body: { login: 'disable-me', password: target.password },
    });

    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.user.isActive, false);
    assert.equal(me.status, 401);
    assert.match(me.body.error.message, /disabled/);
    for (const refresh of refreshes) {
      assert.equal(refresh.status, 401);
    }
    assert.equal(login.status, 403);
    assert.equal(liveTokens, 0);
  });

  test('enabling allows new sign-ins only', async () => {
    const target = await server.signUp('enable-me');
    await client.changeUser(target.userId, { isActive: false });

    const enabled = await client.changeUser(target.userId, { isActive: true });
    const oldSession = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: target.refreshToken },
    });
    const login = await server.request('POST', '/api/auth/login', {
      body: { login: 'enable-me', password: target.password },
    });

    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.user.isActive, true);
    assert.equal(oldSession.status, 401);
    assert.equal(login.status, 200);
  });

  test('delete removes the user and sessions', async () => {
    const target = await server.signUp('delete-me');

    const deleted = await client.deleteUser(target.userId);
    const me = await server.request('GET', '/api/auth/me', { token: target.accessToken });
    const refresh = await server.request('POST', '/api/auth/refresh', {
      body: { refreshToken: target.refreshToken },
    });
    const login = await server.request('POST', '/api/auth/login', {
      body: { login: 'delete-me', password: target.password },
    });
    const listed = await client.listUsers('?q=delete-me');
    const again = await client.deleteUser(target.userId);

    assert.equal(deleted.status, 204);
    assert.equal(me.status, 401);
    assert.equal(refresh.status, 401);
    assert.equal(login.status, 401);
    assert.equal(listed.body.total, 0);
    assert.equal(await User.findByPk(target.userId), null);
    assert.equal(await RefreshToken.count({ where: { userId: target.userId } }), 0);
    assert.equal(again.status, 404);
  });

  test('deleted email can register again', async () => {
    const target = await server.signUp('reuse-me');
    await client.deleteUser(target.userId);

    const registered = await server.request('POST', '/api/auth/register', {
      body: { email: target.email, nickname: 'reuse-me', password: 'password-456' },
    });

    assert.equal(registered.status, 201);
  });

  test('plain user gets 403 on admin routes', async () => {
    const user = await server.signUp('plain-user');
    const other = await server.signUp('plain-target');

    const routes: [string, string, unknown][] = [
      ['GET', '/api/admin/users', undefined],
      ['GET', '/api/admin/users?role=admin', undefined],
      ['PATCH', `/api/admin/users/${other.userId}`, { role: 'admin' }],
      ['PATCH', `/api/admin/users/${user.userId}`, { role: 'admin' }],
      ['PATCH', `/api/admin/users/${other.userId}`, { isActive: false }],
      ['DELETE', `/api/admin/users/${other.userId}`, undefined],
      ['GET', '/api/admin/stats', undefined],
      ['GET', '/api/admin/audit-log', undefined],
    ];
    for (const [method, path, body] of routes) {
      const response = await server.request<ApiErrorBody>(method, path, {
        token: user.accessToken,
        body,
      });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.body.error.code, 'forbidden', `${method} ${path}`);
    }

    const stored = await User.findByPk(other.userId);
    assert.equal(stored?.role, 'user');
    assert.equal(stored?.isActive, true);
    assert.equal((await User.findByPk(user.userId))?.role, 'user');
  });

  test('admin routes need a token', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/admin/users'],
      ['PATCH', `/api/admin/users/${client.adminId}`],
      ['DELETE', `/api/admin/users/${client.adminId}`],
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/audit-log'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'PATCH' ? { role: 'user' } : undefined;
      const response = await server.request(method, path, { body });
      assert.equal(response.status, 401, `${method} ${path}`);
    }
  });

  const invalidRequests: [string, string, string, unknown, RegExp][] = [
    ['role filter', 'GET', '/api/admin/users?role=owner', undefined, /query\.role/],
    [
      'repeated role filter',
      'GET',
      '/api/admin/users?role=user&role=admin',
      undefined,
      /query\.role/,
    ],
    ['active filter', 'GET', '/api/admin/users?active=yes', undefined, /query\.active/],
    ['page zero', 'GET', '/api/admin/users?page=0', undefined, /query\.page/],
    ['fractional page', 'GET', '/api/admin/users?page=1.5', undefined, /query\.page/],
    ['page size too big', 'GET', '/api/admin/users?pageSize=201', undefined, /query\.pageSize/],
    ['page size text', 'GET', '/api/admin/users?pageSize=ten', undefined, /query\.pageSize/],
    ['long search', 'GET', `/api/admin/users?q=${'a'.repeat(255)}`, undefined, /query\.q/],
    ['text id', 'PATCH', '/api/admin/users/abc', { role: 'user' }, /path\.id/],
    ['negative id', 'PATCH', '/api/admin/users/-1', { role: 'user' }, /path\.id/],
    ['fractional id', 'PATCH', '/api/admin/users/1.5', { role: 'user' }, /path\.id/],
    ['huge id', 'DELETE', '/api/admin/users/99999999999', undefined, /path\.id/],
    ['text id on delete', 'DELETE', '/api/admin/users/1%20OR%201=1', undefined, /path\.id/],
    ['unknown role', 'PATCH', '/api/admin/users/1', { role: 'owner' }, /body\.role/],
    ['text active flag', 'PATCH', '/api/admin/users/1', { isActive: 'false' }, /body\.isActive/],
    ['empty change', 'PATCH', '/api/admin/users/1', {}, /role or isActive/],
    ['unknown field', 'PATCH', '/api/admin/users/1', { role: 'user', email: 'x@y.z' }, /email/],
    ['array body', 'PATCH', '/api/admin/users/1', [{ role: 'user' }], /body/],
    ['audit actor', 'GET', '/api/admin/audit-log?actorId=me', undefined, /query\.actorId/],
    ['audit since', 'GET', '/api/admin/audit-log?since=yesterday', undefined, /query\.since/],
    [
      'hexadecimal page size',
      'GET',
      '/api/admin/users?pageSize=0x10',
      undefined,
      /query\.pageSize/,
    ],
    ['exponent page', 'GET', '/api/admin/users?page=1e3', undefined, /query\.page/],
    ['page with a space', 'GET', '/api/admin/users?page=%201', undefined, /query\.page/],
    ['empty page', 'GET', '/api/admin/users?page=', undefined, /query\.page/],
    ['negative page', 'GET', '/api/admin/users?page=-1', undefined, /query\.page/],
    ['hexadecimal actor', 'GET', '/api/admin/audit-log?actorId=0x1', undefined, /query\.actorId/],
    ['exponent audit page', 'GET', '/api/admin/audit-log?page=1e2', undefined, /query\.page/],
  ];
  for (const [name, method, path, body, field] of invalidRequests) {
    test(`rejects invalid ${name}`, async () => {
      const response = await client.request<ApiErrorBody>(method, path, { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, field);
    });
  }

  // [case, path and query, the exact message]
  const strictQueries: [string, string, string][] = [
    [
      'repeated page',
      '/api/admin/users?page=1&page=2',
      'Invalid query.page: must be given once, not 2 times',
    ],
    [
      'misspelled filter',
      '/api/admin/users?rol=admin',
      'Invalid query: unknown parameter "rol"; the accepted parameters are role, active, q, sort, order, page, pageSize',
    ],
    [
      'bracketed search',
      '/api/admin/users?q[]=a',
      'Invalid query: unknown parameter "q[]"; the accepted parameters are role, active, q, sort, order, page, pageSize',
    ],
    [
      'two unknown audit filters',
      '/api/admin/audit-log?actor=1&limit=5',
      'Invalid query: unknown parameters "actor", "limit"; the accepted parameters are action, actorId, user, since, until, page, pageSize',
    ],
    [
      'repeated audit action',
      '/api/admin/audit-log?action=a&action=b&action=c',
      'Invalid query.action: must be given once, not 3 times',
    ],
    [
      'hexadecimal page size',
      '/api/admin/users?pageSize=0x10',
      'Invalid query.pageSize: must be a whole number written in decimal digits',
    ],
    [
      'page size too big',
      '/api/admin/users?pageSize=201',
      'Invalid query.pageSize: must be at most 200',
    ],
  ];
  for (const [name, path, message] of strictQueries) {
    test(`query with ${name} is rejected`, async () => {
      const response = await client.request<ApiErrorBody>('GET', path);

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.equal(response.body.error.message, message);
    });
  }

  test('plain decimal paging is accepted', async () => {
    const response = await client.listUsers('?page=01&pageSize=2');

    assert.equal(response.status, 200);
    assert.equal(response.body.page, 1);
    assert.equal(response.body.pageSize, 2);
  });

  test('login that grows in lowercase is rejected', async () => {
    // "İ" (U+0130) lowercases to "i" and a combining dot, two characters.
    const login = 'İ'.repeat(200);

    const response = await server.request<ApiErrorBody>('POST', '/api/auth/login', {
      body: { login, password: 'password-1' },
    });

    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_failed');
    assert.match(response.body.error.message, /^Invalid body\.login: .*254 characters/);
  });

  test('audit text is cut to the column lengths', async () => {
    // An astral character takes two UTF-16 code units, so a cut by code units would split one.
    const login = `${'é'.repeat(250)}${'😀'.repeat(10)}`;
    const entry = await recordAudit({
      action: 'auth.login_failed',
      login,
      ip: '1'.repeat(100),
      targetType: 'user',
      targetId: 'x'.repeat(100),
    });

    const stored = await AuditLog.findByPk(entry.id);

    assert.equal([...(stored?.login ?? '')].length, 254);
    assert.equal(stored?.login, [...login].slice(0, 254).join(''));
    assert.equal(stored?.ip, '1'.repeat(64));
    assert.equal(stored?.targetId, 'x'.repeat(64));
  });

  test('rejected change leaves the user as it was', async () => {
    const target = await server.signUp('unchanged');

    await client.changeUser(target.userId, { role: 'admin', isActive: 'no' });
    await client.changeUser(target.userId, { role: 'root' });

    const stored = await User.findByPk(target.userId);
    assert.equal(stored?.role, 'user');
    assert.equal(stored?.isActive, true);
  });

  test('unknown user id gets 404', async () => {
    const missing = 999_999;

    const responses = [
      await client.changeUser(missing, { role: 'admin' }),
      await client.changeUser(missing, { isActive: false }),
      await client.deleteUser(missing),
    ];

    for (const response of responses) {
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'not_found');
      assert.match(response.body.error.message, /User 999999 was not found/);
    }
  });

  test('audit log records admin changes', async () => {
    const target = await server.signUp('audited');
    const started = Date.now();

    await client.changeUser(target.userId, { role: 'admin' });
    await client.changeUser(target.userId, { isActive: false });
    await client.changeUser(target.userId, { isActive: true });
    await client.deleteUser(target.userId);
    const entries = (await client.auditEntries(`actorId=${client.adminId}`)).filter(
      (entry) => entry.targetId === String(target.userId),
    );

    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['user.delete', 'user.enable', 'user.disable', 'user.role_change'],
    );
    for (const entry of entries) {
      assert.equal(entry.actorId, client.adminId, entry.action);
      assert.equal(entry.targetType, 'user', entry.action);
      assert.match(entry.ip ?? '', LOOPBACK, entry.action);
      const time = Date.parse(entry.createdAt);
      assert.ok(time >= started - 1000, entry.createdAt);
      assert.ok(time <= Date.now() + 1000, entry.createdAt);
      assert.match(entry.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.deepEqual(entries[3]?.details, { from: 'user', to: 'admin' });
    assert.equal(entries[0]?.details?.email, target.email);
    assert.equal(entries[0]?.details?.nickname, 'audited');
  });

  test('audit log skips a change to the same value', async () => {
    const target = await server.signUp('no-op-change');

    const response = await client.changeUser(target.userId, { role: 'user', isActive: true });
    const entries = await client.auditEntries('action=user.role_change');

    assert.equal(response.status, 200);
    assert.ok(entries.every((entry) => entry.targetId !== String(target.userId)));
  });

  test('audit log records sign-ins and password changes', async () => {
    const target = await server.signUp('signs-in');
    const failed = await server.request('POST', '/api/auth/login', {
      body: { login: 'signs-in', password: 'wrong-password' },
    });
    await server.request('PUT', '/api/auth/password', {
      token: target.accessToken,
      body: { currentPassword: target.password, newPassword: 'new-password-1' },
    });
    const logout = await server.request('POST', '/api/auth/logout', {
      body: { refreshToken: target.refreshToken },
    });

    const entries = await client.auditEntries(`actorId=${target.userId}`);
    const byAction = new Map(entries.map((entry) => [entry.action, entry]));

    assert.equal(failed.status, 401);
    assert.equal(logout.status, 204);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['auth.logout', 'auth.password_change', 'auth.login_failed', 'auth.login', 'auth.register'],
    );
    for (const entry of entries) {
      assert.equal(entry.actorId, target.userId, entry.action);
      assert.match(entry.ip ?? '', LOOPBACK, entry.action);
      assert.ok(!Number.isNaN(Date.parse(entry.createdAt)), entry.action);
    }
    assert.equal(byAction.get('auth.login')?.login, target.email);
    assert.equal(byAction.get('auth.login')?.targetId, String(target.userId));
    assert.equal(byAction.get('auth.login_failed')?.login, target.email);
    assert.deepEqual(byAction.get('auth.login_failed')?.details, { reason: 'wrong_password' });
    assert.equal(byAction.get('auth.password_change')?.targetId, String(target.userId));
    assert.equal(byAction.get('auth.logout')?.targetType, 'session');
  });

  test('audit log records failed logins of unknown accounts', async () => {
    await server.request('POST', '/api/auth/login', {
      body: { login: 'Nobody-Here@Example.com', password: 'wrong-password' },
    });

    const entries = await client.auditEntries('action=auth.login_failed');
    const entry = entries.find((candidate) => candidate.login === 'nobody-here@example.com');

    assert.notEqual(entry, undefined);
    assert.equal(entry?.actorId, null);
    assert.match(entry?.ip ?? '', LOOPBACK);
    assert.deepEqual(entry?.details, { reason: 'unknown_login' });
  });

  test('audit log filters and pages', async () => {
    const target = await server.signUp('audit-filter');
    const since = new Date(Date.now() - 60_000).toISOString();

    const byAction = await client.auditEntries('action=auth.register');
    const byActor = await client.auditEntries(`actorId=${target.userId}`);
    const future = await client.auditEntries(
      `since=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    const recent = await client.auditEntries(`since=${encodeURIComponent(since)}`);
    const firstPage = await client.request<AuditPage>('GET', '/api/admin/audit-log?pageSize=2');
    const secondPage = await client.request<AuditPage>(
      'GET',
      '/api/admin/audit-log?pageSize=2&page=2',
    );

    assert.ok(byAction.length > 0);
    assert.ok(byAction.every((entry) => entry.action === 'auth.register'));
    assert.ok(byActor.length > 0);
    assert.ok(byActor.every((entry) => entry.actorId === target.userId));
    assert.deepEqual(future, []);
    assert.ok(recent.some((entry) => entry.actorId === target.userId));
    assert.equal(firstPage.body.entries.length, 2);
    assert.equal(firstPage.body.total, await AuditLog.count());
    assert.ok((firstPage.body.entries[1]?.id ?? 0) > (secondPage.body.entries[0]?.id ?? 0));
  });
});

describe(`admin stats (${testDialect})`, () => {
  let client: AdminClient;

  before(async () => {
    client = await AdminClient.start();
  });

  after(async () => {
    await client.server.close();
  });

  test('stats counts users by role and state', async () => {
    const server = client.server;
    const admin = await server.signUp('stats-admin');
    const disabledAdmin = await server.signUp('stats-disabled-admin');
    const disabledUser = await server.signUp('stats-disabled-user');
    await server.signUp('stats-user');
    await client.changeUser(admin.userId, { role: 'admin' });
    await client.changeUser(disabledAdmin.userId, { role: 'admin', isActive: false });
    await client.changeUser(disabledUser.userId, { isActive: false });

    const response = await client.request<{ users: Record<string, number> }>(
      'GET',
      '/api/admin/stats',
    );

    assert.equal(response.status, 200);
    assert.deepEqual(response.body.users, {
      total: 5,
      active: 3,
      disabled: 2,
      admins: 3,
      activeAdmins: 2,
    });
  });
});

describe(`last active admin (${testDialect})`, () => {
  let client: AdminClient;
  let server: TestServer;

  before(async () => {
    client = await AdminClient.start();
    server = client.server;
  });

  after(async () => {
    await server.close();
  });

  test('last admin cannot lose the role', async () => {
    const changes: [string, () => Promise<{ status: number; body: ApiErrorBody }>][] = [
      ['demote', () => client.changeUser(client.adminId, { role: 'user' })],
      ['disable', () => client.changeUser(client.adminId, { isActive: false })],
      ['disable', () => client.changeUser(client.adminId, { role: 'admin', isActive: false })],
      ['delete', () => client.deleteUser(client.adminId)],
    ];
    for (const [verb, change] of changes) {
      const response = await change();
      assert.equal(response.status, 409, verb);
      assert.equal(response.body.error.code, 'last_admin', verb);
      assert.match(response.body.error.message, new RegExp(`^Cannot ${verb} admin:`), verb);
      assert.match(response.body.error.message, /make another user an admin first/, verb);
    }

    const stored = await User.findByPk(client.adminId);
    assert.equal(stored?.role, 'admin');
    assert.equal(stored?.isActive, true);
    assert.equal((await client.listUsers()).status, 200);
  });

  test('disabled admin does not count as another', async () => {
    const dormant = await server.signUp('dormant-admin');
    await client.changeUser(dormant.userId, { role: 'admin' });
    await client.changeUser(dormant.userId, { isActive: false });

    const response = await client.changeUser(client.adminId, { role: 'user' });

    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'last_admin');
  });

  test('disabled admin can be demoted and deleted', async () => {
    const dormant = await server.signUp('old-admin');
    await client.changeUser(dormant.userId, { role: 'admin', isActive: false });

    const demoted = await client.changeUser(dormant.userId, { role: 'user' });
    const deleted = await client.deleteUser(dormant.userId);

    assert.equal(demoted.status, 200);
    assert.equal(deleted.status, 204);
  });

  test('second active admin lifts the limit', async () => {
    const deputy = await server.signUp('deputy');
    await client.changeUser(deputy.userId, { role: 'admin' });
    const deputyLogin = await server.logIn('deputy', deputy.password);

    const demoted = await client.changeUser(client.adminId, { role: 'user' });
    const selfDemotion = await server.request<ApiErrorBody>(
      'PATCH',
      `/api/admin/users/${deputy.userId}`,
      { token: deputyLogin.accessToken, body: { role: 'user' } },
    );
    const restored = await server.request('PATCH', `/api/admin/users/${client.adminId}`, {
      token: deputyLogin.accessToken,
      body: { role: 'admin' },
    });
    const disabled = await client.changeUser(deputy.userId, { isActive: false });
    await client.changeUser(deputy.userId, { isActive: true });
    const deleted = await client.deleteUser(deputy.userId);

    assert.equal(demoted.status, 200);
    assert.equal(demoted.body.user.role, 'user');
    assert.equal(selfDemotion.status, 409);
    assert.equal(selfDemotion.body.error.code, 'last_admin');
    assert.match(selfDemotion.body.error.message, /deputy/);
    assert.equal(restored.status, 200);
    assert.equal(disabled.status, 200);
    assert.equal(deleted.status, 204);
    assert.equal(await User.count({ where: { role: 'admin', isActive: true } }), 1);
  });

  test('two admins demoting each other keep one', async () => {
    const first = await server.signUp('race-one');
    const second = await server.signUp('race-two');
    await client.changeUser(first.userId, { role: 'admin' });
    await client.changeUser(second.userId, { role: 'admin' });
    await client.changeUser(client.adminId, { role: 'user' });
    const firstLogin = await server.logIn('race-one', first.password);
    const secondLogin = await server.logIn('race-two', second.password);

    const results = await Promise.all([
      server.request('PATCH', `/api/admin/users/${second.userId}`, {
        token: firstLogin.accessToken,
        body: { role: 'user' },
      }),
      server.request('PATCH', `/api/admin/users/${first.userId}`, {
        token: secondLogin.accessToken,
        body: { role: 'user' },
      }),
    ]);

    const statuses = results.map((result) => result.status).sort();
    assert.deepEqual(statuses, [200, 409], JSON.stringify(results.map((result) => result.body)));
    assert.equal(await User.count({ where: { role: 'admin', isActive: true } }), 1);
  });
});

/** Registers a user with a chosen email and nickname and returns its id. */
async function registerUser(server: TestServer, email: string, nickname: string) {
  const response = await server.request<{ user: ApiUser }>('POST', '/api/auth/register', {
    body: { email, nickname, password: 'password-123' },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.user.id;
}

describe(`client address behind a proxy (${testDialect})`, () => {
  const forwarded = '203.0.113.7';

  async function failedLoginAddress(client: AdminClient, login: string, forwardedFor: string) {
    await client.server.request('POST', '/api/auth/login', {
      body: { login, password: 'wrong-password' },
      headers: { 'X-Forwarded-For': forwardedFor },
    });
    const entries = await client.auditEntries('action=auth.login_failed');
    return entries.find((entry) => entry.login === login)?.ip;
  }

  test('TRUST_PROXY records the forwarded address', async (t) => {
    const client = await AdminClient.start({ TRUST_PROXY: 'true' });
    t.after(() => client.server.close());

    const single = await failedLoginAddress(client, 'proxied-1@example.com', forwarded);
    const chained = await failedLoginAddress(
      client,
      'proxied-2@example.com',
      `198.51.100.1, ${forwarded}`,
    );
    const garbage = await failedLoginAddress(client, 'proxied-3@example.com', 'not-an-address');

    assert.equal(single, forwarded);
    assert.equal(chained, forwarded);
    assert.match(garbage ?? '', LOOPBACK);
  });

  test('without TRUST_PROXY the socket address counts', async (t) => {
    const client = await AdminClient.start();
    t.after(() => client.server.close());

    const address = await failedLoginAddress(client, 'direct@example.com', forwarded);

    assert.match(address ?? '', LOOPBACK);
  });

  // Models bind to the database of the server started last, so the servers run one at a time.
  async function refreshCookie(env: Record<string, string>) {
    const server = await TestServer.start(env);
    try {
      const response = await server.request('POST', '/api/auth/login', {
        body: { login: TEST_ADMIN.email, password: TEST_ADMIN.password },
        headers: { 'X-Forwarded-Proto': 'https' },
      });
      assert.equal(response.status, 200);
      return response.headers.get('set-cookie') ?? '';
    } finally {
      await server.close();
    }
  }

  test('TRUST_PROXY marks the cookie Secure behind https', async () => {
    const behindProxy = await refreshCookie({ TRUST_PROXY: 'true' });
    const withoutProxy = await refreshCookie({});

    assert.match(behindProxy, /;\s*secure/i);
    assert.doesNotMatch(withoutProxy, /;\s*secure/i);
  });
});
