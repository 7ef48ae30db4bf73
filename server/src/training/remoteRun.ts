import type { SshConnection } from './ssh/connection.js';
import { SshError } from './ssh/errors.js';
import { shellQuote } from './ssh/shellQuote.js';
import { RUN_FILES, runPath } from './runFiles.js';

/** Signals the stop sequence sends to a run's process group, in order. */
export type StopSignal = 'ABRT' | 'TERM' | 'KILL';

/** The files a launch uploads, as text, plus the dataset as a local file. */
export interface RunUpload {
  datasetLocalPath: string;
  datasetFileName: string;
  datasetInfo: string;
  yaml: string;
  runScript: string;
  setupScript: string;
}

/**
 * Operations on one run directory of a host. Commands contain only fixed text, the quoted run
 * directory and process group numbers that were checked to be integers.
 */
export class RemoteRun {
  constructor(
    private readonly connection: SshConnection,
    readonly runDir: string,
    private readonly timeoutMs: number,
  ) {}

  /** Empties the run directory for a fresh run. */
  async prepareFresh(): Promise<void> {
    const dir = shellQuote(this.runDir);
    await this.run(
      `rm -rf -- ${dir} && mkdir -p -- ${this.quoted(RUN_FILES.dataDir)} ${this.quoted(RUN_FILES.outputDir)}`,
      `prepare the run directory ${this.runDir}`,
    );
  }

  /** Removes the exit code and process group of the previous run before a resumed one starts. */
  async prepareResume(): Promise<void> {
    await this.run(
      `rm -f -- ${this.quoted(RUN_FILES.exitCode)} ${this.quoted(RUN_FILES.pid)}`,
      `prepare the run directory ${this.runDir} to resume`,
    );
  }

  async upload(files: RunUpload, includeDataset: boolean): Promise<void> {
    if (includeDataset) {
      await this.connection.uploadFile(
        files.datasetLocalPath,
        this.path(`${RUN_FILES.dataDir}/${files.datasetFileName}`),
      );
    }
    // SFTP takes several requests at once, so the small files go up together.
    await Promise.all([
      this.connection.writeFile(this.path(RUN_FILES.datasetInfo), files.datasetInfo),
      this.connection.writeFile(this.path(RUN_FILES.yaml), files.yaml),
      this.connection.writeFile(this.path(RUN_FILES.setup), files.setupScript),
      this.connection.writeFile(this.path(RUN_FILES.script), files.runScript, 0o755),
    ]);
  }

  /** Runs `command` (see launchCommand) and returns the process group it printed. */
  async launch(command: string): Promise<number> {
    const result = await this.run(command, `start the run in ${this.runDir}`);
    const processGroup = parseProcessGroup(result.trim());
    if (processGroup === null) {
      throw new SshError(
        'ssh_exec_failed',
        `Starting the run printed ${JSON.stringify(result.slice(0, 200))} instead of a process ID.`,
      );
    }
    return processGroup;
  }

  /** Reads a run file from byte `offset` (see SshConnection.readFrom). */
  read(file: string, offset: number, maxBytes: number) {
    return this.connection.readFrom(this.path(file), offset, maxBytes);
  }

  /** Returns the exit code run.sh recorded, or null while the run has not ended. */
  async readExitCode(): Promise<number | null> {
    const file = await this.connection.readFrom(this.path(RUN_FILES.exitCode), 0, 64);
    if (file === null) {
      return null;
    }
    const text = file.data.toString('utf8').trim();
    return /^\d{1,3}$/.test(text) ? Number(text) : null;
  }

  /** Returns the process group run.sh wrote when it started, or null. */
  async readProcessGroup(): Promise<number | null> {
    const file = await this.connection.readFrom(this.path(RUN_FILES.pid), 0, 64);
    return file === null ? null : parseProcessGroup(file.data.toString('utf8').trim());
  }

