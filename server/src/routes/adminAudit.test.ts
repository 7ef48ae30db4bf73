import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { recordAudit, type AuditAction } from '../audit.js';
import { AuditLog } from '../models/index.js';
import { TestServer, testDialect } from '../testing/testServer.js';

interface AuditPage {
  entries: {
    id: number;
    actorId: number | null;
    actorNickname: string | null;
    action: string;
    targetId: string | null;
    login: string | null;
  }[];
  total: number;
}

describe(`admin audit log filters (${testDialect})`, () => {
  let server: TestServer;
  let token: string;
  let adminId: number;
  let ada: { userId: number; password: string };
  let grace: { userId: number };

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    const admin = await server.logInAdmin();
    token = admin.accessToken;
    adminId = admin.userId;
    ada = await server.signUp('Ada');
    grace = await server.signUp('grace');
    await server.request('PATCH', `/api/admin/users/${ada.userId}`, {
      token,
      body: { role: 'admin' },
    });
    await server.request('POST', '/api/auth/login', {
      body: { login: 'ada@example.com', password: 'wrong-password' },
    });
    await server.request('POST', '/api/auth/login', {
      body: { login: 'nobody@example.com', password: 'wrong-password' },
    });
  });

  after(async () => {
    await server.close();
  });

  const entries = async (query: string) => {
    const response = await server.request<AuditPage>('GET', `/api/admin/audit-log?${query}`, {
      token,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  };

  const actions = (page: AuditPage) => page.entries.map((entry) => entry.action).sort();

  test('user filter by id, email and nickname', async () => {
    const byId = await entries(`user=${ada.userId}`);
    const byEmail = await entries('user=ADA@example.com');
    const byNickname = await entries('user=ada');

    assert.deepEqual(actions(byId), [
      'auth.login',
      'auth.login_failed',
      'auth.register',
      'user.role_change',
    ]);
    assert.deepEqual(actions(byEmail), actions(byId));
    assert.deepEqual(actions(byNickname), actions(byEmail));
    const roleChange = byId.entries.find((entry) => entry.action === 'user.role_change');
    assert.equal(roleChange?.actorId, adminId);
    assert.equal(roleChange?.targetId, String(ada.userId));
  });

  test('user filter matches unknown logins', async () => {
    const page = await entries('user=Nobody@example.com');

    assert.deepEqual(actions(page), ['auth.login_failed']);
    assert.equal(page.entries[0]?.login, 'nobody@example.com');
    assert.equal(page.total, 1);
  });

  test('user filter combines with action', async () => {
    const page = await entries(`user=grace&action=auth.register`);

    assert.equal(page.total, 1);
    assert.equal(page.entries[0]?.actorId, grace.userId);
    assert.equal(page.entries[0]?.actorNickname, 'grace');
  });

  test('since and until bound the period', async () => {
    const old = await recordAudit({ action: 'user.enable', actorId: adminId, targetId: 1 });
    await AuditLog.update(
      { createdAt: new Date('2024-06-01T12:00:00.000Z') },
      { where: { id: old.id } },
    );

    const inside = await entries('since=2024-06-01T00:00:00.000Z&until=2024-06-02T00:00:00.000Z');
    const before = await entries('until=2024-06-01T12:00:00.000Z');
    const after = await entries('since=2024-06-01T12:00:00.001Z&action=user.enable');

    assert.deepEqual(
      inside.entries.map((entry) => entry.id),
      [old.id],
    );
    assert.equal(before.total, 0);
    assert.equal(after.total, 0);
  });

  const resourceActions: AuditAction[] = [
    'dataset.create',
    'dataset.delete',
    'gpu_host.create',
    'gpu_host.update',
    'gpu_host.delete',
    'gpu_host.pin_host_key',
    'training_task.create',
    'training_task.start',
    'training_task.stop',
    'training_task.resume',
    'training_task.delete',
    'chat_session.delete',
  ];
  test('action filter takes the resource actions', async () => {
    const ids = new Map<string, number>();
    for (const action of resourceActions) {
      ids.set(action, (await recordAudit({ action, actorId: adminId, targetId: 7 })).id);
    }

    for (const action of resourceActions) {
      const page = await entries(`action=${action}`);
      assert.deepEqual(
        page.entries.map((entry) => entry.id),
        [ids.get(action)],
        action,
      );
    }
  });

  test('entries name their actor', async () => {
    const page = await entries(`actorId=${adminId}&action=user.role_change`);

    assert.equal(page.entries[0]?.actorNickname, 'admin');
  });

  test('empty user filter is rejected', async () => {
    const response = await server.request<ApiErrorBody>('GET', '/api/admin/audit-log?user=', {
      token,
    });

    assert.equal(response.status, 400);
    assert.equal(response.body.error.message, 'Invalid query.user: must not be empty');
  });
});
