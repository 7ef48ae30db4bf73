import * as vscode from 'vscode';
import {
  COMPARE_STREAM_EVENT_TYPES,
  type ApiComparison,
  type CompareExportFormat,
  type CompareStreamEvent,
  type ComparisonListResponse,
} from '../../../shared/src/api/compare.js';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type {
  CompareHostMessage,
  CompareRunRequest,
  CompareWebviewMessage,
  CompareWebviewState,
} from '../../../shared/src/protocol/compare.js';
import type { ApiClient } from '../api/client.js';
import { ApiError, ServerUnreachableError, SignedOutError } from '../api/errors.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { exportComparison, vscodeCompareDialogs, type CompareDialogs } from './compareExport.js';
import { CompareRelay } from './compareRelay.js';
import { WebviewPanelHost, type PanelOptions } from './webviewPanelHost.js';

export const COMPARE_VIEW_TYPE = 'llmWorkbench.compare';

const OPTIONS: PanelOptions = {
  viewType: COMPARE_VIEW_TYPE,
  title: 'Compare Models',
  bundle: 'compare',
  rootElement: 'compare-app',
};

/** Comparisons the history quick pick lists, newest first. */
const HISTORY_PAGE_SIZE = 100;

/** Services the compare panel uses. */
export interface CompareDependencies {
  extensionUri: vscode.Uri;
  client: ApiClient;
  store: SessionStore;
  log: Logger;
}

type CompareHost = WebviewPanelHost<CompareHostMessage, CompareWebviewMessage>;

const STREAM_EVENT_TYPES = new Set<string>(COMPARE_STREAM_EVENT_TYPES);

/**
 * The compare panel's host side: it calls the compare API for the webview and relays a streamed
 * comparison to it. One panel at a time. After a window reload the serializer shows the saved
 * comparison again.
 */
export class ComparePanel implements vscode.Disposable {
  private static current: ComparePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<CompareHostMessage>();
  /** Fires for every message sent to the webview; the in-host tests read the panel through it. */
  readonly onDidPost = this.posted.event;
  /** The save and history dialogs; the in-host tests replace them. */
  dialogs: CompareDialogs = vscodeCompareDialogs;
  private relay: CompareRelay | undefined;

  private constructor(
    private readonly host: CompareHost,
    private readonly deps: CompareDependencies,
    /** The comparison the webview shows on its next `ready`, as after a reload. */
    private restoreId: number | null,
  ) {
    this.disposables.push(
      host,
      this.posted,
      host.onDidReceiveMessage((message) => void this.handle(message)),
      host.onDidDispose(() => this.dispose()),
      deps.store.onDidChange((change) => {
        if (change.kind !== 'refreshed') {
          this.relay?.abort();
          void this.sendInitialState();
        }
      }),
    );
  }

  /** Opens the panel, or reveals the one already open. */
  static show(deps: CompareDependencies): ComparePanel {
    if (ComparePanel.current !== undefined) {
      ComparePanel.current.host.panel.reveal();
      return ComparePanel.current;
    }
    const host = WebviewPanelHost.open<CompareHostMessage, CompareWebviewMessage>(
      deps.extensionUri,
      OPTIONS,
      deps.log,
    );
    ComparePanel.current = new ComparePanel(host, deps, null);
    return ComparePanel.current;
  }

