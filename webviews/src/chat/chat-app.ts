import { css, html, LitElement, nothing } from 'lit';
import type {
  ChatHostMessage,
  ChatWebviewMessage,
  ChatWebviewState,
} from '../../../shared/src/protocol/chat.js';
import { HostChannel } from '../common/vscodeApi.js';
import './chat-composer.js';
import './chat-message-list.js';
import './chat-session-list.js';
import { ChatState } from './chatState.js';
import type { ChatEventDetails } from './events.js';

/** Pause after the last keystroke before a draft is saved with `setState`, in milliseconds. */
const DRAFT_SAVE_DELAY_MS = 300;

/** The chat panel: the session list beside the open conversation. */
export class ChatApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: minmax(180px, 240px) 1fr;
      height: 100vh;
      color: var(--vscode-foreground);
      font-family: var(--vscode-font-family);
      font-size: var(--vscode-font-size);
    }
    chat-session-list {
      border-right: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
    }
    .conversation {
      display: grid;
      grid-template-rows: auto auto 1fr auto;
      min-width: 0;
      min-height: 0;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      padding: 0.5rem 1rem;
      border-bottom: 1px solid var(--vscode-widget-border, transparent);
    }
    h1 {
      flex: 1;
      margin: 0;
      font-size: 1.05em;
      font-weight: 600;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .notice {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      margin: 0.5rem 1rem 0;
      padding: 0.4rem 0.6rem;
      border: 1px solid var(--vscode-inputValidation-infoBorder);
      background: var(--vscode-inputValidation-infoBackground);
    }
    .notice.error {
      border-color: var(--vscode-inputValidation-errorBorder);
      background: var(--vscode-inputValidation-errorBackground);
    }
    .notice span {
      flex: 1;
    }
    .signed-out {
      grid-column: 1 / -1;
      padding: 2rem;
    }
    @media (max-width: 560px) {
      :host {
        grid-template-columns: 1fr;
      }
      chat-session-list {
        display: none;
      }
    }
  `;

  private readonly channel = new HostChannel<ChatWebviewMessage, ChatWebviewState>();
  private readonly state: ChatState;
  private stopListening: (() => void) | undefined;
  private draftTimer: number | undefined;

  constructor() {
    super();
    this.state = new ChatState(
      this,
      (message) => this.channel.post(message),
      (state) => {
        this.channel.state = state;
      },
      this.channel.state,
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = this.channel.listen<ChatHostMessage>((message) => {
      this.state.apply(message);
    });
    this.channel.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    this.stopListening?.();
    super.disconnectedCallback();
  }

  protected override updated(): void {
    this.syncModelPicker();
    // The dropdown takes new options from a slotchange event after this render, so it is set
    // again once that event had its turn.
    requestAnimationFrame(() => this.syncModelPicker());
  }

  /**
   * Selects the current model in the dropdown. The toolkit's dropdown reads the `selected`
   * attributes of its options only when it first gets them. A model that changes later must be
   * set as its value, as when the model list arrives after a new chat picked its model.
   */
  private syncModelPicker(): void {
    const picker = this.renderRoot.querySelector<HTMLSelectElement>(
      'vscode-dropdown[aria-label="Model"]',
    );
    const modelId = this.state.modelId;
    const expected =
      modelId !== null && this.state.models.some((model) => model.id === modelId)
        ? String(modelId)
        : '';
    if (picker !== null && picker.value !== expected) {
      picker.value = expected;
    }
  }

  override render() {
    const state = this.state;
    if (state.signedIn === false) {
      return html`<div class="signed-out">
        <p>Sign in to your LLM Workbench server to chat with your models.</p>
        <vscode-button @click=${() => this.channel.post({ type: 'signIn' })}>Sign In</vscode-button>
      </div>`;
    }
    return html`
      <chat-session-list
        .sessions=${state.sessions}
        .total=${state.sessionTotal}
        .query=${state.query}
        .activeId=${state.session?.id ?? null}
        @session-open=${this.onSessionOpen}
        @session-new=${() => this.state.newChat()}
        @session-rename=${this.onSessionRename}
        @session-delete=${this.onSessionDelete}
        @session-search=${this.onSessionSearch}
        @session-more=${() => this.state.loadMoreSessions()}
      ></chat-session-list>
      <section class="conversation" aria-label="Conversation">
        ${this.renderHeader()} ${this.renderNotice()}
        <chat-message-list
          .messages=${state.messages}
          .live=${state.live}
          .authors=${state.authors}
          .pendingUser=${state.pendingUser}
          .sessionId=${state.session?.id}
          .busy=${state.busy}
          @message-action=${this.onMessageAction}
          @copy-text=${this.onCopyText}
        ></chat-message-list>
        <chat-composer
          .value=${state.draft}
          .busy=${state.busy}
          .disabled=${state.modelId === null}
          .placeholder=${this.composerPlaceholder()}
          @composer-send=${this.onSend}
          @composer-stop=${this.onStop}
          @composer-input=${this.onComposerInput}
        ></chat-composer>
      </section>
    `;
  }

  private renderHeader() {
    const state = this.state;
    const modelId = state.modelId;
    const known = state.models.some((model) => model.id === modelId);
    return html`<header>
      <h1>${state.session?.title ?? 'New chat'}</h1>
      <vscode-dropdown aria-label="Model" @change=${this.onModelChange}>
        ${known ? nothing : html`<vscode-option value="" selected>Pick a model</vscode-option>`}
        ${state.models.map(
          (model) =>
            html`<vscode-option value=${model.id} ?selected=${model.id === modelId}
              >${model.displayName} · ${model.providerName}</vscode-option
            >`,
        )}
      </vscode-dropdown>
      <vscode-checkbox
        ?checked=${state.stream}
        @change=${(event: Event) => state.setStream((event.target as HTMLInputElement).checked)}
        >Stream</vscode-checkbox
      >
      <vscode-button
        appearance="secondary"
        ?disabled=${state.session === undefined}
        @click=${this.onExport}
        >Export…</vscode-button
      >
    </header>`;
  }

  private renderNotice() {
    const notice = this.state.notice;
    if (notice === undefined) {
      return nothing;
    }
    return html`<div
      class="notice ${notice.level}"
      role=${notice.level === 'error' ? 'alert' : 'status'}
    >
      <span>${notice.message}</span>
      <vscode-button
        appearance="icon"
        aria-label="Dismiss"
        @click=${() => this.state.dismissNotice()}
        >✕</vscode-button
      >
    </div>`;
  }

  private composerPlaceholder(): string {
    if (this.state.models.length === 0) {
      return 'No enabled model configs. Add one in the Providers view.';
    }
    if (this.state.modelId === null) {
      return 'Pick a model for this chat first.';
    }
    return 'Ask anything (Enter to send, Shift+Enter for a new line)';
  }

  private readonly onSessionOpen = (event: CustomEvent<ChatEventDetails['session-open']>) => {
    if (event.detail.sessionId !== this.state.session?.id) {
      this.channel.post({ type: 'openSession', sessionId: event.detail.sessionId });
    }
  };

  private readonly onSessionRename = (event: CustomEvent<ChatEventDetails['session-rename']>) => {
    this.channel.post({ type: 'renameSession', ...event.detail });
  };

  private readonly onSessionDelete = (event: CustomEvent<ChatEventDetails['session-delete']>) => {
    this.channel.post({ type: 'deleteSession', sessionId: event.detail.sessionId });
  };

  private readonly onSessionSearch = (event: CustomEvent<ChatEventDetails['session-search']>) => {
    this.channel.post({ type: 'loadSessions', query: event.detail.query, page: 1 });
  };

  private readonly onModelChange = (event: Event) => {
    const value = Number((event.target as HTMLSelectElement).value);
    if (Number.isInteger(value) && value > 0 && value !== this.state.modelId) {
      this.state.pickModel(value);
    }
  };

  private readonly onExport = () => {
    const session = this.state.session;
    if (session !== undefined) {
      this.channel.post({ type: 'export', sessionId: session.id, format: 'md' });
    }
  };

  private readonly onSend = (event: CustomEvent<ChatEventDetails['composer-send']>) => {
    window.clearTimeout(this.draftTimer);
    this.state.send(event.detail.content);
  };

  private readonly onStop = () => {
    const session = this.state.session;
    if (session !== undefined) {
      this.channel.post({ type: 'stop', sessionId: session.id });
    }
  };

  private readonly onComposerInput = (event: CustomEvent<ChatEventDetails['composer-input']>) => {
    window.clearTimeout(this.draftTimer);
    const key = this.state.draftKey();
    this.draftTimer = window.setTimeout(() => {
      this.state.saveDraft(event.detail.content, key);
    }, DRAFT_SAVE_DELAY_MS);
  };

  private readonly onCopyText = (event: CustomEvent<ChatEventDetails['copy-text']>) => {
    this.channel.post({ type: 'copy', text: event.detail.text });
  };

  private readonly onMessageAction = (event: CustomEvent<ChatEventDetails['message-action']>) => {
    const { action, messageId } = event.detail;
    const session = this.state.session;
    const message = this.state.messages.find((item) => item.id === messageId);
    if (session === undefined || message === undefined) {
      return;
    }
    if (action === 'copy') {
      this.channel.post({ type: 'copy', text: message.content });
    } else if (action === 'regenerate') {
      this.channel.post({
        type: 'regenerate',
        sessionId: session.id,
        messageId,
        stream: this.state.stream,
      });
    } else {
      this.channel.post({ type: 'deleteMessage', sessionId: session.id, messageId });
    }
  };
}

customElements.define('chat-app', ChatApp);

declare global {
  interface HTMLElementTagNameMap {
    'chat-app': ChatApp;
  }
}
