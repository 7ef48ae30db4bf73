import path from 'node:path';
import type { ApiGpuInfo, GpuHostTestResult } from '../../../shared/src/api/training.js';
import type { SecretBox } from '../crypto/secretBox.js';
import type { GpuHost } from '../models/index.js';
import { sshTargetFor } from './hostCredentials.js';
import type { TrainingSettings } from './settings.js';
import { SshConnection } from './ssh/connection.js';
import { SshError } from './ssh/errors.js';
import { shellQuote } from './ssh/shellQuote.js';

const MARK = '@@lw ';

/**
 * The probe run on the host. The setup command is sourced from its own file, as in a run, so the
 * probe finds llamafactory-cli where a run would. Markers split the output into sections.
 */
const PROBE_SCRIPT = `#!/usr/bin/env bash
# Written by LLM Workbench to check what this host offers for training.
cd "$(dirname "$0")" || exit 1
source ./probe-setup.sh > /dev/null 2>&1
echo "${MARK}setup $?"
if command -v llamafactory-cli > /dev/null 2>&1; then
  echo "${MARK}llamafactory"
  llamafactory-cli version 2>&1 | tail -n 40
  echo "${MARK}llamafactory-status \${PIPESTATUS[0]}"
else
  echo "${MARK}llamafactory-missing"
fi
if command -v nvidia-smi > /dev/null 2>&1; then
  echo "${MARK}nvidia"
  nvidia-smi --query-gpu=index,name,memory.total,memory.used,driver_version --format=csv,noheader,nounits 2>&1
  echo "${MARK}nvidia-status $?"
else
  echo "${MARK}nvidia-missing"
fi
`;

/**
 * Connects to a host and reports its GPUs, driver and LLaMA-Factory version, or what is missing.
 * Host key problems are thrown, because only an admin can resolve them; other connection failures
 * are part of the result.
 */
export async function probeHost(
  secrets: SecretBox,
  settings: TrainingSettings,
  host: GpuHost,
): Promise<GpuHostTestResult> {
  const started = Date.now();
  let connection: SshConnection;
  try {
    connection = await SshConnection.open(sshTargetFor(secrets, host, settings));
  } catch (error) {
    const hostKeyProblem =
      error instanceof SshError &&
      (error.code === 'host_key_changed' || error.code === 'host_key_not_confirmed');
    if (!(error instanceof SshError) || hostKeyProblem) {
      throw error;
    }
    return {
      ok: false,
      latencyMs: Date.now() - started,
      connected: false,
      llamaFactoryVersion: null,
      gpus: [],
      driverVersion: null,
      findings: [error.message],
      error: { code: error.code, message: error.message },
    };
  }
  const latencyMs = Date.now() - started;
  try {
    const output = await runProbe(connection, host, settings.commandTimeoutMs);
    return { ...interpretProbe(output), latencyMs, connected: true };
  } finally {
    connection.close();
  }
}

async function runProbe(connection: SshConnection, host: GpuHost, timeoutMs: number) {
  const dir = path.posix.join(host.workDir, 'llm-workbench');
  const prepared = await connection.exec(`mkdir -p -- ${shellQuote(dir)}`, timeoutMs);
  if (prepared.code !== 0) {
    throw new SshError(
      'ssh_exec_failed',
      `Could not create ${dir} on the host: ${prepared.stderr.trim() || `status ${String(prepared.code)}`}; check the work directory.`,
    );
  }
  await connection.writeFile(path.posix.join(dir, 'probe-setup.sh'), `${host.setupCommand}\n`);
  await connection.writeFile(path.posix.join(dir, 'probe.sh'), PROBE_SCRIPT, 0o755);
  const result = await connection.exec(
    `bash ${shellQuote(path.posix.join(dir, 'probe.sh'))}`,
    timeoutMs,
  );
  return result.stdout;
}

type ProbeFindings = Omit<GpuHostTestResult, 'latencyMs' | 'connected'>;

/** Turns the probe's output into the test result. */
export function interpretProbe(output: string): ProbeFindings {
  const sections = splitSections(output);
  const findings: string[] = [];

  const setupStatus = sections.get('setup')?.header ?? '0';
  if (setupStatus !== '0') {
    findings.push(`The setup command exited with status ${setupStatus}; check it on the host.`);
  }

  const llamaFactoryVersion = readLlamaFactory(sections, findings);
  const { gpus, driverVersion } = readGpus(sections, findings);
  return {
    ok: llamaFactoryVersion !== null && gpus.length > 0,
    llamaFactoryVersion,
    gpus,
    driverVersion,
    findings,
  };
}

interface Section {
  header: string;
  lines: string[];
}

function splitSections(output: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith(MARK)) {
      const [name = '', ...rest] = line.slice(MARK.length).split(' ');
      current = { header: rest.join(' '), lines: [] };
      sections.set(name, current);
    } else if (current !== undefined && line !== '') {
      current.lines.push(line);
    }
  }
  return sections;
}

function readLlamaFactory(sections: Map<string, Section>, findings: string[]): string | null {
  if (sections.has('llamafactory-missing') || !sections.has('llamafactory')) {
    findings.push(
      'llamafactory-cli was not found on PATH after the setup command; install LLaMA-Factory ' +
        'or activate its environment in the setup command.',
    );
    return null;
  }
  const text = sections.get('llamafactory')?.lines.join('\n') ?? '';
  const version = /version\s+v?(\d+\.\d+[\w.+-]*)/i.exec(text)?.[1] ?? null;
  const status = sections.get('llamafactory-status')?.header ?? '0';
  if (version === null) {
    findings.push(
      `llamafactory-cli version printed no version (status ${status}): ${text.slice(0, 300)}`,
    );
  }
  return version;
}

function readGpus(
  sections: Map<string, Section>,
  findings: string[],
): { gpus: ApiGpuInfo[]; driverVersion: string | null } {
  if (sections.has('nvidia-missing') || !sections.has('nvidia')) {
    findings.push(
      'nvidia-smi was not found on PATH: the host has no NVIDIA driver, or PATH does not include it.',
    );
    return { gpus: [], driverVersion: null };
  }
  const lines = sections.get('nvidia')?.lines ?? [];
  const status = sections.get('nvidia-status')?.header ?? '0';
  if (status !== '0') {
    findings.push(`nvidia-smi failed with status ${status}: ${lines.join(' ').slice(0, 300)}`);
    return { gpus: [], driverVersion: null };
  }
  const gpus: ApiGpuInfo[] = [];
  let driverVersion: string | null = null;
  for (const line of lines) {
    const [index, name, total, used, driver] = line.split(',').map((field) => field.trim());
    if (index === undefined || name === undefined || !/^\d+$/.test(index)) {
      continue;
    }
    gpus.push({
      index: Number(index),
      name,
      memoryTotalMiB: Number(total) || 0,
      memoryUsedMiB: Number(used) || 0,
    });
    driverVersion ??= driver ?? null;
  }
  if (gpus.length === 0) {
    findings.push('nvidia-smi listed no GPUs.');
  }
  return { gpus, driverVersion };
}
