import * as vscode from 'vscode';
import type { ApiChatMessage, UpdateChatSessionRequest } from '../../../shared/src/api/chat.js';
import type {
  ChatFirstView,
  ChatHostMessage,
  ChatSendRequest,
  ChatWebviewMessage,
  ChatWebviewState,
} from '../../../shared/src/protocol/chat.js';
import type { ApiClient } from '../api/client.js';
import { ApiError, ServerUnreachableError, SignedOutError } from '../api/errors.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { ChatApi, type ChatTurnRequest } from './chatApi.js';
import { exportChat, vscodeDialogs, type ChatDialogs } from './chatExport.js';
import { ChatTurn } from './chatTurn.js';
import { WebviewPanelHost, type PanelOptions } from './webviewPanelHost.js';

export const CHAT_VIEW_TYPE = 'llmWorkbench.chat';

const OPTIONS: PanelOptions = {
  viewType: CHAT_VIEW_TYPE,
  title: 'Chat',
  bundle: 'chat',
  rootElement: 'chat-app',
};

/** Services the chat panel uses. */
export interface ChatDependencies {
  extensionUri: vscode.Uri;
  client: ApiClient;
  store: SessionStore;
  log: Logger;
}

type ChatHost = WebviewPanelHost<ChatHostMessage, ChatWebviewMessage>;

/**
 * The chat panel's host side: it calls the chat API for the webview and relays each streamed
 * answer to it. One panel at a time. It retains no webview context when hidden: the webview
 * saves its state, and on `ready` the host sends the lists again and, for an answer still
 * streaming, the text so far. After a window reload the serializer reopens the saved session.
 */
export class ChatPanel implements vscode.Disposable {
  private static current: ChatPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly api: ChatApi;
  /** Answers in flight, by session id. */
  private readonly turns = new Map<number, ChatTurn>();
  private readonly posted = new vscode.EventEmitter<ChatHostMessage>();
  /** Fires for every message sent to the webview; the in-host tests read the panel through it. */
  readonly onDidPost = this.posted.event;
  /** The save and confirm dialogs; the in-host tests replace them. */
  dialogs: ChatDialogs = vscodeDialogs;
  /** True from the webview's `ready` until it is hidden, which ends its page. */
  private ready = false;

