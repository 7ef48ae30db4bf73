// A throwaway MariaDB server of its own for a fault test, started with scripts/mariadb.sh on a
// temporary folder and a free port, so the test may kill or freeze it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../testing/freePort.js';

const MARIADB_SCRIPT = path.resolve(__dirname, '../../../scripts/mariadb.sh');

/** Whether `mariadbd` and `mariadb-install-db` are on the PATH. */
export const mariadbInstalled = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v mariadbd && command -v mariadb-install-db'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
})();

/** A running MariaDB server of one test. */
export interface MariadbServer {
  /** The server URL without a database, as scripts/mariadb.sh prints it. */
  url: string;
  port: number;
  /** The folder that contains the data, the pid file and the error log. */
  dir: string;
  /** Returns the pid of mariadbd from its pid file. */
  pid(): number;
  /** Runs scripts/mariadb.sh with a command on this server and returns its output. */
  script(command: 'start' | 'stop', ...args: string[]): string;
  /** Stops the server and deletes its folder. */
  stopAndPurge(): void;
}

/** Starts a MariaDB server on a new temporary folder and creates `database` on it. */
export async function startMariadb(folderPrefix: string, database: string): Promise<MariadbServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const port = await freePort();
  const env = { ...process.env, MARIADB_TEST_DIR: dir, MARIADB_TEST_PORT: String(port) };
  const script = (command: 'start' | 'stop', ...args: string[]) =>
    execFileSync('bash', [MARIADB_SCRIPT, command, ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  const url = script('start');
  const admin = await mysql.createConnection(url);
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url,
    port,
    dir,
    pid: () => Number(fs.readFileSync(path.join(dir, 'mariadb.pid'), 'utf8')),
    script,
    stopAndPurge: () => {
      script('stop', '--purge');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
