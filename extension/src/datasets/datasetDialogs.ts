import * as vscode from 'vscode';

/** A progress notification's handle, as vscode.window.withProgress passes it. */
export type ProgressReporter = vscode.Progress<{ message?: string; increment?: number }>;

/**
 * The file dialogs and progress notifications of the dataset commands, which show them only
 * through this interface, so the in-host tests can choose files and cancel uploads. The prompts
 * and messages go through PromptUi.
 */
export interface DatasetDialogs {
  /** Asks for dataset files to upload; resolves undefined when the user cancels. */
  pickFilesToUpload(): Thenable<vscode.Uri[] | undefined>;
  /** Asks where to save a downloaded dataset; resolves undefined when the user cancels. */
  pickDownloadTarget(defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined>;
  /** Runs `task` under a cancellable progress notification. */
  withProgress<T>(
    title: string,
    task: (progress: ProgressReporter, token: vscode.CancellationToken) => Thenable<T>,
  ): Thenable<T>;
}

/** The file name extensions of dataset files, for the file dialogs. */
export const DATASET_FILE_FILTERS: Record<string, string[]> = {
  'Dataset files': ['json', 'jsonl', 'csv', 'txt'],
};

/** DatasetDialogs on VS Code's own dialogs and notifications. */
export const vscodeDatasetDialogs: DatasetDialogs = {
  pickFilesToUpload() {
    return vscode.window.showOpenDialog({
      canSelectMany: true,
      canSelectFolders: false,
      filters: DATASET_FILE_FILTERS,
      openLabel: vscode.l10n.t('Upload'),
      title: vscode.l10n.t('Upload Dataset'),
    });
  },
  pickDownloadTarget(defaultUri) {
    const extension = defaultUri.path.slice(defaultUri.path.lastIndexOf('.') + 1);
    return vscode.window.showSaveDialog({
      defaultUri,
      filters: { [extension.toUpperCase()]: [extension] },
      saveLabel: vscode.l10n.t('Download'),
      title: vscode.l10n.t('Download Dataset'),
    });
  },
  withProgress(title, task) {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      task,
    );
  },
};
