import type * as vscode from 'vscode';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const PROMPTS_VIEW_ID = 'llmWorkbench.prompts';

/** The Prompts view: system-prompt templates. */
export class PromptsView extends ServerTreeProvider<vscode.TreeItem> {
  constructor(store: SessionStore, log: Logger) {
    super(PROMPTS_VIEW_ID, store, log);
  }

  // NOTE: the server has no prompt API yet, so the view shows its empty-state welcome content.
  protected loadRoots(): Promise<vscode.TreeItem[]> {
    return Promise.resolve([]);
  }
}