  private constructor(
    private readonly host: ChatHost,
    private readonly deps: ChatDependencies,
    /** The view the webview shows on its next `ready`: the restored session or a new chat. */
    private firstView: ChatFirstView,
  ) {
    this.api = new ChatApi(deps.client, deps.store);
    this.disposables.push(
      host,
      this.posted,
      host.onDidReceiveMessage((message) => void this.handle(message)),
      host.onDidDispose(() => this.dispose()),
      host.panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          this.ready = false;
        }
      }),
      deps.store.onDidChange((change) => {
        if (change.kind !== 'refreshed') {
          this.abortAll();
          void this.sendInitialState();
        }
      }),
    );
  }

  /** Opens the panel, or reveals it; with `modelConfigId`, starts a new chat on that model. */
  static show(deps: ChatDependencies, options: { modelConfigId?: number } = {}): ChatPanel {
    let panel = ChatPanel.current;
    if (panel === undefined) {
      const host = WebviewPanelHost.open<ChatHostMessage, ChatWebviewMessage>(
        deps.extensionUri,
        OPTIONS,
        deps.log,
      );
      panel = new ChatPanel(host, deps, null);
      ChatPanel.current = panel;
    } else {
      panel.host.panel.reveal();
    }
    if (options.modelConfigId !== undefined) {
      if (panel.ready) {
        void panel.post({ type: 'newChat', modelConfigId: options.modelConfigId });
      } else {
        panel.firstView = { newChatModelId: options.modelConfigId };
      }
    }
    return panel;
  }

  /** Registers the serializer that brings the panel back, on its session, after a reload. */
  static registerSerializer(deps: ChatDependencies): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(CHAT_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: ChatWebviewState | undefined) => {
        ChatPanel.current?.dispose();
        const host = new WebviewPanelHost<ChatHostMessage, ChatWebviewMessage>(
          panel,
          deps.extensionUri,
          OPTIONS,
          deps.log,
        );
        const sessionId = state?.activeSessionId ?? null;
        ChatPanel.current = new ChatPanel(host, deps, sessionId === null ? null : { sessionId });
        return Promise.resolve();
      },
    });
  }

  /** The panel that is open, or undefined. */
  static get open(): ChatPanel | undefined {
    return ChatPanel.current;
  }

  /**
   * Handles a message from the webview. The promise ends when the work it started ended: for a
   * send, once the answer is complete, stopped or failed. Failures are logged and shown in the
   * panel, never thrown.
   */
  async handle(message: ChatWebviewMessage): Promise<void> {
    try {
      await this.dispatch(message);
    } catch (error) {
      this.showFailure(message.type, error);
    }
  }

  dispose(): void {
    if (ChatPanel.current === this) {
      ChatPanel.current = undefined;
    }
    this.abortAll();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private async dispatch(message: ChatWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendInitialState();
      case 'loadSessions':
        return this.loadSessions(message.query, message.page);
      case 'openSession':
        return this.openSession(message.sessionId);
      case 'renameSession':
        return this.updateSession(message.sessionId, { title: message.title });
      case 'setModel':
        return this.updateSession(message.sessionId, { modelConfigId: message.modelConfigId });
      case 'deleteSession':
        return this.deleteSession(message.sessionId);
      case 'send':
        return this.send(message);
      case 'regenerate':
        return this.runTurn(
          message.sessionId,
          { kind: 'regenerate', messageId: message.messageId },
          message.stream,
        );
      case 'stop':
        return this.stop(message.sessionId);
      case 'deleteMessage': {
        const removed = await this.api.deleteMessage(message.sessionId, message.messageId);
        await this.post({
          type: 'messagesChanged',
          sessionId: message.sessionId,
          upsert: [],
          remove: removed,
        });
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied to the clipboard.'), 2000);
        return;
      case 'export':
        return this.exportSession(message.sessionId, message.format);
      case 'refreshModels':
        return this.loadModels();
      case 'signIn':
        await vscode.commands.executeCommand('llmWorkbench.account.signIn');
        return;
      default:
        return;
    }
  }

  private post(message: ChatHostMessage): Thenable<boolean> {
    this.posted.fire(message);
    return this.host.post(message);
  }

  /** Sends the account state, the models and the first page of sessions. */
  private async sendInitialState(): Promise<void> {
    const signedIn = (await this.deps.store.user()) !== undefined;
    const show = this.firstView;
    this.firstView = null;
    await this.post({ type: 'init', signedIn, show });
    if (!signedIn) {
      return;
    }
    await Promise.all([this.loadModels(), this.loadSessions('', 1)]);
  }

  private async loadModels(): Promise<void> {
    const configs = await this.api.listEnabledModels();
    await this.post({
      type: 'models',
      models: configs.map((config) => ({
        id: config.id,
        displayName: config.displayName,
        providerName: config.providerName,
        modelId: config.modelId,
        reasoning: config.reasoning !== null,
      })),
    });
  }

  private async loadSessions(query: string, page: number): Promise<void> {
    const list = await this.api.listSessions(query, page);
    await this.post({
      type: 'sessions',
      query,
      sessions: list.sessions,
      total: list.total,
      append: page > 1,
    });
  }

  /** Sends a session's conversation, with the text of an answer still streaming in it. */
  private async openSession(sessionId: number): Promise<void> {
    let session;
    let messages: ApiChatMessage[];
    try {
      [session, messages] = await Promise.all([
        this.api.getSession(sessionId),
        this.api.listMessages(sessionId),
      ]);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        await this.post({ type: 'sessionRemoved', sessionId });
        return;
      }
      throw error;
    }
    const snapshot = this.turns.get(sessionId)?.snapshot();
    if (snapshot !== undefined) {
      const replaced = new Map(snapshot.messages.map((message) => [message.id, message]));
      messages = messages.map((message) => replaced.get(message.id) ?? message);
      const known = new Set(messages.map((message) => message.id));
      messages.push(...snapshot.messages.filter((message) => !known.has(message.id)));
    }
    this.host.panel.title = session.title ?? OPTIONS.title;
    await this.post({ type: 'conversation', session, messages, live: snapshot?.live ?? null });
  }

  private async updateSession(sessionId: number, body: UpdateChatSessionRequest): Promise<void> {
    const session = await this.api.updateSession(sessionId, body);
    await this.post({ type: 'sessionChanged', session });
  }

  private async deleteSession(sessionId: number): Promise<void> {
    const session = await this.api.getSession(sessionId);
    const title = session.title ?? vscode.l10n.t('New chat');
    if (!(await this.dialogs.confirmDelete(title))) {
      return;
    }
    this.turns.get(sessionId)?.abort();
    await this.api.deleteSession(sessionId);
    await this.post({ type: 'sessionRemoved', sessionId });
  }

  /** Sends a message, first creating the session when the webview shows a new chat. */
  private async send(request: ChatSendRequest): Promise<void> {
    let sessionId = request.sessionId;
    if (sessionId === null) {
      if (request.modelConfigId === null) {
        await this.post({ type: 'busy', sessionId: null, busy: false });
        await this.notify('error', vscode.l10n.t('Pick a model for the new chat first.'));
        return;
      }
      try {
        const session = await this.api.createSession(request.modelConfigId);
        sessionId = session.id;
        await this.post({ type: 'sessionChanged', session });
        await this.post({ type: 'conversation', session, messages: [], live: null });
      } catch (error) {
        await this.post({ type: 'busy', sessionId: null, busy: false });
        throw error;
      }
    }
    await this.runTurn(sessionId, { kind: 'send', content: request.content }, request.stream);
  }

  /** Runs one answer, streamed or not, and reports its end to the webview. */
  private async runTurn(
    sessionId: number,
    turnRequest: ChatTurnRequest,
    stream: boolean,
  ): Promise<void> {
    if (this.turns.has(sessionId)) {
      await this.notify(
        'error',
        vscode.l10n.t('An answer is still arriving in this chat; stop it first.'),
      );
      return;
    }
    const turn = new ChatTurn(sessionId, (message) => void this.post(message));
    this.turns.set(sessionId, turn);
    await this.post({ type: 'busy', sessionId, busy: true });
    try {
      if (stream) {
        await this.api.streamAnswer(sessionId, turnRequest, {
          signal: turn.signal,
          onEvent: (event) => turn.handle(event),
        });
      } else {
        const result = await this.api.answer(sessionId, turnRequest, turn.signal);
        const remove = turnRequest.kind === 'regenerate' ? [turnRequest.messageId] : [];
        const upsert = [result.userMessage, result.assistantMessage];
        await this.post({ type: 'messagesChanged', sessionId, upsert, remove });
      }
      if (stream && !turn.ended && !turn.stopping) {
        await this.notify('error', vscode.l10n.t('The answer stream ended before the answer did.'));
      }
    } catch (error) {
      if (!turn.stopping) {
        this.showFailure(turnRequest.kind, error);
      }
    } finally {
      turn.dispose();
      this.turns.delete(sessionId);
    }
    await this.afterTurn(turn);
  }

  /** Shows what the server stored for a turn that did not end on its own, and the new title. */
  private async afterTurn(turn: ChatTurn): Promise<void> {
    try {
      // A stopped answer that was not streamed, and a stream cut short, are shown as stored.
      if (turn.stopping || (!turn.ended && turn.messageId !== undefined)) {
        const messages = await this.api.listMessages(turn.sessionId);
        await this.post({
          type: 'messagesChanged',
          sessionId: turn.sessionId,
          upsert: messages,
          remove: [],
        });
      }
      await this.post({
        type: 'sessionChanged',
        session: await this.api.getSession(turn.sessionId),
      });
    } catch (error) {
      this.deps.log.warn(`Reloading chat session ${turn.sessionId} after an answer failed`, error);
    } finally {
      await this.post({ type: 'busy', sessionId: turn.sessionId, busy: false });
    }
  }

  /**
   * Stops the answer in flight: the server's stop route ends the provider request and stores the
   * partial answer, then the HTTP request is closed. An answer not yet started, or not streamed,
   * is found among the stored messages.
   */
  private async stop(sessionId: number): Promise<void> {
    const turn = this.turns.get(sessionId);
    if (turn === undefined || turn.stopping) {
      return;
    }
    turn.stopping = true;
    try {
      const messageId = turn.messageId ?? (await this.findStreamingAnswer(sessionId));
      if (messageId !== undefined) {
        turn.finish(await this.api.stop(sessionId, messageId));
      }
    } catch (error) {
      this.deps.log.warn(
        `Stopping the answer in chat session ${sessionId} failed; closing its request`,
        error,
      );
    } finally {
      turn.abort();
    }
  }

  private async findStreamingAnswer(sessionId: number): Promise<number | undefined> {
    const messages = await this.api.listMessages(sessionId);
    return messages.findLast((message) => message.status === 'streaming')?.id;
  }

  private async exportSession(sessionId: number, format: 'txt' | 'md' | 'json'): Promise<void> {
    const session = await this.api.getSession(sessionId);
    const target = await exportChat(this.api, this.dialogs, session, format);
    if (target !== undefined) {
      const open = vscode.l10n.t('Open');
      void vscode.window
        .showInformationMessage(vscode.l10n.t('Exported the chat to {0}.', target.fsPath), open)
        .then((choice) => choice === open && vscode.commands.executeCommand('vscode.open', target));
    }
  }

  private notify(level: 'error' | 'info', message: string): Thenable<boolean> {
    return this.post({ type: 'notice', level, message });
  }

  /** Logs a failed request and shows its reason in the panel. */
  private showFailure(action: string, error: unknown): void {
    this.deps.log.error(`Chat panel: ${action} failed`, error);
    void this.notify('error', describeFailure(error));
  }

  private abortAll(): void {
    for (const turn of this.turns.values()) {
      turn.stopping = true;
      turn.abort();
    }
  }
}

/** Describes a failure in one sentence for the panel. */
function describeFailure(error: unknown): string {
  if (
    error instanceof ApiError ||
    error instanceof ServerUnreachableError ||
    error instanceof SignedOutError
  ) {
    return error.message;
  }
  return vscode.l10n.t('The request failed unexpectedly; the LLM Workbench log has the details.');
}
