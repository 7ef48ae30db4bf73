import { createHash } from 'node:crypto';
import os from 'node:os';
import * as vscode from 'vscode';
import type { ApiDataset } from '../../../shared/src/api/datasets.js';
import { ApiError } from '../api/errors.js';
import { formatBytes, schemaLabel } from '../datasets/labels.js';
import { uploadFiles, type UploadOutcome } from '../datasets/uploadFlow.js';
import type { Logger } from '../log.js';
import type { DatasetsView } from '../views/datasetsView.js';
import { recordSummary } from '../views/nodes/datasetNode.js';
import { abortSignalOf, failureReason, isCancellation } from './commandSupport.js';

/** A tree item that stands for a dataset, as the view's menus pass it. */
export interface DatasetTarget {
  dataset: ApiDataset;
}

/**
 * Registers the dataset commands (`llmWorkbench.datasets.<verb>`): upload from a dialog or from
 * the Explorer, open the validation report, download and delete. The Refresh command is
 * registered with the other views' in viewCommands.ts.
 */
export function registerDatasetCommands(view: DatasetsView, log: Logger): vscode.Disposable[] {
  const commands = new DatasetCommands(view, log);
  const guard = guardWith(view);
  return [
    guard('upload', vscode.l10n.t('Upload Dataset'), () => commands.upload()),
    guard(
      'uploadFile',
      vscode.l10n.t('Upload as Dataset'),
      (uri?: vscode.Uri, selected?: vscode.Uri[]) => commands.uploadFile(uri, selected),
    ),
    guard('openReport', vscode.l10n.t('Open Validation Report'), (target?: DatasetTarget) =>
      commands.openReport(target),
    ),
    guard('download', vscode.l10n.t('Download Dataset'), (target?: DatasetTarget) =>
      commands.download(target),
    ),
    guard('delete', vscode.l10n.t('Delete Dataset'), (target?: DatasetTarget) =>
      commands.remove(target),
    ),
  ];
}

/**
 * Returns a function that registers `llmWorkbench.datasets.<verb>` and shows a failure the
 * command did not report itself as one sentence.
 */
function guardWith(view: DatasetsView) {
  return <Args extends unknown[]>(
    verb: string,
    title: string,
    run: (...args: Args) => Promise<unknown>,
  ): vscode.Disposable =>
    vscode.commands.registerCommand(`llmWorkbench.datasets.${verb}`, async (...args: Args) => {
      try {
        return await run(...args);
      } catch (error) {
        await view.prompts.showError(
          vscode.l10n.t('{0} failed: {1}', title, failureReason(error)),
          error,
        );
        return undefined;
      }
    });
}

class DatasetCommands {
  constructor(
    private readonly view: DatasetsView,
    private readonly log: Logger,
  ) {}

  private get ui() {
    return this.view.prompts;
  }

  /** Asks for files in the open dialog and uploads them. */
  async upload(): Promise<UploadOutcome[]> {
    const files = await this.view.dialogs.pickFilesToUpload();
    if (files === undefined || files.length === 0) {
      return [];
    }
    return uploadFiles(this.view, this.log, files);
  }

  /** Uploads the files selected in the Explorer; `uri` is the one the menu opened on. */
  async uploadFile(uri?: vscode.Uri, selected?: vscode.Uri[]): Promise<UploadOutcome[]> {
    if (selected !== undefined && selected.length > 0) {
      return uploadFiles(this.view, this.log, selected);
    }
    if (uri !== undefined) {
      return uploadFiles(this.view, this.log, [uri]);
    }
    return this.upload();
  }

  async openReport(target?: DatasetTarget): Promise<vscode.TextEditor | undefined> {
    const dataset = await this.resolveDataset(
      target,
      vscode.l10n.t('Choose the dataset whose report to open'),
    );
    return dataset === undefined ? undefined : this.view.reports.showDataset(dataset);
  }

