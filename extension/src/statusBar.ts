import * as vscode from 'vscode';
import type { ApiUser } from '../../shared/src/api/users.js';
import type { ApiClient } from './api/client.js';
import type { SessionStore } from './auth/sessionStore.js';

/** Interval between health checks of the server, in milliseconds. */
const HEALTH_INTERVAL_MS = 30_000;

export const STATUS_COMMAND = 'llmWorkbench.account.showMenu';

/**
 * The status bar item: the signed-in user and whether the server responds to `/api/health`.
 * Clicking it offers sign in, sign out and opening the server's admin page.
 */
export class WorkbenchStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'llmWorkbench.status',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly reconnected = new vscode.EventEmitter<void>();
  /** Fires when the server answers again after a health check found it unreachable. */
  readonly onDidReconnect = this.reconnected.event;
  private readonly disposables: vscode.Disposable[] = [this.item, this.reconnected];
  private user: ApiUser | undefined;
  private reachableState: boolean | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: SessionStore,
    private readonly client: ApiClient,
  ) {
    this.item.name = vscode.l10n.t('LLM Workbench Account');
    this.item.command = STATUS_COMMAND;
    this.disposables.push(
      store.onDidChange((change) => {
        this.user =
          change.kind === 'signedIn' || change.kind === 'refreshed' ? change.user : undefined;
        this.render();
        void this.checkServer();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('llmWorkbench.serverUrl')) {
          void this.checkServer();
        }
      }),
    );
    this.timer = setInterval(() => void this.checkServer(), HEALTH_INTERVAL_MS);
    void store.user().then((user) => {
      this.user = user;
      this.render();
    });
    void this.checkServer();
    this.render();
    this.item.show();
  }

  /** Asks the server for its health and updates the item. */
  async checkServer(): Promise<boolean> {
    const wasUnreachable = this.reachableState === false;
    try {
      await this.client.request('GET', '/api/health', { anonymous: true, timeoutMs: 5000 });
      this.reachableState = true;
      if (wasUnreachable) {
        this.reconnected.fire();
      }
    } catch {
      this.reachableState = false;
    }
    this.render();
    return this.reachableState;
  }

  /** Whether the last health check reached the server; undefined before the first one ends. */
  get reachable(): boolean | undefined {
    return this.reachableState;
  }

  get text(): string {
    return this.item.text;
  }

  /** What a screen reader announces for the item. */
  get accessibleLabel(): string | undefined {
    return this.item.accessibilityInformation?.label;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private render(): void {
    const server = this.store.serverUrl();
    const icon = this.reachableState === false ? '$(debug-disconnect)' : '$(account)';
    this.item.text =
      this.user === undefined
        ? `${icon} ${vscode.l10n.t('LLM Workbench: Sign In')}`
        : `${icon} ${this.user.nickname}`;
    const state =
      this.reachableState === undefined
        ? vscode.l10n.t('checking')
        : this.reachableState
          ? vscode.l10n.t('reachable')
          : vscode.l10n.t('not reachable');
    this.item.tooltip =
      this.user === undefined
        ? vscode.l10n.t('Not signed in. Server {0} is {1}.', server, state)
        : vscode.l10n.t(
            'Signed in as {0} ({1}). Server {2} is {3}.',
            this.user.nickname,
            this.user.email,
            server,
            state,
          );
    // Screen readers read the label, not the codicon name in the text.
    this.item.accessibilityInformation = {
      label: `${vscode.l10n.t('LLM Workbench account')}: ${this.item.tooltip}`,
      role: 'button',
    };
    this.item.backgroundColor =
      this.reachableState === false
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  }
}
