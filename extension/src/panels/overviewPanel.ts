import * as vscode from 'vscode';
import type {
  OverviewHostMessage,
  OverviewStateMessage,
  OverviewWebviewMessage,
  ServerStatus,
} from '../../../shared/src/protocol/overview.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { WebviewPanelHost, type PanelOptions } from './webviewPanelHost.js';

export const OVERVIEW_VIEW_TYPE = 'llmWorkbench.overview';

const OPTIONS: PanelOptions = {
  viewType: OVERVIEW_VIEW_TYPE,
  title: 'LLM Workbench',
  bundle: 'overview',
  rootElement: 'overview-app',
};

interface HealthBody {
  version: string;
  database: { dialect: string };
}

/** Services the overview panel reads from and the commands its buttons run. */
export interface OverviewDependencies {
  extensionUri: vscode.Uri;
  client: ApiClient;
  store: SessionStore;
  log: Logger;
}

/**
 * The overview panel: the server, its health and version, and the signed-in account. One panel at
 * a time; it is restored after a reload through its serializer.
 */
export class OverviewPanel implements vscode.Disposable {
  private static current: OverviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly host: WebviewPanelHost<OverviewHostMessage, OverviewWebviewMessage>,
    private readonly deps: OverviewDependencies,
  ) {
    this.disposables.push(
      host,
      host.onDidReceiveMessage((message) => void this.onMessage(message)),
      deps.store.onDidChange(() => void this.refresh()),
      host.onDidDispose(() => this.dispose()),
    );
  }

  /** Opens the panel, or reveals the one already open. */
  static show(deps: OverviewDependencies): OverviewPanel {
    if (OverviewPanel.current !== undefined) {
      OverviewPanel.current.host.panel.reveal();
      return OverviewPanel.current;
    }
    const host = WebviewPanelHost.open<OverviewHostMessage, OverviewWebviewMessage>(
      deps.extensionUri,
      OPTIONS,
      deps.log,
    );
    OverviewPanel.current = new OverviewPanel(host, deps);
    return OverviewPanel.current;
  }

  /** Registers the serializer that brings the panel back after a window reload. */
  static registerSerializer(deps: OverviewDependencies): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(OVERVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => {
        OverviewPanel.current?.dispose();
        const host = new WebviewPanelHost<OverviewHostMessage, OverviewWebviewMessage>(
          panel,
          deps.extensionUri,
          OPTIONS,
          deps.log,
        );
        OverviewPanel.current = new OverviewPanel(host, deps);
        return Promise.resolve();
      },
    });
  }

  /** The panel that is open, for tests. */
  static get open(): OverviewPanel | undefined {
    return OverviewPanel.current;
  }

  /** The panel's webview, for tests. */
  get webview(): vscode.Webview {
    return this.host.panel.webview;
  }

  /** Checks the server and sends the state to the webview. */
  async refresh(): Promise<OverviewStateMessage> {
    const state: OverviewStateMessage = {
      type: 'state',
      server: await this.serverStatus(),
      user: await this.deps.store.user(),
      checkedAt: new Date().toISOString(),
    };
    await this.host.post(state);
    return state;
  }

  dispose(): void {
    if (OverviewPanel.current === this) {
      OverviewPanel.current = undefined;
    }
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private async onMessage(message: OverviewWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        await this.refresh();
        break;
      case 'signIn':
        await vscode.commands.executeCommand('llmWorkbench.account.signIn');
        break;
      case 'signOut':
        await vscode.commands.executeCommand('llmWorkbench.account.signOut');
        break;
      case 'openAdminPage':
        await vscode.env.openExternal(vscode.Uri.parse(`${this.deps.store.serverUrl()}/admin/`));
        break;
      default:
        break;
    }
  }

  private async serverStatus(): Promise<ServerStatus> {
    const url = this.deps.store.serverUrl();
    try {
      const health = await this.deps.client.request<HealthBody>('GET', '/api/health', {
        anonymous: true,
        timeoutMs: 5000,
      });
      return { url, reachable: true, version: health.version, database: health.database.dialect };
    } catch (error) {
      return {
        url,
        reachable: false,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