  /**
   * Saves the stored file where the user chooses, after checking its SHA-256 against the
   * dataset's. Resolves with the file written, or undefined when cancelled.
   */
  async download(target?: DatasetTarget): Promise<vscode.Uri | undefined> {
    const dataset = await this.resolveDataset(
      target,
      vscode.l10n.t('Choose the dataset to download'),
    );
    if (dataset === undefined) {
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const defaultUri = vscode.Uri.joinPath(folder, downloadFileName(dataset));
    const targetUri = await this.view.dialogs.pickDownloadTarget(defaultUri);
    if (targetUri === undefined) {
      return undefined;
    }
    try {
      const bytes = await this.view.dialogs.withProgress(
        vscode.l10n.t('Downloading {0} ({1})', dataset.name, formatBytes(dataset.sizeBytes)),
        (_progress, token) => this.view.api.download(dataset.id, abortSignalOf(token)),
      );
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== dataset.sha256) {
        throw new Error(
          `the file arrived with SHA-256 ${digest}, not the dataset's ${dataset.sha256}; download it again`,
        );
      }
      await vscode.workspace.fs.writeFile(targetUri, bytes);
    } catch (error) {
      if (!isCancellation(error)) {
        await this.ui.showError(
          vscode.l10n.t('Could not download dataset {0}: {1}', dataset.name, failureReason(error)),
          error,
        );
      }
      return undefined;
    }
    this.log.info(`Downloaded dataset ${dataset.id} to ${targetUri.toString()}`);
    void this.offerToOpen(dataset, targetUri);
    return targetUri;
  }

  /** Deletes a dataset after a modal confirmation. */
  async remove(target?: DatasetTarget): Promise<boolean> {
    const dataset = await this.resolveDataset(
      target,
      vscode.l10n.t('Choose the dataset to delete'),
    );
    if (dataset === undefined) {
      return false;
    }
    const confirmed = await this.ui.confirm(
      vscode.l10n.t('Delete dataset {0}?', dataset.name),
      vscode.l10n.t(
        'Its file ({0}, {1}) and its validation report are deleted from the server. This cannot be undone.',
        formatBytes(dataset.sizeBytes),
        recordSummary(dataset),
      ),
      vscode.l10n.t('Delete'),
    );
    if (!confirmed) {
      return false;
    }
    try {
      await this.view.api.remove(dataset.id);
    } catch (error) {
      // A 409 names the training tasks that still use the dataset, so its message is shown as is.
      await this.ui.showError(
        vscode.l10n.t('Could not delete dataset {0}: {1}', dataset.name, failureReason(error)),
        error,
      );
      if (error instanceof ApiError && error.status === 404) {
        this.view.refresh();
      }
      return false;
    }
    this.log.info(`Deleted dataset ${dataset.name} (id ${dataset.id})`);
    this.view.forgetDetail(dataset.id);
    await this.view.sources.forget(dataset.id);
    this.view.refresh();
    return true;
  }

  /**
   * Returns the dataset of a tree item, or lets the user pick one when the command came from
   * the Command Palette.
   */
  private async resolveDataset(
    target: DatasetTarget | undefined,
    placeholder: string,
  ): Promise<ApiDataset | undefined> {
    if (target?.dataset !== undefined) {
      return target.dataset;
    }
    const { datasets } = await this.view.api.list(200);
    if (datasets.length === 0) {
      const upload = vscode.l10n.t('Upload Dataset');
      if (
        (await this.ui.notify('info', vscode.l10n.t('You have no datasets yet.'), upload)) ===
        upload
      ) {
        await vscode.commands.executeCommand('llmWorkbench.datasets.upload');
      }
      return undefined;
    }
    const items = datasets.map((dataset) => ({
      label: dataset.name,
      description: `${schemaLabel(dataset.schema)} · ${recordSummary(dataset)}`,
      dataset,
    }));
    const result = await this.ui.pick({
      title: placeholder,
      step: 1,
      totalSteps: 1,
      placeholder,
      items,
    });
    return result?.action === 'next' ? result.value.dataset : undefined;
  }

  private async offerToOpen(dataset: ApiDataset, file: vscode.Uri): Promise<void> {
    const open = vscode.l10n.t('Open File');
    const choice = await this.ui.notify(
      'info',
      vscode.l10n.t('Downloaded dataset {0} to {1}.', dataset.name, file.fsPath),
      open,
    );
    if (choice === open) {
      await vscode.window.showTextDocument(file);
    }
  }
}

/** Names a download after the dataset, without characters that file systems reject. */
function downloadFileName(dataset: ApiDataset): string {
  const cleaned = dataset.name
    // eslint-disable-next-line no-control-regex -- control characters are invalid in file names
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .trim()
    .slice(0, 120);
  const base = cleaned === '' ? `dataset-${dataset.id}` : cleaned;
  return `${base}.${dataset.fileType}`;
}
