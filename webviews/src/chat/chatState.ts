import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ApiChatMessage, ApiChatSession } from '../../../shared/src/api/chat.js';
import type {
  ChatConversationMessage,
  ChatFirstView,
  ChatHostMessage,
  ChatModelOption,
  ChatSessionsMessage,
  ChatStreamEndMessage,
  ChatStreamStartMessage,
  ChatWebviewMessage,
  ChatWebviewState,
} from '../../../shared/src/protocol/chat.js';
import { LiveAnswer } from './liveAnswer.js';

/** The key of the draft of a chat that has no session yet. */
const NEW_CHAT_DRAFT = 'new';

/** Replaces messages by id, adds new ones and removes `remove`, keeping the order by id. */
export function mergeMessages(
  messages: readonly ApiChatMessage[],
  upsert: readonly ApiChatMessage[],
  remove: readonly number[] = [],
): ApiChatMessage[] {
  const removed = new Set(remove);
  const replacements = new Map(upsert.map((message) => [message.id, message]));
  const merged = messages
    .filter((message) => !removed.has(message.id))
    .map((message) => replacements.get(message.id) ?? message);
  const known = new Set(merged.map((message) => message.id));
  const added = upsert.filter((message) => !known.has(message.id) && !removed.has(message.id));
  if (added.length === 0) {
    return merged;
  }
  return [...merged, ...added].sort((left, right) => left.id - right.id);
}

/**
 * The chat webview's state and how each host message changes it. Every change except a streamed
 * delta requests a render of the host element. Deltas go straight to the `LiveAnswer`, which
 * renders the streaming message itself once per frame.
 */
