import * as vscode from 'vscode';
import { SignedOutError } from '../api/errors.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { MessageNode } from './nodes/messageNode.js';

/**
 * Base of the sidebar views that list server data. Signed out, a view is empty so its welcome
 * content shows; a failed load shows one message node and logs the details.
 */
export abstract class ServerTreeProvider<Node extends vscode.TreeItem>
  implements vscode.TreeDataProvider<Node | MessageNode>, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<Node | MessageNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  protected readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    protected readonly viewId: string,
    protected readonly store: SessionStore,
    protected readonly log: Logger,
  ) {
    this.disposables.push(store.onDidChange(() => this.refresh()));
  }

  /** Loads the top-level items of a signed-in user. */
  protected abstract loadRoots(): Promise<Node[]>;

  /** Loads the children of an item; items are leaves unless a view overrides this. */
  protected loadChildren(_parent: Node): Promise<(Node | MessageNode)[]> {
    return Promise.resolve([]);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(element: Node | MessageNode): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: Node | MessageNode): Promise<(Node | MessageNode)[]> {
    if (element instanceof MessageNode) {
      return [];
    }
    if ((await this.store.user()) === undefined) {
      await this.setEmpty(true);
      return [];
    }
    try {
      const items =
        element === undefined ? await this.loadRoots() : await this.loadChildren(element);
      if (element === undefined) {
        await this.setEmpty(items.length === 0);
      }
      return items;
    } catch (error) {
      if (error instanceof SignedOutError) {
        return [];
      }
      this.log.error(`${this.viewId}: loading failed`, error);
      const message = error instanceof Error ? error.message : String(error);
      return [
        new MessageNode(vscode.l10n.t('Could not load: {0}', message), 'warning', {
          title: vscode.l10n.t('Show Log'),
          command: 'llmWorkbench.showLog',
        }),
      ];
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private async setEmpty(empty: boolean): Promise<void> {
    await vscode.commands.executeCommand('setContext', `${this.viewId}.empty`, empty);
  }
}