  /**
   * Reports whether any process of the group still runs. Zombies count as ended: a killed
   * process stays a zombie until its parent or init reaps it, which can take a moment.
   */
  async isAlive(processGroup: number): Promise<boolean> {
    const group = checkedGroup(processGroup);
    const output = await this.run(
      `ps -A -o pgid=,stat= | awk -v group=${group} '$1 == group && $2 !~ /^Z/ { alive++ } END { print alive + 0 }'`,
      'list the processes of the run',
    );
    return Number(output.trim()) > 0;
  }

  /** Sends a signal to every process of the group; a group that is gone is not an error. */
  async signal(processGroup: number, signal: StopSignal): Promise<void> {
    const group = checkedGroup(processGroup);
    await this.connection.exec(`kill -${signal} -- -${group} 2>/dev/null; true`, this.timeoutMs);
  }

  /** Returns the checkpoint with the highest step in the output directory, or null. */
  async latestCheckpoint(): Promise<{ dir: string; step: number } | null> {
    const names = (await this.connection.readdir(this.path(RUN_FILES.outputDir))) ?? [];
    let latest: { dir: string; step: number } | null = null;
    for (const name of names) {
      const match = /^checkpoint-(\d+)$/.exec(name);
      if (match !== null && (latest === null || Number(match[1]) > latest.step)) {
        latest = { dir: `${RUN_FILES.outputDir}/${name}`, step: Number(match[1]) };
      }
    }
    return latest;
  }

  /** Reports whether the output directory contains a saved adapter (adapter_config.json). */
  async hasAdapter(): Promise<boolean> {
    const names = await this.connection.readdir(this.path(RUN_FILES.outputDir));
    return names?.includes('adapter_config.json') ?? false;
  }

  /** Reads the last `maxBytes` of a run file, starting at a line when it is cut. */
  async readTail(
    file: string,
    maxBytes: number,
  ): Promise<{ text: string; offset: number; size: number }> {
    const head = await this.connection.readFrom(this.path(file), 0, 0);
    if (head === null) {
      return { text: '', offset: 0, size: 0 };
    }
    const offset = Math.max(0, head.size - maxBytes);
    const read = await this.connection.readFrom(this.path(file), offset, maxBytes);
    let data = read?.data ?? Buffer.alloc(0);
    let start = offset;
    if (offset > 0) {
      const firstBreak = data.indexOf(0x0a) + 1;
      data = data.subarray(firstBreak);
      start += firstBreak;
    }
    return { text: data.toString('utf8'), offset: start, size: read?.size ?? head.size };
  }

  /** Deletes the run directory. */
  async remove(): Promise<void> {
    await this.run(`rm -rf -- ${shellQuote(this.runDir)}`, `delete ${this.runDir}`);
  }

  /** Returns the path of a run file. */
  path(file: string): string {
    return runPath(this.runDir, file);
  }

  private quoted(file: string): string {
    return shellQuote(this.path(file));
  }

  private async run(command: string, action: string): Promise<string> {
    const result = await this.connection.exec(command, this.timeoutMs);
    if (result.code !== 0) {
      const detail = result.stderr.trim().slice(0, 500) || `exit status ${String(result.code)}`;
      throw new SshError('ssh_exec_failed', `Could not ${action} on the host: ${detail}`);
    }
    return result.stdout;
  }
}

/** Returns a process group number from text, or null; 0 and 1 never name a run's group. */
function parseProcessGroup(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) {
    return null;
  }
  const value = Number(text);
  return value > 1 ? value : null;
}

/**
 * Checks a group before it reaches `kill -- -N`: `kill -- -1` would signal every process of the
 * user, so anything but an integer above 1 is refused.
 */
function checkedGroup(processGroup: number): number {
  if (!Number.isSafeInteger(processGroup) || processGroup <= 1) {
    throw new Error(`Refusing to signal process group ${processGroup}.`);
  }
  return processGroup;
}
