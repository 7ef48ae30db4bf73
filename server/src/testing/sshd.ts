import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fingerprintOf } from '../training/ssh/keys.js';

/** The repository root, found from this file's place in server/src/testing. */
const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

/** The `llamafactory-cli` stand-in that tests put on the host's PATH. */
export const STAND_IN_DIR = path.join(REPOSITORY_ROOT, 'server/src/testing/llamafactory-stand-in');

/** The dataset excerpt the training tests train on. */
export const ALPACA_FIXTURE = path.join(
  REPOSITORY_ROOT,
  'server/src/testing/fixtures/alpaca_en_demo.excerpt.json',
);

/** A real OpenSSH server on 127.0.0.1 for one test file, started by scripts/with-sshd.sh. */
export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** The client's private key, authorized for `user`. */
  privateKey: string;
  /** The temporary directory of the server; tests may create their work directories in it. */
  dir: string;
  /** The SHA256 fingerprint of the host key the server presents now. */
  hostKeyFingerprint(): string;
  /** Gives the server a new host key, as a reinstalled host would have. */
  rotateHostKey(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `scripts/with-sshd.sh --hold` and reads the server's address from its output. */
export async function startTestSshd(): Promise<TestSshd> {
  const child = spawn('bash', [path.join(REPOSITORY_ROOT, 'scripts/with-sshd.sh'), '--hold'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const lines = readline.createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const values = await readVariables(iterator, child, stderr);

  const hostKeyFile = values.TEST_SSH_HOST_KEY_FILE ?? '';
  const server: TestSshd = {
    host: values.TEST_SSH_HOST ?? '127.0.0.1',
    port: Number(values.TEST_SSH_PORT),
    user: values.TEST_SSH_USER ?? '',
    privateKey: fs.readFileSync(values.TEST_SSH_KEY_FILE ?? '', 'utf8'),
    dir: values.TEST_SSH_DIR ?? '',
    hostKeyFingerprint: () => fingerprintOfPublicKeyFile(hostKeyFile),
    rotateHostKey: async () => {
      child.stdin.write('rotate-host-key\n');
      const answer = await iterator.next();
      if (answer.done === true || answer.value !== 'rotated') {
        throw new Error(`sshd did not rotate its host key: ${stderr.join('')}`);
      }
    },
    close: async () => {
      if (child.exitCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
  return server;
}

async function readVariables(
  iterator: AsyncIterator<string>,
  child: ChildProcessWithoutNullStreams,
  stderr: string[],
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      throw new Error(
        `scripts/with-sshd.sh exited (${String(child.exitCode)}) before it was ready: ${stderr.join('')}`,
      );
    }
    if (next.value === 'ready') {
      return values;
    }
    const separator = next.value.indexOf('=');
    if (separator > 0) {
      values[next.value.slice(0, separator)] = next.value.slice(separator + 1);
    }
  }
}

/** Reads an OpenSSH public key file (`type base64 comment`) and returns its fingerprint. */
function fingerprintOfPublicKeyFile(file: string): string {
  const [, blob] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
  return fingerprintOf(Buffer.from(blob ?? '', 'base64'));
}
