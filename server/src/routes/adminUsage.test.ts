import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { UsageRecord } from '../models/index.js';
import { countRecords, DASHBOARD_RECORD_COUNTS } from '../stats/recordCounts.js';
import { TestServer, testDialect } from '../testing/testServer.js';
import {
  FORMULA_MODEL_ID,
  SEEDED_PERIOD,
  seedUsage,
  type SeededUsage,
} from '../testing/usageSeed.js';
import type { DayUsage, ModelUsage, UsageTotals, UserUsage } from '../usage/report.js';

interface UsageBody {
  period: { from: string; to: string; days: number };
  totals: UsageTotals;
  byModel: ModelUsage[];
  byUser: UserUsage[];
  byDay: DayUsage[];
}

interface DashboardBody {
  period: { from: string; to: string; days: number };
  users: Record<string, number>;
  usage: UsageTotals;
  records: Record<string, { total: number; byState?: Record<string, number> }>;
}

const PERIOD_QUERY = `from=${SEEDED_PERIOD.from}&to=${SEEDED_PERIOD.to}`;

/** Picks the summed figures of a usage row, leaving out its names. */
function figures(row: UsageTotals) {
  return {
    requests: row.requests,
    failedRequests: row.failedRequests,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    reasoningTokens: row.reasoningTokens,
    totalTokens: row.totalTokens,
    cost: row.cost,
    unpricedRequests: row.unpricedRequests,
    avgLatencyMs: row.avgLatencyMs,
  };
}

