import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sshKeyPair } from '../../testing/sshKeys.js';
import { startTestSshd, type TestSshd } from '../../testing/sshd.js';
import { scanHostKey, SshConnection, type SshTarget } from './connection.js';
import { HostKeyMismatchError, SshError } from './errors.js';
import { shellQuote } from './shellQuote.js';

/** Strings that break a shell command if pasted unquoted. */
const HOSTILE = [
  "it's",
  '$(touch /tmp/lw-pwned)',
  '`id`',
  'a; rm -rf ~',
  'two\nlines',
  '"double" and \'single\'',
  '\\ backslash $HOME * ? [x]',
  '',
  "'''",
  'trailing newline\n',
];

describe('SSH connection against a real sshd', () => {
  let sshd: TestSshd;
  let target: SshTarget;
  let connection: SshConnection;

  before(async () => {
    sshd = await startTestSshd();
    target = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKey,
      hostKeyFingerprint: sshd.hostKeyFingerprint(),
      readyTimeoutMs: 10_000,
      keepaliveIntervalMs: 0,
    };
    connection = await SshConnection.open(target);
  });

  after(async () => {
    connection.close();
    await sshd.close();
  });

  test('exec returns output and exit code', async () => {
    const result = await connection.exec('echo out; echo err >&2; exit 3', 10_000);

    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.code, 3);
  });

  test('quoted hostile strings reach the shell unchanged', async () => {
    for (const value of HOSTILE) {
      const result = await connection.exec(`printf %s ${shellQuote(value)}`, 10_000);

      assert.equal(result.stdout, value, `for ${JSON.stringify(value)}`);
      assert.equal(result.code, 0);
    }
  });

  test('scanHostKey returns the presented fingerprint', async () => {
    const scanned = await scanHostKey(sshd.host, sshd.port, 10_000);

    assert.equal(scanned.fingerprint, sshd.hostKeyFingerprint());
    assert.equal(scanned.keyType, 'ssh-ed25519');
  });

  test('a different pinned key is rejected naming both', async () => {
    const pinned = `SHA256:${'A'.repeat(43)}`;

    await assert.rejects(
      SshConnection.open({ ...target, hostKeyFingerprint: pinned }),
      (error: unknown) => {
        assert.ok(error instanceof HostKeyMismatchError);
        assert.equal(error.code, 'host_key_changed');
        assert.match(error.message, new RegExp(`expected ${pinned}`));
        assert.ok(error.message.includes(sshd.hostKeyFingerprint()));
        return true;
      },
    );
  });

  test('no pinned key refuses to connect', async () => {
    await assert.rejects(SshConnection.open({ ...target, hostKeyFingerprint: null }), {
      code: 'host_key_not_confirmed',
    });
  });

  test('an unauthorized key fails authentication', async () => {
    const stranger = sshKeyPair().private;

    await assert.rejects(
      SshConnection.open({ ...target, privateKey: stranger }),
      (error: unknown) => {
        assert.ok(error instanceof SshError);
        assert.equal(error.code, 'ssh_auth_failed');
        assert.equal(error.retryable, false);
        return true;
      },
    );
  });

  test('a closed port is reported as unreachable', async () => {
    const port = await closedPort();

    await assert.rejects(SshConnection.open({ ...target, port }), { code: 'ssh_unreachable' });
  });

  test('readFrom reads from an offset', async () => {
    const file = `${sshd.dir}/read-test.txt`;
    await connection.writeFile(file, 'first line\nsecond line\n');

    const whole = await connection.readFrom(file, 0, 1024);
    const tail = await connection.readFrom(file, 11, 4);
    const missing = await connection.readFrom(`${sshd.dir}/missing.txt`, 0, 10);

    assert.equal(whole?.data.toString(), 'first line\nsecond line\n');
    assert.equal(whole?.size, 23);
    assert.equal(tail?.data.toString(), 'seco');
    assert.equal(missing, null);
    assert.equal(await connection.readdir(`${sshd.dir}/no-such-dir`), null);
  });

  test('closing the socket emits close', async () => {
    const other = await SshConnection.open(target);
    const closed = new Promise((resolve) => other.once('close', resolve));

    other.socket.destroy();
    await closed;

    assert.equal(other.closed, true);
  });
});

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
