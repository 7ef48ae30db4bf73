import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiGpuHost, GpuHostTestResult } from '../../../shared/src/api/training.js';
import { AuditLog, GpuHost } from '../models/index.js';
import { sshKeyPair } from '../testing/sshKeys.js';
import { startTestSshd, type TestSshd } from '../testing/sshd.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { FAST_TRAINING_ENV, hostBody } from '../testing/trainingFixture.js';
import { trainingOf } from '../training/registry.js';

interface HostResponse {
  gpuHost: ApiGpuHost;
}
interface ErrorResponse {
  error: { code: string; message: string };
}

describe(`GPU hosts API (${testDialect})`, () => {
  let sshd: TestSshd;
  let server: TestServer;
  let admin: string;
  let adminId: number;
  let alice: string;

  before(async () => {
    sshd = await startTestSshd();
    server = await TestServer.start({ ...FAST_TRAINING_ENV, AUTH_MAX_FAILURES: '1000' });
    ({ accessToken: admin, userId: adminId } = await server.logInAdmin());
    alice = (await server.signUp('alice')).accessToken;
  });

  after(async () => {
    await server.close();
    await sshd.close();
  });

  const createHost = (overrides: Record<string, unknown> = {}) =>
    server.request<HostResponse & ErrorResponse>('POST', '/api/gpu-hosts', {
      token: admin,
      body: hostBody(sshd, overrides),
    });

  test('create encrypts key, masks fingerprint', async () => {
    const response = await createHost({ name: 'stored-key' });

    assert.equal(response.status, 201);
    const host = response.body.gpuHost;
    assert.match(host.keyFingerprintMasked, /^SHA256:.{4}….{4}$/);
    assert.equal(host.hostKeyFingerprint, null);
    assert.equal(host.port, sshd.port);
    assert.equal(JSON.stringify(response.body).includes('PRIVATE KEY'), false);
    const stored = await GpuHost.findByPk(host.id);
    assert.equal(stored?.privateKeyEncrypted.includes('PRIVATE KEY'), false);
    assert.ok(stored?.privateKeyEncrypted.startsWith('v1:'));
  });

  test('hosts are for admins only', async () => {
    const list = await server.request('GET', '/api/gpu-hosts', { token: alice });
    const create = await server.request('POST', '/api/gpu-hosts', {
      token: alice,
      body: hostBody(sshd, { name: 'not-allowed' }),
    });

    assert.equal(list.status, 403);
    assert.equal(create.status, 403);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['public key as private key', { privateKey: 'ssh-ed25519 AAAAC3Nza... x' }, /privateKey/],
    [
      'garbage key',
      { privateKey: 'not a key' },
      /body\.privateKey: The private key cannot be read/,
    ],
    ['port 0', { port: 0 }, /body\.port: must be a port number from 1 to 65535/],
    ['user with a space', { user: 'a b' }, /body\.user/],
    ['host with a slash', { host: 'gpu/01' }, /body\.host: must be an IP address or a host name/],
    ['home shortcut', { workDir: '~/runs' }, /body\.workDir: must not start with ~/],
    ['slurm launcher', { launcher: 'slurm' }, /slurm is not supported yet/],
    [
      '65 runs',
      { maxConcurrentRuns: 65 },
      /body\.maxConcurrentRuns: must be a whole number from 1 to 64/,
    ],
    ['bad fingerprint', { hostKeyFingerprint: 'MD5:aa:bb' }, /is not a SHA256 fingerprint/],
  ];
  for (const [name, overrides, message] of invalid) {
    test(`create rejects ${name}`, async () => {
      const response = await createHost({ name: `bad ${name}`, ...overrides });

      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.match(response.body.error.message, message);
    });
  }

  test('encrypted key needs its passphrase', async () => {
    const keys = sshKeyPair('secret words');

    const without = await createHost({ name: 'locked', privateKey: keys.private });
    const withIt = await createHost({
      name: 'unlocked',
      privateKey: keys.private,
      privateKeyPassphrase: 'secret words',
    });

    assert.equal(without.status, 400);
    assert.match(without.body.error.message, /encrypted; send its passphrase/);
    assert.equal(withIt.status, 201);
  });

  test('duplicate names are rejected', async () => {
    await createHost({ name: 'twin' });

    const second = await createHost({ name: 'twin' });

    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'duplicate_name');
  });

  test('host key is fetched, confirmed and checked', async () => {
    const created = await createHost({ name: 'pinned' });
    const id = created.body.gpuHost.id;

    const unconfirmedTest = await server.request<ErrorResponse>(
      'POST',
      `/api/gpu-hosts/${id}/test`,
      {
        token: admin,
      },
    );
    const scanned = await server.request<{ fingerprint: string; matches: boolean }>(
      'POST',
      `/api/gpu-hosts/${id}/host-key`,
      { token: admin, body: {} },
    );
    const wrongConfirm = await server.request<ErrorResponse>(
      'POST',
      `/api/gpu-hosts/${id}/host-key`,
      {
        token: admin,
        body: { confirmFingerprint: `SHA256:${'B'.repeat(43)}` },
      },
    );
    const confirmed = await server.request<{ pinned: string; matches: boolean }>(
      'POST',
      `/api/gpu-hosts/${id}/host-key`,
      { token: admin, body: { confirmFingerprint: scanned.body.fingerprint } },
    );

    assert.equal(unconfirmedTest.status, 409);
    assert.equal(unconfirmedTest.body.error.code, 'host_key_not_confirmed');
    assert.equal(scanned.body.fingerprint, sshd.hostKeyFingerprint());
    assert.equal(scanned.body.matches, false);
    assert.equal(wrongConfirm.status, 409);
    assert.equal(wrongConfirm.body.error.code, 'host_key_mismatch');
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.pinned, sshd.hostKeyFingerprint());
    assert.equal(confirmed.body.matches, true);
  });

  test('test finds stand-in, not nvidia-smi', async () => {
    const id = await pinnedHost('tested');

    const response = await server.request<GpuHostTestResult>('POST', `/api/gpu-hosts/${id}/test`, {
      token: admin,
    });

    assert.equal(response.status, 200);
    assert.equal(response.body.connected, true);
    assert.equal(response.body.llamaFactoryVersion, '0.9.4');
    assert.deepEqual(response.body.gpus, []);
    assert.equal(response.body.ok, false);
    assert.ok(response.body.findings.some((finding) => /nvidia-smi was not found/.test(finding)));
  });

  test('test reports missing llamafactory-cli', async () => {
    const id = await pinnedHost('bare', { setupCommand: '' });

    const response = await server.request<GpuHostTestResult>('POST', `/api/gpu-hosts/${id}/test`, {
      token: admin,
    });

    assert.equal(response.body.llamaFactoryVersion, null);
    assert.ok(
      response.body.findings.some((finding) => /llamafactory-cli was not found/.test(finding)),
    );
  });

  test('changing the port forgets the pinned key', async () => {
    const id = await pinnedHost('moving');

    const moved = await server.request<HostResponse>('PATCH', `/api/gpu-hosts/${id}`, {
      token: admin,
      body: { port: 2222 },
    });
    const renamed = await server.request<HostResponse>('PATCH', `/api/gpu-hosts/${id}`, {
      token: admin,
      body: { port: sshd.port, hostKeyFingerprint: sshd.hostKeyFingerprint() },
    });

    assert.equal(moved.body.gpuHost.hostKeyFingerprint, null);
    assert.equal(renamed.body.gpuHost.hostKeyFingerprint, sshd.hostKeyFingerprint());
  });

  test('changed host key stops with both fingerprints', async () => {
    const id = await pinnedHost('rotating');
    const before = sshd.hostKeyFingerprint();
    const pool = trainingOf(server.running.services).pool;
    const host = await GpuHost.findByPk(id);
    assert.ok(host !== null);
    await pool.acquire(host);

    await sshd.rotateHostKey();
    pool.drop(id);
    const after = sshd.hostKeyFingerprint();
    const response = await server.request<ErrorResponse>('POST', `/api/gpu-hosts/${id}/test`, {
      token: admin,
    });
    const reconnect = pool.acquire(host);

    assert.notEqual(before, after);
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'host_key_changed');
    assert.ok(response.body.error.message.includes(`expected ${before}`));
    assert.ok(response.body.error.message.includes(after));
    await assert.rejects(reconnect, { code: 'host_key_changed' });
  });

  test('changes are audited without key material', async () => {
    const keys = sshKeyPair('audit passphrase');
    const created = await createHost({ name: 'audited' });
    const id = created.body.gpuHost.id;

    await server.request('PATCH', `/api/gpu-hosts/${id}`, {
      token: admin,
      body: {
        name: 'audited-renamed',
        privateKey: keys.private,
        privateKeyPassphrase: 'audit passphrase',
      },
    });
    await server.request('POST', `/api/gpu-hosts/${id}/host-key`, {
      token: admin,
      body: { confirmFingerprint: sshd.hostKeyFingerprint() },
    });
    await server.request('DELETE', `/api/gpu-hosts/${id}`, { token: admin });
    const entries = await AuditLog.findAll({
      where: { targetType: 'gpu_host', targetId: String(id) },
      order: [['id', 'ASC']],
    });

    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['gpu_host.create', 'gpu_host.update', 'gpu_host.pin_host_key', 'gpu_host.delete'],
    );
    const [create, update, pin, remove] = entries;
    assert.ok(entries.every((entry) => entry.actorId === adminId));
    assert.match(create?.ip ?? '', /127\.0\.0\.1/);
    assert.equal(create?.details?.name, 'audited');
    assert.equal(create?.details?.host, sshd.host);
    assert.equal(create?.details?.port, sshd.port);
    assert.deepEqual(update?.details, {
      fields: ['name', 'privateKey', 'privateKeyPassphrase'],
    });
    assert.equal(pin?.details?.hostKeyFingerprint, sshd.hostKeyFingerprint());
    assert.equal(pin?.details?.previousHostKeyFingerprint, null);
    assert.equal(remove?.details?.name, 'audited-renamed');
    const stored = JSON.stringify(entries.map((entry) => entry.details));
    assert.equal(stored.includes('PRIVATE KEY'), false);
    assert.equal(stored.includes('audit passphrase'), false);
  });

  test('moved host audits both fingerprints', async () => {
    const id = await pinnedHost('audited-move');

    await server.request('PATCH', `/api/gpu-hosts/${id}`, { token: admin, body: { port: 2222 } });
    const entry = await AuditLog.findOne({
      where: { action: 'gpu_host.update', targetId: String(id) },
    });

    assert.deepEqual(entry?.details, {
      fields: ['port'],
      hostKeyFingerprint: null,
      previousHostKeyFingerprint: sshd.hostKeyFingerprint(),
    });
  });

  test('training timing from TRAINING_* variables', () => {
    const { settings } = trainingOf(server.running.services);

    assert.equal(settings.pollIntervalMs, Number(FAST_TRAINING_ENV.TRAINING_POLL_INTERVAL_MS));
    assert.equal(settings.leaseMs, Number(FAST_TRAINING_ENV.TRAINING_LEASE_MS));
  });

  test('delete removes an idle host', async () => {
    const id = (await createHost({ name: 'short-lived' })).body.gpuHost.id;

    const deleted = await server.request('DELETE', `/api/gpu-hosts/${id}`, { token: admin });
    const fetched = await server.request('GET', `/api/gpu-hosts/${id}`, { token: admin });

    assert.equal(deleted.status, 204);
    assert.equal(fetched.status, 404);
  });

  async function pinnedHost(name: string, overrides: Record<string, unknown> = {}) {
    const created = await createHost({
      name,
      hostKeyFingerprint: sshd.hostKeyFingerprint(),
      ...overrides,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.gpuHost.id;
  }
});
