import type * as vscode from 'vscode';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const TRAINING_TASKS_VIEW_ID = 'llmWorkbench.trainingTasks';

/** The Training Tasks view. */
export class TrainingTasksView extends ServerTreeProvider<vscode.TreeItem> {
  constructor(store: SessionStore, log: Logger) {
    super(TRAINING_TASKS_VIEW_ID, store, log);
  }

  // NOTE: the server has no training API yet, so the view shows its empty-state welcome content.
  protected loadRoots(): Promise<vscode.TreeItem[]> {
    return Promise.resolve([]);
  }
}
