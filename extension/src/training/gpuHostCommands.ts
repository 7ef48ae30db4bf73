import * as vscode from 'vscode';
import type { ApiGpuHost, CreateGpuHostRequest } from '../../../shared/src/api/training.js';
import type { TrainingDependencies } from '../commands/trainingCommands.js';
import { abortSignalOf, failureReason, isCancellation } from '../commands/commandSupport.js';
import type { InputStep } from '../commands/promptUi.js';
import type { FieldCheck } from '../commands/providerFields.js';
import {
  checkAddress,
  checkHostName,
  checkMaxRuns,
  checkPort,
  checkUser,
  checkWorkDir,
} from './gpuHostFields.js';

/** A GPU host item of the Training Tasks view, as VS Code passes it to a menu command. */
export interface HostTarget {
  host: ApiGpuHost;
}

/** The largest private key file read, in bytes; the server accepts 16384 characters. */
const MAX_KEY_FILE_BYTES = 16_384;

/**
 * Registers the admins' GPU host commands: add (then confirm the host key), confirm the host key,
 * test and delete. Each returns what it did, for the in-host tests.
 */
export function registerGpuHostCommands(deps: TrainingDependencies): vscode.Disposable[] {
  const command = (verb: string, title: string, run: (target?: HostTarget) => Promise<unknown>) =>
    vscode.commands.registerCommand(
      `llmWorkbench.trainingTasks.${verb}`,
      async (target?: HostTarget) => {
        try {
          return await run(target);
        } catch (error) {
          deps.view.refresh();
          deps.log.showError(vscode.l10n.t('{0} failed: {1}', title, failureReason(error)), error);
          return undefined;
        }
      },
    );
  return [
    command('addGpuHost', vscode.l10n.t('Add GPU Host'), () => addHost(deps)),
    command('confirmHostKey', vscode.l10n.t('Confirm Host Key'), async (target) => {
      const host = await resolveHost(deps, target);
      return host === undefined ? undefined : confirmHostKey(deps, host);
    }),
    command('testGpuHost', vscode.l10n.t('Test GPU Host'), async (target) => {
      const host = await resolveHost(deps, target);
      return host === undefined ? undefined : testHost(deps, host);
    }),
    command('deleteGpuHost', vscode.l10n.t('Delete GPU Host'), async (target) => {
      const host = await resolveHost(deps, target);
      if (host === undefined || !(await deps.view.dialogs.confirmDeleteHost(host))) {
        return false;
      }
      await deps.view.api.deleteGpuHost(host.id);
      deps.log.info(`Deleted GPU host ${host.id} (${host.name})`);
      deps.view.refresh();
      return true;
    }),
  ];
}

async function resolveHost(
  deps: TrainingDependencies,
  target: HostTarget | undefined,
): Promise<ApiGpuHost | undefined> {
  if (target?.host !== undefined) {
    return target.host;
  }
  const hosts = await deps.view.api.listGpuHosts();
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No GPU hosts yet.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    hosts.map((host) => ({ label: host.name, description: `${host.user}@${host.host}`, host })),
    { placeHolder: vscode.l10n.t('Pick a GPU host') },
  );
  return picked?.host;
}

/** The text steps of the Add GPU Host form, in order. */
interface TextStep {
  key: 'name' | 'host' | 'port' | 'user' | 'workDir' | 'setupCommand' | 'maxConcurrentRuns';
  prompt: string;
  placeholder?: string;
  value?: string;
  validate?: (value: string) => FieldCheck | undefined;
}

function textSteps(): TextStep[] {
  return [
    {
      key: 'name',
      prompt: vscode.l10n.t('A name for the host'),
      placeholder: 'gpu-01',
      validate: checkHostName,
    },
    {
      key: 'host',
      prompt: vscode.l10n.t('Host name or IP address the server connects to over SSH'),
      placeholder: 'gpu-01.example.com',
      validate: checkAddress,
    },
    { key: 'port', prompt: vscode.l10n.t('SSH port'), value: '22', validate: checkPort },
    { key: 'user', prompt: vscode.l10n.t('SSH user'), placeholder: 'ubuntu', validate: checkUser },
    {
      key: 'workDir',
      prompt: vscode.l10n.t(
        'Work directory: runs go to <work dir>/llm-workbench/runs/<task id>; a relative path starts at the home directory',
      ),
      placeholder: 'training',
      validate: checkWorkDir,
    },
    {
      key: 'setupCommand',
      prompt: vscode.l10n.t(
        'Setup command run before llamafactory-cli, such as activating its environment (optional)',
      ),
      placeholder: 'source ~/venvs/llamafactory/bin/activate',
    },
    {
      key: 'maxConcurrentRuns',
      prompt: vscode.l10n.t('Runs the host may run at once; more tasks wait in its queue'),
      value: '1',
      validate: checkMaxRuns,
    },
  ];
}

