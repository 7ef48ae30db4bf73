import type * as vscode from 'vscode';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const DATASETS_VIEW_ID = 'llmWorkbench.datasets';

/** The Datasets view. */
export class DatasetsView extends ServerTreeProvider<vscode.TreeItem> {
  constructor(store: SessionStore, log: Logger) {
    super(DATASETS_VIEW_ID, store, log);
  }

  // NOTE: the server has no dataset API yet, so the view shows its empty-state welcome content.
  protected loadRoots(): Promise<vscode.TreeItem[]> {
    return Promise.resolve([]);
  }
}