describe(`admin usage API (${testDialect})`, () => {
  let server: TestServer;
  let token: string;
  let seeded: SeededUsage;

  before(async () => {
    server = await TestServer.start();
    token = (await server.logInAdmin()).accessToken;
    seeded = await seedUsage(server);
  });

  after(async () => {
    await server.close();
  });

  const get = <T>(path: string) => server.request<T>('GET', path, { token });

  test('totals cover the period only', async () => {
    const response = await get<UsageBody>(`/api/admin/usage?${PERIOD_QUERY}`);

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body.period, { ...SEEDED_PERIOD, days: 10 });
    assert.deepEqual(figures(response.body.totals), {
      requests: 5,
      failedRequests: 1,
      promptTokens: 3510,
      completionTokens: 3655,
      reasoningTokens: 1000,
      totalTokens: 7165,
      cost: 1.9375,
      unpricedRequests: 1,
      avgLatencyMs: 260,
    });
  });

  test('usage by model names each config', async () => {
    const response = await get<UsageBody>(`/api/admin/usage?${PERIOD_QUERY}`);

    const rows = response.body.byModel;
    assert.deepEqual(
      rows.map((row) => [row.modelId, row.modelConfigId, row.displayName, row.providerName]),
      [
        ['o-reason', seeded.reasonerConfigId, 'Reasoner', 'Acme Cloud'],
        ['gpt-fast', seeded.fastConfigId, 'GPT Fast', 'Acme Cloud'],
        [FORMULA_MODEL_ID, null, null, null],
      ],
    );
    assert.deepEqual(figures(rows[0]!), {
      requests: 1,
      failedRequests: 0,
      promptTokens: 2000,
      completionTokens: 3000,
      reasoningTokens: 1000,
      totalTokens: 5000,
      cost: 1.25,
      unpricedRequests: 0,
      avgLatencyMs: 300,
    });
    assert.deepEqual(figures(rows[1]!), {
      requests: 3,
      failedRequests: 1,
      promptTokens: 1410,
      completionTokens: 605,
      reasoningTokens: 0,
      totalTokens: 2015,
      cost: 0.6875,
      unpricedRequests: 0,
      avgLatencyMs: 200,
    });
    assert.equal(rows[2]?.cost, 0);
    assert.equal(rows[2]?.unpricedRequests, 1);
    assert.equal(rows[2]?.totalTokens, 150);
  });

  test('usage by user includes deleted users', async () => {
    const response = await get<UsageBody>(`/api/admin/usage?${PERIOD_QUERY}`);

    assert.deepEqual(
      response.body.byUser.map((row) => [row.userId, row.nickname, row.email]),
      [
        [seeded.aliceId, 'alice', 'alice@example.com'],
        [seeded.bobId, 'bob', 'bob@example.com'],
        [null, null, null],
      ],
    );
    assert.deepEqual(
      response.body.byUser.map((row) => [row.requests, row.totalTokens, row.cost]),
      [
        [2, 6500, 1.75],
        [2, 650, 0.125],
        [1, 15, 0.0625],
      ],
    );
    assert.equal(response.body.byUser[1]?.failedRequests, 1);
  });

  test('usage by day fills empty days', async () => {
    const response = await get<UsageBody>(`/api/admin/usage?${PERIOD_QUERY}`);

    const byDay = response.body.byDay;
    assert.deepEqual(
      byDay.map((row) => row.day),
      [
        '2025-03-01',
        '2025-03-02',
        '2025-03-03',
        '2025-03-04',
        '2025-03-05',
        '2025-03-06',
        '2025-03-07',
        '2025-03-08',
        '2025-03-09',
        '2025-03-10',
      ],
    );
    assert.deepEqual(
      byDay.map((row) => [row.requests, row.totalTokens, row.cost]),
      [
        [1, 1500, 0.5],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [2, 5500, 1.375],
        [0, 0, 0],
        [1, 15, 0.0625],
        [0, 0, 0],
        [0, 0, 0],
        [1, 150, 0],
      ],
    );
    assert.equal(byDay[1]?.avgLatencyMs, null);
  });

  test('one-day period includes its last millisecond', async () => {
    const response = await get<UsageBody>('/api/admin/usage?from=2025-03-10&to=2025-03-10');

    assert.equal(response.status, 200);
    assert.equal(response.body.totals.requests, 1);
    assert.equal(response.body.byDay.length, 1);
    assert.equal(response.body.byModel[0]?.modelId, FORMULA_MODEL_ID);
  });

  test('period without usage returns zeros', async () => {
    const response = await get<UsageBody>('/api/admin/usage?from=2024-01-01&to=2024-01-03');

    assert.equal(response.status, 200);
    assert.equal(response.body.totals.requests, 0);
    assert.equal(response.body.totals.cost, 0);
    assert.equal(response.body.totals.avgLatencyMs, null);
    assert.deepEqual(response.body.byModel, []);
    assert.deepEqual(response.body.byUser, []);
    assert.equal(response.body.byDay.length, 3);
  });

  test('default period is the last 30 days', async () => {
    const record = await UsageRecord.create({
      userId: seeded.aliceId,
      providerId: seeded.providerId,
      modelConfigId: seeded.fastConfigId,
      modelId: 'gpt-fast',
      purpose: 'test',
      promptTokens: 7,
      completionTokens: 3,
      reasoningTokens: 0,
      cost: 0.001,
      latencyMs: 50,
      ttftMs: null,
      success: true,
      finishReason: 'stop',
      errorCode: null,
    });
    try {
      const response = await get<UsageBody>('/api/admin/usage');

      const today = new Date().toISOString().slice(0, 10);
      const first = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.period, { from: first, to: today, days: 30 });
      assert.equal(response.body.byDay.length, 30);
      assert.equal(response.body.byDay.at(-1)?.totalTokens, 10);
      assert.equal(response.body.totals.requests, 1);
    } finally {
      await record.destroy();
    }
  });

  const badPeriods: [string, string, string][] = [
    ['reversed', 'from=2025-03-10&to=2025-03-01', 'ends before it starts'],
    ['too long', 'from=2020-01-01&to=2025-01-01', 'choose at most 731'],
  ];
  for (const [name, query, message] of badPeriods) {
    test(`${name} period is rejected`, async () => {
      const response = await get<ApiErrorBody>(`/api/admin/usage?${query}`);

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'invalid_period');
      assert.match(response.body.error.message, new RegExp(message));
    });
  }

  const badDates: [string, string, string][] = [
    ['day first', 'from=10-03-2025', 'Invalid query.from: must be a date written as YYYY-MM-DD'],
    ['February 30', 'to=2025-02-30', 'Invalid query.to: must be a real calendar date'],
    ['time of day', 'to=2025-03-01T00:00:00Z', 'Invalid query.to: must be a date written'],
  ];
  for (const [name, query, message] of badDates) {
    test(`${name} date is rejected`, async () => {
      const response = await get<ApiErrorBody>(`/api/admin/usage?${query}`);

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.ok(response.body.error.message.startsWith(message), response.body.error.message);
    });
  }

  test('CSV by model quotes and guards cells', async () => {
    const response = await fetch(`${server.url}/api/admin/usage/export?by=model&${PERIOD_QUERY}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const text = await response.text();

    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(
      response.headers.get('content-disposition'),
      'attachment; filename="usage-by-model-2025-03-01-to-2025-03-10.csv"',
    );
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(text.split('\r\n'), [
      'model_id,model_config_id,display_name,provider,requests,failed_requests,prompt_tokens,' +
        'completion_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,avg_latency_ms',
      `o-reason,${seeded.reasonerConfigId},Reasoner,Acme Cloud,1,0,2000,3000,1000,5000,1.25,0,300`,
      `gpt-fast,${seeded.fastConfigId},GPT Fast,Acme Cloud,3,1,1410,605,0,2015,0.6875,0,200`,
      `"'=HYPERLINK(""http://127.0.0.1/x"",""a,b"")",,,,1,0,100,50,0,150,0,1,400`,
      '',
    ]);
  });

  test('CSV by user and by day', async () => {
    const byUser = await fetch(`${server.url}/api/admin/usage/export?by=user&${PERIOD_QUERY}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const byDay = await fetch(`${server.url}/api/admin/usage/export?by=day&${PERIOD_QUERY}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const userLines = (await byUser.text()).split('\r\n');
    const dayLines = (await byDay.text()).split('\r\n');

    assert.equal(userLines[0]?.split(',').slice(0, 4).join(','), 'user_id,nickname,email,requests');
    assert.equal(
      userLines[1],
      `${seeded.aliceId},alice,alice@example.com,2,0,3000,3500,1000,6500,1.75,0,200`,
    );
    assert.equal(userLines[3], ',,,1,0,10,5,0,15,0.0625,0,300');
    assert.equal(userLines.length, 5);
    assert.equal(dayLines[0]?.split(',')[0], 'day');
    assert.equal(dayLines[1], '2025-03-01,1,0,1000,500,0,1500,0.5,0,100');
    assert.equal(dayLines[2], '2025-03-02,0,0,0,0,0,0,0,0,');
    assert.equal(dayLines.length, 12);
  });

  test('CSV export needs a known breakdown', async () => {
    const missing = await get<ApiErrorBody>(`/api/admin/usage/export?${PERIOD_QUERY}`);
    const unknown = await get<ApiErrorBody>(`/api/admin/usage/export?by=provider`);

    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /query\.by/);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.message, 'Invalid query.by: must be one of model, user, day');
  });

  test('GPU hours list is empty without training', async () => {
    const response = await get<{ gpuHours: unknown[]; total: number }>(
      `/api/admin/usage/gpu-hours?${PERIOD_QUERY}`,
    );

    assert.equal(response.status, 200);
    assert.deepEqual(response.body.gpuHours, []);
    assert.equal(response.body.total, 0);
  });

  test('dashboard sums users and usage', async () => {
    const response = await get<DashboardBody>(`/api/admin/dashboard?${PERIOD_QUERY}`);

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body.users, {
      total: 3,
      active: 3,
      disabled: 0,
      admins: 1,
      activeAdmins: 1,
    });
    assert.deepEqual(figures(response.body.usage), {
      requests: 5,
      failedRequests: 1,
      promptTokens: 3510,
      completionTokens: 3655,
      reasoningTokens: 1000,
      totalTokens: 7165,
      cost: 1.9375,
      unpricedRequests: 1,
      avgLatencyMs: 260,
    });
  });

  test('dashboard counts only existing tables', async () => {
    const queryInterface = UsageRecord.sequelize!.getQueryInterface();
    const existing: string[] = [];
    for (const spec of DASHBOARD_RECORD_COUNTS) {
      if (await queryInterface.tableExists(spec.table)) {
        existing.push(spec.key);
      }
    }

    const response = await get<DashboardBody>('/api/admin/dashboard');

    assert.deepEqual(Object.keys(response.body.records).sort(), existing.sort());
  });

  test('reports need the admin role', async () => {
    const user = await server.logIn('alice', 'password-123');
    const paths = [
      '/api/admin/usage',
      '/api/admin/usage/export?by=day',
      '/api/admin/usage/gpu-hours',
      '/api/admin/dashboard',
    ];
    for (const path of paths) {
      const anonymous = await server.request<ApiErrorBody>('GET', path);
      const plain = await server.request<ApiErrorBody>('GET', path, { token: user.accessToken });

      assert.equal(anonymous.status, 401, path);
      assert.equal(plain.status, 403, path);
      assert.equal(plain.body.error.code, 'forbidden', path);
    }
  });
});

describe(`countRecords (${testDialect})`, () => {
  let server: TestServer;

  before(async () => {
    server = await TestServer.start();
  });

  after(async () => {
    await server.close();
  });

  test('counts rows per state of existing tables', async () => {
    const sequelize = UsageRecord.sequelize!;
    const queryInterface = sequelize.getQueryInterface();
    await queryInterface.createTable('scratch_tasks', {
      id: { type: 'INTEGER', primaryKey: true, autoIncrement: true },
      status: { type: 'VARCHAR(16)', allowNull: true },
    });
    await queryInterface.bulkInsert('scratch_tasks', [
      { status: 'running' },
      { status: 'completed' },
      { status: 'completed' },
      { status: null },
    ]);

    const counts = await countRecords(sequelize, [
      { key: 'plain', table: 'scratch_tasks' },
      { key: 'tasks', table: 'scratch_tasks', stateColumn: 'status' },
      { key: 'missing', table: 'no_such_table' },
    ]);

    assert.deepEqual(counts, {
      plain: { total: 4 },
      tasks: { total: 4, byState: { running: 1, completed: 2, none: 1 } },
    });
  });

  test('invalid table name is rejected', async () => {
    await assert.rejects(
      countRecords(UsageRecord.sequelize!, [{ key: 'bad', table: 'users; DROP TABLE users' }]),
      /Record count bad names the invalid table or column "users; DROP TABLE users"/,
    );
  });
});