/** Walks the Add GPU Host steps; the private key step comes after the user. */
async function askHost(deps: TrainingDependencies): Promise<CreateGpuHostRequest | undefined> {
  const { view } = deps;
  const steps = textSteps();
  const totalSteps = steps.length + 1;
  const values: Partial<Record<TextStep['key'], string>> = {};
  let key: { privateKey: string; privateKeyPassphrase?: string } | undefined;
  const keyStep = steps.findIndex((step) => step.key === 'workDir');
  let index = 0;
  while (index <= steps.length) {
    if (index === keyStep && key === undefined) {
      key = await askPrivateKey(deps);
      if (key === undefined) {
        return undefined;
      }
    }
    if (index === steps.length) {
      break;
    }
    const step = steps[index] as TextStep;
    const input: InputStep = {
      title: vscode.l10n.t('Add GPU Host'),
      step: index + (index >= keyStep ? 2 : 1),
      totalSteps,
      prompt: step.prompt,
      value: values[step.key] ?? step.value ?? '',
      ...(step.placeholder === undefined ? {} : { placeholder: step.placeholder }),
      ...(step.validate === undefined ? {} : { validate: step.validate }),
    };
    const result = await view.prompts.input(input);
    if (result === undefined) {
      return undefined;
    }
    if (result.action === 'back') {
      index = Math.max(0, index - 1);
      continue;
    }
    values[step.key] = result.value;
    index += 1;
  }
  return {
    name: (values.name ?? '').trim(),
    host: (values.host ?? '').trim(),
    port: Number(values.port),
    user: (values.user ?? '').trim(),
    workDir: (values.workDir ?? '').trim(),
    setupCommand: values.setupCommand ?? '',
    maxConcurrentRuns: Number(values.maxConcurrentRuns),
    privateKey: key?.privateKey ?? '',
    ...(key?.privateKeyPassphrase === undefined
      ? {}
      : { privateKeyPassphrase: key.privateKeyPassphrase }),
  };
}

/** Picks the private key file and reads it, with its passphrase when the key is encrypted. */
async function askPrivateKey(
  deps: TrainingDependencies,
): Promise<{ privateKey: string; privateKeyPassphrase?: string } | undefined> {
  const file = await deps.view.dialogs.pickPrivateKey();
  if (file === undefined) {
    return undefined;
  }
  const stat = await vscode.workspace.fs.stat(file);
  if (stat.size > MAX_KEY_FILE_BYTES) {
    throw new Error(
      vscode.l10n.t(
        '{0} has {1} bytes, more than a private key; pick the key file itself (such as ~/.ssh/id_ed25519).',
        file.fsPath,
        stat.size,
      ),
    );
  }
  const privateKey = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new Error(
      vscode.l10n.t(
        '{0} is not a private key in OpenSSH or PEM format; pick the file without .pub.',
        file.fsPath,
      ),
    );
  }
  if (!isEncryptedKey(privateKey)) {
    return { privateKey };
  }
  const passphrase = await deps.view.prompts.input({
    title: vscode.l10n.t('Add GPU Host'),
    step: 1,
    totalSteps: 1,
    prompt: vscode.l10n.t('Passphrase of {0}', file.fsPath),
    password: true,
  });
  if (passphrase?.action !== 'next') {
    return undefined;
  }
  return { privateKey, privateKeyPassphrase: passphrase.value };
}

/** Reports whether a key file is encrypted: a PEM header says so, an OpenSSH key names a cipher. */
function isEncryptedKey(privateKey: string): boolean {
  if (/Proc-Type: 4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(privateKey)) {
    return true;
  }
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(privateKey)?.[1];
  if (body === undefined) {
    return false;
  }
  // After the magic "openssh-key-v1\0" comes the length-prefixed cipher name, "none" if plain.
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const cipherLength = bytes.readUInt32BE(15);
  return bytes.subarray(19, 19 + cipherLength).toString('latin1') !== 'none';
}

/** Adds a host, then has the admin confirm its host key and offers a test. */
async function addHost(deps: TrainingDependencies): Promise<ApiGpuHost | undefined> {
  const request = await askHost(deps);
  if (request === undefined) {
    return undefined;
  }
  const host = await deps.view.api.createGpuHost(request);
  deps.log.info(`Added GPU host ${host.id} (${host.name}, ${host.user}@${host.host}:${host.port})`);
  deps.view.refresh();
  const confirmed = await confirmHostKey(deps, host);
  if (confirmed === undefined) {
    return host;
  }
  const test = vscode.l10n.t('Test GPU Host');
  const choice = await deps.view.prompts.notify(
    'info',
    vscode.l10n.t('{0} was added and its host key confirmed.', host.name),
    test,
  );
  if (choice === test) {
    await testHost(deps, confirmed);
  }
  return confirmed;
}

/**
 * Reads the key the host presents, shows its SHA256 fingerprint and pins it when the admin
 * confirms. Resolves with the updated host, or undefined when the admin declined.
 */
async function confirmHostKey(
  deps: TrainingDependencies,
  host: ApiGpuHost,
): Promise<ApiGpuHost | undefined> {
  const { api } = deps.view;
  const presented = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Reading the host key of {0}…', host.name),
    },
    () => api.hostKey(host.id),
  );
  if (!(await deps.view.dialogs.confirmHostKey(host, presented))) {
    return undefined;
  }
  const pinned = await api.hostKey(host.id, presented.fingerprint);
  deps.log.info(`GPU host ${host.id}: pinned host key ${pinned.fingerprint}`);
  deps.view.refresh();
  return pinned.gpuHost;
}

/** Tests a host with a cancellable progress notification and shows what it found. */
async function testHost(
  deps: TrainingDependencies,
  host: ApiGpuHost,
): Promise<boolean | undefined> {
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Testing {0}: SSH, GPUs and LLaMA-Factory…', host.name),
        cancellable: true,
      },
      (_progress, token) => deps.view.api.testGpuHost(host.id, abortSignalOf(token)),
    );
    deps.log.info(`GPU host ${host.id} test: ${JSON.stringify(result)}`);
    await deps.view.dialogs.showHostTest(host, result);
    return result.ok;
  } catch (error) {
    if (isCancellation(error)) {
      return undefined;
    }
    throw error;
  }
}
