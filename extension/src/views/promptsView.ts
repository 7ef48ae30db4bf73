import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import { QuickInputPrompts, type PromptUi } from '../commands/promptUi.js';
import type { Logger } from '../log.js';
import { PromptsApi } from '../prompts/promptsApi.js';
import type { MessageNode } from './nodes/messageNode.js';
import { PromptCategoryNode } from './nodes/promptCategoryNode.js';
import { PromptNode } from './nodes/promptNode.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const PROMPTS_VIEW_ID = 'llmWorkbench.prompts';

/** Every kind of item in the Prompts view except messages. */
export type PromptsTreeNode = PromptCategoryNode | PromptNode;

/**
 * The Prompts view: the user's prompts and the built-in templates, grouped by category with the
 * uncategorized ones last. The prompt commands use its API and prompts.
 */
export class PromptsView extends ServerTreeProvider<PromptsTreeNode> {
  readonly api: PromptsApi;
  /** The prompts and messages of the commands. The in-host tests replace it to script the replies. */
  prompts: PromptUi;
  /** The prompts on VS Code's QuickInput. */
  readonly quickInputPrompts: QuickInputPrompts;
  private readonly searchShown = new vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>();
  /** Fires when the Search Prompts QuickPick opens, for tests that drive it. */
  readonly onDidShowSearch = this.searchShown.event;

  constructor(client: ApiClient, store: SessionStore, log: Logger) {
    super(PROMPTS_VIEW_ID, store, log);
    this.api = new PromptsApi(client);
    this.quickInputPrompts = new QuickInputPrompts(log);
    this.prompts = this.quickInputPrompts;
    this.disposables.push(this.quickInputPrompts, this.searchShown);
  }

  /** Reports that the search QuickPick is showing. */
  searchOpened(quickPick: vscode.QuickPick<vscode.QuickPickItem>): void {
    this.searchShown.fire(quickPick);
  }

  protected async loadRoots(): Promise<PromptCategoryNode[]> {
    return groupByCategory(await this.api.listAll());
  }

  protected override loadChildren(
    parent: PromptsTreeNode,
  ): Promise<(PromptsTreeNode | MessageNode)[]> {
    if (parent instanceof PromptCategoryNode) {
      return Promise.resolve(parent.prompts.map((prompt) => new PromptNode(prompt)));
    }
    return Promise.resolve([]);
  }
}

/**
 * Groups prompts by category, ignoring letter case, in the server's order: categories by name,
 * then the uncategorized prompts.
 */
export function groupByCategory(prompts: readonly ApiPrompt[]): PromptCategoryNode[] {
  const groups = new Map<string, { category: string | null; prompts: ApiPrompt[] }>();
  for (const prompt of prompts) {
    const key = prompt.category === null ? '' : `#${prompt.category.toLowerCase()}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { category: prompt.category, prompts: [] };
      groups.set(key, group);
    }
    group.prompts.push(prompt);
  }
  const ordered = [...groups.values()].sort((a, b) => {
    if (a.category === null) {
      return b.category === null ? 0 : 1;
    }
    if (b.category === null) {
      return -1;
    }
    return a.category.localeCompare(b.category, undefined, { sensitivity: 'base' });
  });
  return ordered.map((group) => new PromptCategoryNode(group.category, group.prompts));
}
