// The parent's side of bench/streamServer.ts: bundles it, starts the real server in a child
// process, requests memory and CPU samples from it, and stops it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { ServerCommand, ServerReply, ServerSample } from './streamServer.js';

const ENTRY = path.join(__dirname, 'streamServer.ts');
/**
 * The bundle goes under dist/, the build output, because its dependencies stay external and load
 * from the repository's node_modules, as in the server build of esbuild.config.mjs.
 */
const BUNDLE = path.join(__dirname, '..', 'dist', 'bench', 'streamServer.js');

/** The server under test, running in its own process. */
export class ServerProcess {
  private readonly waiting: ((reply: ServerReply) => void)[] = [];
  private exitReason: string | null = null;
  private listeningUrl = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ServerReply) => this.waiting.shift()?.(reply));
    child.once('exit', (code, signal) => {
      this.exitReason = signal === null ? `code ${code}` : `signal ${signal}`;
      for (const resolve of this.waiting.splice(0)) {
        resolve(this.exitedReply());
      }
    });
  }

  /**
   * Starts the child with the server's environment variables and waits until it listens.
   * `cpuProfileDir`, when given, makes the child write a V8 CPU profile there when it stops.
   */
  static async start(env: Record<string, string>, cpuProfileDir?: string): Promise<ServerProcess> {
    await bundleServer();
    const execArgv = ['--expose-gc'];
    if (cpuProfileDir !== undefined) {
      execArgv.push('--cpu-prof', '--cpu-prof-dir', cpuProfileDir);
    }
    // The child's stdout goes to our stderr, so stdout keeps only the benchmark report.
    const child = fork(BUNDLE, [], { execArgv, stdio: ['ignore', 2, 2, 'ipc'] });
    const server = new ServerProcess(child);
    const reply = await server.send({ type: 'start', env });
    if (reply.type !== 'ready') {
      server.child.kill();
      throw new Error(`The server process did not start: ${describe(reply)}`);
    }
    server.listeningUrl = reply.url;
    return server;
  }

  /** The server's base URL on loopback. */
  get url(): string {
    return this.listeningUrl;
  }

  /** Returns the server process's memory and CPU time, after a full GC when `collectGarbage`. */
  async sample(collectGarbage: boolean): Promise<ServerSample> {
    const reply = await this.send({ type: 'sample', collectGarbage });
    if (reply.type !== 'sample') {
      throw new Error(`The server process sent no sample: ${describe(reply)}`);
    }
    return reply.sample;
  }

  /** Closes the server and waits for its process to exit. */
  async stop(): Promise<void> {
    if (this.exitReason !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const reply = await this.send({ type: 'stop' });
    if (reply.type !== 'stopped') {
      this.child.kill();
      throw new Error(`The server process did not stop cleanly: ${describe(reply)}`);
    }
    await exited;
  }

  /** Sends a command and waits for the child's reply. The child replies to commands in order. */
  private send(command: ServerCommand): Promise<ServerReply> {
    if (this.exitReason !== null) {
      return Promise.resolve(this.exitedReply());
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(command);
    });
  }

  private exitedReply(): ServerReply {
    return { type: 'failed', message: `The server process exited with ${this.exitReason}.` };
  }
}

function describe(reply: ServerReply): string {
  return reply.type === 'failed' ? reply.message : `unexpected reply ${reply.type}`;
}

/**
 * Bundles the child with the settings of the server build in esbuild.config.mjs, so that it runs
 * on plain node as `npm start` runs the server. Under tsx, every stack trace the server builds
 * would also be mapped through source maps, and modules required late would go through its loader.
 */
async function bundleServer(): Promise<void> {
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}