export class ChatState implements ReactiveController {
  signedIn: boolean | undefined = undefined;
  sessions: ApiChatSession[] = [];
  sessionTotal = 0;
  query = '';
  models: ChatModelOption[] = [];
  session: ApiChatSession | undefined = undefined;
  messages: ApiChatMessage[] = [];
  live: LiveAnswer | undefined = undefined;
  /** Sessions with a request in flight on the host. */
  busySessions = new Set<number>();
  /** Text sent and not yet confirmed by the server. */
  pendingUser: string | undefined = undefined;
  notice: { level: 'error' | 'info'; message: string } | undefined = undefined;
  stream: boolean;
  pickedModelId: number | null;
  private readonly drafts: Record<string, string>;
  private modelNames: ReadonlyMap<number, string> = new Map();
  private activeSessionId: number | null;
  private sessionPage = 1;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly post: (message: ChatWebviewMessage) => void,
    private readonly save: (state: ChatWebviewState) => void,
    saved: ChatWebviewState | undefined,
  ) {
    host.addController(this);
    this.activeSessionId = saved?.activeSessionId ?? null;
    this.stream = saved?.stream ?? true;
    this.pickedModelId = saved?.modelConfigId ?? null;
    this.drafts = { ...saved?.drafts };
  }

  hostDisconnected(): void {
    this.live?.dispose();
  }

  /** True while the open conversation waits for an answer. */
  get busy(): boolean {
    return (
      this.pendingUser !== undefined ||
      this.live !== undefined ||
      (this.session !== undefined && this.busySessions.has(this.session.id))
    );
  }

  /** The model a message would go to: the session's, or the one picked for a new chat. */
  get modelId(): number | null {
    return this.session === undefined ? this.pickedModelId : this.session.modelConfigId;
  }

  /** Text typed in the open conversation and not sent yet. */
  get draft(): string {
    return this.drafts[this.draftKey()] ?? '';
  }

  /** Saves the text typed in a conversation; `key` is `draftKey()` from when it was typed. */
  saveDraft(content: string, key = this.draftKey()): void {
    if (content === '') {
      delete this.drafts[key];
    } else {
      this.drafts[key] = content;
    }
    this.persist();
  }

  /** Display names of the model configs by id, rebuilt when the models change. */
  get authors(): ReadonlyMap<number, string> {
    return this.modelNames;
  }

  /** Returns the key of the open conversation's draft. */
  draftKey(): string {
    return this.session === undefined ? NEW_CHAT_DRAFT : String(this.session.id);
  }

  apply(message: ChatHostMessage): void {
    switch (message.type) {
      case 'streamDelta':
        if (this.live?.messageId === message.messageId) {
          this.live.append(message.reasoning, message.content);
        }
        return;
      case 'streamUsage':
        if (this.live?.messageId === message.messageId) {
          this.live.setUsage(message.usage);
        }
        return;
      case 'theme':
        // The page follows the theme through the --vscode-* variables.
        return;
      default:
        this.applyChange(message);
        this.host.requestUpdate();
    }
  }

  /** Shows a new chat, created on the first send. */
  newChat(modelConfigId: number | null = null): void {
    this.closeLive();
    this.session = undefined;
    this.messages = [];
    this.pendingUser = undefined;
    this.activeSessionId = null;
    if (modelConfigId !== null) {
      this.pickedModelId = modelConfigId;
    }
    this.persist();
    this.host.requestUpdate();
  }

  /** Shows `content` as pending and requests the host to send it. */
  send(content: string): void {
    this.pendingUser = content;
    this.post({
      type: 'send',
      sessionId: this.session?.id ?? null,
      modelConfigId: this.session === undefined ? this.pickedModelId : null,
      content,
      stream: this.stream,
    });
    this.saveDraft('');
    this.host.requestUpdate();
  }

  loadMoreSessions(): void {
    this.post({ type: 'loadSessions', query: this.query, page: this.sessionPage + 1 });
  }

  setStream(stream: boolean): void {
    this.stream = stream;
    this.persist();
    this.host.requestUpdate();
  }

  pickModel(modelConfigId: number): void {
    if (this.session === undefined) {
      this.pickedModelId = modelConfigId;
      this.persist();
      this.host.requestUpdate();
    } else {
      this.post({ type: 'setModel', sessionId: this.session.id, modelConfigId });
    }
  }

  dismissNotice(): void {
    this.notice = undefined;
    this.host.requestUpdate();
  }

  private applyChange(message: ChatHostMessage): void {
    switch (message.type) {
      case 'init':
        this.signedIn = message.signedIn;
        this.showFirst(message.show);
        break;
      case 'sessions':
        this.applySessions(message);
        break;
      case 'models':
        this.models = message.models;
        this.modelNames = new Map(this.models.map((model) => [model.id, model.displayName]));
        if (!this.models.some((model) => model.id === this.pickedModelId)) {
          this.pickedModelId = this.models[0]?.id ?? null;
        }
        break;
      case 'conversation':
        this.applyConversation(message);
        break;
      case 'newChat':
        this.newChat(message.modelConfigId);
        break;
      case 'sessionChanged':
        this.upsertSession(message.session);
        break;
      case 'sessionRemoved':
        this.removeSession(message.sessionId);
        break;
      case 'messagesChanged':
        if (message.sessionId === this.session?.id) {
          this.messages = mergeMessages(this.messages, message.upsert, message.remove);
          if (message.upsert.some((item) => item.role === 'user')) {
            this.pendingUser = undefined;
          }
        }
        break;
      case 'busy':
        this.applyBusy(message.sessionId, message.busy);
        break;
      case 'streamStart':
        this.applyStreamStart(message);
        break;
      case 'streamEnd':
        this.applyStreamEnd(message);
        break;
      case 'notice':
        this.notice = { level: message.level, message: message.message };
        break;
      default:
        break;
    }
  }

  private applyStreamStart(message: ChatStreamStartMessage): void {
    if (message.sessionId !== this.session?.id) {
      return;
    }
    this.closeLive();
    const remove = message.replacedMessageId === null ? [] : [message.replacedMessageId];
    const upsert = [message.userMessage, message.assistantMessage];
    this.messages = mergeMessages(this.messages, upsert, remove);
    this.live = new LiveAnswer(message.assistantMessage.id);
    this.pendingUser = undefined;
  }

  private applyStreamEnd(message: ChatStreamEndMessage): void {
    if (message.sessionId !== this.session?.id) {
      return;
    }
    if (this.live?.messageId === message.message.id) {
      this.closeLive();
    }
    this.messages = mergeMessages(this.messages, [message.message]);
  }

  /** Shows the view the host requests, else the session this webview showed last. */
  private showFirst(view: ChatFirstView): void {
    if (this.signedIn !== true) {
      return;
    }
    if (view !== null && 'newChatModelId' in view) {
      this.newChat(view.newChatModelId);
      return;
    }
    const sessionId = view?.sessionId ?? this.activeSessionId;
    if (sessionId !== null && this.session?.id !== sessionId) {
      this.post({ type: 'openSession', sessionId });
    }
  }

  private applySessions(message: ChatSessionsMessage): void {
    this.query = message.query;
    this.sessionTotal = message.total;
    if (message.append) {
      const known = new Set(this.sessions.map((session) => session.id));
      this.sessions = [
        ...this.sessions,
        ...message.sessions.filter((session) => !known.has(session.id)),
      ];
      this.sessionPage += 1;
    } else {
      this.sessions = message.sessions;
      this.sessionPage = 1;
    }
  }

  private applyConversation(message: ChatConversationMessage): void {
    // A first message sent from a new chat stays shown while its session is created.
    const keepPending = this.session === undefined && this.pendingUser !== undefined;
    this.closeLive();
    this.session = message.session;
    this.activeSessionId = message.session.id;
    this.messages = message.messages;
    this.pendingUser = keepPending ? this.pendingUser : undefined;
    if (message.live !== null) {
      const streaming = message.messages.find((item) => item.id === message.live?.messageId);
      this.live = new LiveAnswer(message.live.messageId, {
        content: streaming?.content ?? '',
        reasoning: streaming?.reasoning ?? '',
        reasoningMs: message.live.reasoningMs,
        answering: message.live.answering,
      });
    }
    this.upsertSession(message.session);
    this.persist();
  }

  private applyBusy(sessionId: number | null, busy: boolean): void {
    if (sessionId !== null) {
      if (busy) {
        this.busySessions.add(sessionId);
      } else {
        this.busySessions.delete(sessionId);
      }
    }
    const shown = sessionId === null ? this.session === undefined : sessionId === this.session?.id;
    if (busy || !shown) {
      return;
    }
    if (this.pendingUser !== undefined) {
      // The request ended without the server storing the message, so the text goes back into
      // the message box.
      this.saveDraft(this.pendingUser);
      this.pendingUser = undefined;
    }
    this.closeLive();
  }

  private upsertSession(session: ApiChatSession): void {
    const previous = this.sessions.find((item) => item.id === session.id);
    if (previous === undefined) {
      this.sessions = [session, ...this.sessions];
      this.sessionTotal += 1;
    } else if (previous.lastMessageAt !== session.lastMessageAt) {
      // The list is ordered by last activity, so a session with a new message moves to the top.
      this.sessions = [session, ...this.sessions.filter((item) => item.id !== session.id)];
    } else {
      this.sessions = this.sessions.map((item) => (item.id === session.id ? session : item));
    }
    if (this.session?.id === session.id) {
      this.session = session;
    }
  }

  private removeSession(sessionId: number): void {
    if (this.sessions.some((session) => session.id === sessionId)) {
      this.sessions = this.sessions.filter((session) => session.id !== sessionId);
      this.sessionTotal = Math.max(0, this.sessionTotal - 1);
    }
    delete this.drafts[String(sessionId)];
    if (this.session?.id === sessionId) {
      this.newChat();
    }
  }

  private closeLive(): void {
    this.live?.dispose();
    this.live = undefined;
  }

  private persist(): void {
    this.save({
      activeSessionId: this.activeSessionId,
      stream: this.stream,
      modelConfigId: this.pickedModelId,
      drafts: this.drafts,
    });
  }
}