  /** Registers the serializer that brings the panel back, on its comparison, after a reload. */
  static registerSerializer(deps: CompareDependencies): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: CompareWebviewState | undefined) => {
        ComparePanel.current?.dispose();
        const host = new WebviewPanelHost<CompareHostMessage, CompareWebviewMessage>(
          panel,
          deps.extensionUri,
          OPTIONS,
          deps.log,
        );
        ComparePanel.current = new ComparePanel(host, deps, state?.comparisonId ?? null);
        return Promise.resolve();
      },
    });
  }

  /** The panel that is open, or undefined. */
  static get open(): ComparePanel | undefined {
    return ComparePanel.current;
  }

  /**
   * Handles a message from the webview. The promise ends when the work it started ended: for a
   * run, once every slot ended. Failures are logged and shown in the panel, never thrown.
   */
  async handle(message: CompareWebviewMessage): Promise<void> {
    try {
      await this.dispatch(message);
    } catch (error) {
      this.showFailure(message.type, error);
    }
  }

  /** Lists past comparisons in a quick pick and shows the one picked. */
  async showHistory(): Promise<void> {
    const list = await this.deps.client.request<ComparisonListResponse>(
      'GET',
      `/api/compare?pageSize=${HISTORY_PAGE_SIZE}`,
    );
    if (list.comparisons.length === 0) {
      await this.notify('info', vscode.l10n.t('No comparisons yet. Run one first.'));
      return;
    }
    const picked = await this.dialogs.pickComparison(list.comparisons);
    if (picked !== undefined) {
      await this.showComparison(picked.id);
    }
  }

  dispose(): void {
    if (ComparePanel.current === this) {
      ComparePanel.current = undefined;
    }
    this.relay?.abort();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private async dispatch(message: CompareWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.sendInitialState();
      case 'run':
        return this.run(message);
      case 'stop':
        return this.stop();
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied to the clipboard.'), 2000);
        return;
      case 'export':
        return this.exportComparison(message.comparisonId, message.format);
      case 'pickBest':
        return this.update(message.comparisonId, 'best', { resultId: message.resultId });
      case 'rate':
        return this.update(message.comparisonId, `results/${message.resultId}/rating`, {
          rating: message.rating,
        });
      case 'openHistory':
        return this.showHistory();
      case 'refreshModels':
        return this.loadModels();
      case 'signIn':
        await vscode.commands.executeCommand('llmWorkbench.account.signIn');
        return;
      default:
        return;
    }
  }

  private post(message: CompareHostMessage): Thenable<boolean> {
    this.posted.fire(message);
    return this.host.post(message);
  }

  /** Sends the account state, the models and the saved prompts, and a restored comparison. */
  private async sendInitialState(): Promise<void> {
    const signedIn = (await this.deps.store.user()) !== undefined;
    await this.post({ type: 'init', signedIn });
    if (!signedIn) {
      return;
    }
    // NOTE: the prompt library has no server API yet; once it has, its prompts go here.
    await this.post({ type: 'systemPrompts', prompts: [] });
    await this.loadModels();
    const restoreId = this.restoreId;
    this.restoreId = null;
    if (restoreId !== null) {
      await this.showComparison(restoreId);
    }
  }

  private async loadModels(): Promise<void> {
    const { modelConfigs } = await this.deps.client.request<{ modelConfigs: ApiModelConfig[] }>(
      'GET',
      '/api/model-configs?enabled=true',
    );
    await this.post({
      type: 'models',
      models: modelConfigs.map((config) => ({
        id: config.id,
        displayName: config.displayName,
        providerName: config.providerName,
        modelId: config.modelId,
      })),
    });
  }

  private async showComparison(comparisonId: number): Promise<void> {
    const comparison = await this.getComparison(comparisonId);
    await this.post({ type: 'comparison', comparison });
  }

  private async getComparison(comparisonId: number): Promise<ApiComparison> {
    const { comparison } = await this.deps.client.request<{ comparison: ApiComparison }>(
      'GET',
      `/api/compare/${comparisonId}`,
    );
    return comparison;
  }

  /** Runs a comparison with its answers streamed, and reports its end to the webview. */
  private async run(request: CompareRunRequest): Promise<void> {
    if (this.relay !== undefined) {
      await this.notify('error', vscode.l10n.t('A comparison is still running; stop it first.'));
      return;
    }
    const relay = new CompareRelay((message) => void this.post(message));
    this.relay = relay;
    await this.post({ type: 'busy', busy: true });
    try {
      await this.deps.client.stream('POST', '/api/compare', {
        body: {
          prompt: request.prompt,
          variables: request.variables,
          slots: request.slots,
          stream: true,
        },
        signal: relay.signal,
        onEvent: (event) => {
          // Comment lines never reach here; an unknown event type is from a newer server.
          if (STREAM_EVENT_TYPES.has(event.event)) {
            const data: unknown = JSON.parse(event.data);
            relay.handle({ type: event.event, data } as CompareStreamEvent);
          }
        },
      });
    } catch (error) {
      if (!relay.stopping) {
        this.showFailure('run', error);
      }
    } finally {
      relay.dispose();
      this.relay = undefined;
    }
    await this.afterRun(relay);
  }

  /** Shows what the server stored for a run whose stream did not reach `complete`. */
  private async afterRun(relay: CompareRelay): Promise<void> {
    try {
      if (!relay.completed && relay.comparisonId !== undefined) {
        await this.showComparison(relay.comparisonId);
      }
    } catch (error) {
      this.deps.log.warn(`Reloading comparison ${relay.comparisonId} after a run failed`, error);
    } finally {
      await this.post({ type: 'busy', busy: false });
    }
  }

  /**
   * Stops the running comparison: the server's stop route ends every provider request and stores
   * the partial answers, and the stream then ends on its own. Before the comparison has an id,
   * closing the request makes the server stop it.
   */
  private async stop(): Promise<void> {
    const relay = this.relay;
    if (relay === undefined || relay.stopping) {
      return;
    }
    relay.stopping = true;
    if (relay.comparisonId === undefined) {
      relay.abort();
      return;
    }
    try {
      await this.deps.client.request('POST', `/api/compare/${relay.comparisonId}/stop`, {
        body: {},
        timeoutMs: 15_000,
      });
    } catch (error) {
      this.deps.log.warn(
        `Stopping comparison ${relay.comparisonId} failed; closing its request`,
        error,
      );
      relay.abort();
    }
  }

  /**
   * Sends a change of the best pick or a rating, then the comparison as stored, unless it is
   * still running: the webview shows the change itself then, and `complete` brings the rest.
   */
  private async update(comparisonId: number, route: string, body: object): Promise<void> {
    await this.deps.client.request('PUT', `/api/compare/${comparisonId}/${route}`, { body });
    if (this.relay?.comparisonId !== comparisonId) {
      await this.showComparison(comparisonId);
    }
  }

  private async exportComparison(comparisonId: number, format: CompareExportFormat): Promise<void> {
    const target = await exportComparison(this.deps, this.dialogs, comparisonId, format);
    if (target !== undefined) {
      const open = vscode.l10n.t('Open');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t('Exported the comparison to {0}.', target.fsPath),
          open,
        )
        .then((choice) => choice === open && vscode.commands.executeCommand('vscode.open', target));
    }
  }

  private notify(level: 'error' | 'info', message: string): Thenable<boolean> {
    return this.post({ type: 'notice', level, message });
  }

  /** Logs a failed request and shows its reason in the panel. */
  private showFailure(action: string, error: unknown): void {
    this.deps.log.error(`Compare panel: ${action} failed`, error);
    const known =
      error instanceof ApiError ||
      error instanceof ServerUnreachableError ||
      error instanceof SignedOutError;
    void this.notify(
      'error',
      known
        ? error.message
        : vscode.l10n.t('The request failed unexpectedly; the LLM Workbench log has the details.'),
    );
  }
}
