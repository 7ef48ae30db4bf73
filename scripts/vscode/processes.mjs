// Child processes and ports for the code-server tests. Each process starts as the leader of a
// new process group, and stopping it signals that group by the leader's PID, so the extension
// host and language servers that code-server starts are stopped with it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';

const running = new Set();

/** Stops every process that startProcess started and that is still running. */
export async function stopAllProcesses() {
  await Promise.all([...running].map((stop) => stop()));
}

/** Returns whether any process of the group led by `pid` is still alive. */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM to the group led by `pid`, then SIGKILL when it is not gone after 5 s. */
async function stopGroup(pid) {
  const deadline = Date.now() + 5000;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      return;
    }
    await delay(50);
  }
}

/**
 * Starts a command with stdout and stderr appended to `logFile`, and resolves once a stdout or
 * stderr line matches `ready` (with the match), or rejects when the process exits first or
 * `timeoutMs` passes. `stop()` ends the process and every process it started.
 */
export async function startProcess({ name, command, args, cwd, env, logFile, ready, timeoutMs }) {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  const stop = async () => {
    running.delete(stop);
    await stopGroup(child.pid);
    await exited;
    log.end();
  };
  running.add(stop);

  let match;
  try {
    match = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${name} did not start within ${timeoutMs / 1000} s. See ${logFile}`)),
        timeoutMs,
      );
      let pending = '';
      const onData = (chunk) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const line of lines) {
          const found = ready.exec(line);
          if (found !== null) {
            clearTimeout(timer);
            resolve(found);
            return;
          }
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${name} exited (code ${code}, signal ${signal}) before it was ready. See ${logFile}`,
          ),
        );
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, match, stop, exited };
}

/** Returns a loopback TCP port that nothing listens on at the moment of the call. */
export async function unusedPort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
