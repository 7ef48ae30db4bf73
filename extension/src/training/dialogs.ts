import * as vscode from 'vscode';
import type {
  ApiGpuHost,
  ApiTrainingTask,
  GpuHostTestResult,
  HostKeyResponse,
} from '../../../shared/src/api/training.js';

/** The choice made in the delete confirmation: whether to delete the run directory too. */
export interface DeleteChoice {
  removeRunDir: boolean;
}

/**
 * The modal dialogs and file pickers of the training commands, which show them only through it,
 * so the in-host tests can reply to them.
 */
export interface TrainingDialogs {
  /** Asks before a task is deleted; resolves undefined when the user cancels. */
  confirmDelete(task: ApiTrainingTask): Thenable<DeleteChoice | undefined>;
  /** Asks before a running task is stopped; resolves true to stop it. */
  confirmStop(task: ApiTrainingTask): Thenable<boolean>;
  /** Shows the host key a host presented and resolves true when the admin confirms it. */
  confirmHostKey(host: ApiGpuHost, key: HostKeyResponse): Thenable<boolean>;
  /** Asks before a GPU host is deleted; resolves true to delete it. */
  confirmDeleteHost(host: ApiGpuHost): Thenable<boolean>;
  /** Picks the SSH private key file of a new host. */
  pickPrivateKey(): Thenable<vscode.Uri | undefined>;
  /** Shows what a host test found. */
  showHostTest(host: ApiGpuHost, result: GpuHostTestResult): Thenable<void>;
  /** Asks where to save an exported log; resolves undefined when the user cancels. */
  pickLogTarget(defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined>;
}

export const vscodeTrainingDialogs: TrainingDialogs = {
  async confirmDelete(task) {
    const remove = vscode.l10n.t('Delete Task');
    const removeAll = vscode.l10n.t('Delete Task and Run Directory');
    const actions = task.runDir === null ? [remove] : [remove, removeAll];
    const detail =
      task.runDir === null
        ? vscode.l10n.t('Its metrics and report are deleted too.')
        : vscode.l10n.t(
            'Its metrics and report are deleted too. The run directory {0} on the GPU host, ' +
              'with checkpoints and the adapter, stays unless you delete it as well.',
            task.runDir,
          );
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the training task "{0}"?', task.name),
      { modal: true, detail },
      ...actions,
    );
    if (choice === undefined) {
      return undefined;
    }
    return { removeRunDir: choice === removeAll };
  },

  async confirmStop(task) {
    const stop = vscode.l10n.t('Stop');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Stop the training task "{0}"?', task.name),
      {
        modal: true,
        detail: vscode.l10n.t(
          'LLaMA-Factory is asked to save and exit. A stopped task resumes from its last checkpoint.',
        ),
      },
      stop,
    );
    return choice === stop;
  },

  async confirmHostKey(host, key) {
    const confirm = vscode.l10n.t('Trust This Host Key');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Confirm the host key of {0}', host.name),
      {
        modal: true,
        detail: vscode.l10n.t(
          '{0}:{1} presents this {2} key:\n\n{3}\n\nCompare it with the output of ' +
            '`ssh-keygen -lf /etc/ssh/ssh_host_{4}_key.pub` on the host. Trust it only if they ' +
            'match; the server then rejects any other key.',
          host.host,
          host.port,
          key.keyType,
          key.fingerprint,
          key.keyType.replace(/^ssh-/, ''),
        ),
      },
      confirm,
    );
    return choice === confirm;
  },

  async confirmDeleteHost(host) {
    const remove = vscode.l10n.t('Delete');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the GPU host "{0}"?', host.name),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Its tasks keep their data but cannot start until you pick another host for them.',
        ),
      },
      remove,
    );
    return choice === remove;
  },

  async pickPrivateKey() {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Use This Key'),
      title: vscode.l10n.t('SSH Private Key of the GPU Host'),
    });
    return picked?.[0];
  },

  async showHostTest(host, result) {
    const message = result.ok
      ? vscode.l10n.t('{0} is ready for training.', host.name)
      : vscode.l10n.t('{0} is not ready for training.', host.name);
    const detail = describeHostTest(result);
    if (result.ok) {
      await vscode.window.showInformationMessage(message, { modal: true, detail });
    } else {
      await vscode.window.showWarningMessage(message, { modal: true, detail });
    }
  },

  pickLogTarget(defaultUri) {
    return vscode.window.showSaveDialog({
      defaultUri,
      filters: { [vscode.l10n.t('Log files')]: ['log', 'txt'] },
      saveLabel: vscode.l10n.t('Export'),
      title: vscode.l10n.t('Export Training Log'),
    });
  },
};

/** Describes a host test in lines: connection, GPUs, driver, LLaMA-Factory and the findings. */
export function describeHostTest(result: GpuHostTestResult): string {
  if (!result.connected) {
    return vscode.l10n.t(
      'The SSH connection failed: {0}',
      result.error?.message ?? vscode.l10n.t('no reason given'),
    );
  }
  const lines = [vscode.l10n.t('Connected in {0} ms.', result.latencyMs)];
  if (result.gpus.length === 0) {
    lines.push(vscode.l10n.t('GPUs: none found'));
  }
  for (const gpu of result.gpus) {
    lines.push(
      vscode.l10n.t(
        'GPU {0}: {1}, {2} of {3} MiB used',
        gpu.index,
        gpu.name,
        gpu.memoryUsedMiB,
        gpu.memoryTotalMiB,
      ),
    );
  }
  lines.push(vscode.l10n.t('Driver: {0}', result.driverVersion ?? vscode.l10n.t('not found')));
  lines.push(
    vscode.l10n.t('LLaMA-Factory: {0}', result.llamaFactoryVersion ?? vscode.l10n.t('not found')),
  );
  lines.push(...result.findings);
  if (result.error !== undefined) {
    lines.push(result.error.message);
  }
  return lines.join('\n');
}
