import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import type { PromptsView } from '../views/promptsView.js';
import { describePrompt } from './commandSupport.js';

/** Time after the last keystroke before the server is asked. */
const SEARCH_DEBOUNCE_MS = 200;

/** Results shown at most; the server sorts them by category and name. */
const SEARCH_PAGE_SIZE = 50;

interface PromptItem extends vscode.QuickPickItem {
  prompt: ApiPrompt;
}

/**
 * Shows a QuickPick that searches the library on the server as the user types, in names,
 * descriptions and content, and resolves with the chosen prompt or undefined when hidden.
 */
export function searchPrompts(view: PromptsView): Promise<ApiPrompt | undefined> {
  return new PromptSearch(view).run();
}

/** One Search Prompts QuickPick and the server request behind its current results. */
class PromptSearch {
  private readonly quickPick = vscode.window.createQuickPick<PromptItem>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private request: AbortController | undefined;

  constructor(private readonly view: PromptsView) {
    this.quickPick.title = vscode.l10n.t('Search Prompts');
    this.quickPick.placeholder = vscode.l10n.t(
      'Type to search names, descriptions and prompt text',
    );
    this.quickPick.matchOnDescription = true;
    this.quickPick.matchOnDetail = true;
  }

  run(): Promise<ApiPrompt | undefined> {
    const { quickPick } = this;
    return new Promise<ApiPrompt | undefined>((resolve) => {
      const finish = (prompt: ApiPrompt | undefined) => {
        clearTimeout(this.timer);
        this.request?.abort();
        subscriptions.dispose();
        quickPick.dispose();
        resolve(prompt);
      };
      const subscriptions = vscode.Disposable.from(
        quickPick.onDidChangeValue((value) => {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.load(value.trim()), SEARCH_DEBOUNCE_MS);
        }),
        quickPick.onDidAccept(() => {
          const [chosen] = quickPick.selectedItems;
          if (chosen !== undefined) {
            finish(chosen.prompt);
          }
        }),
        quickPick.onDidHide(() => finish(undefined)),
      );
      quickPick.show();
      this.view.searchOpened(quickPick);
      void this.load('');
    });
  }

  /** Replaces the items with the server's results for `query`, cancelling an older request. */
  private async load(query: string): Promise<void> {
    this.request?.abort();
    const controller = new AbortController();
    this.request = controller;
    this.quickPick.busy = true;
    try {
      const { prompts, total } = await this.view.api.list(
        { q: query, pageSize: SEARCH_PAGE_SIZE },
        controller.signal,
      );
      if (!controller.signal.aborted) {
        this.quickPick.items = prompts.map(toItem);
        this.quickPick.placeholder =
          total > prompts.length
            ? vscode.l10n.t('{0} of {1} prompts; type to narrow them down', prompts.length, total)
            : vscode.l10n.t('Type to search names, descriptions and prompt text');
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        this.quickPick.items = [];
        const reason = error instanceof Error ? error.message : String(error);
        void this.view.prompts.showError(
          vscode.l10n.t('Search Prompts failed: {0}', reason),
          error,
        );
      }
    } finally {
      if (this.request === controller) {
        this.quickPick.busy = false;
      }
    }
  }
}

function toItem(prompt: ApiPrompt): PromptItem {
  return {
    label: prompt.name,
    description: describePrompt(prompt),
    ...(prompt.description === null ? {} : { detail: prompt.description }),
    // Every result matched on the server, possibly in text that the item does not show.
    alwaysShow: true,
    prompt,
  };
}
