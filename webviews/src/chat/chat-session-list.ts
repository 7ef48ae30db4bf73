import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ApiChatSession } from '../../../shared/src/api/chat.js';
import { emit } from './events.js';
import { formatRelativeTime } from './format.js';

/** Pause after the last keystroke before the search runs, in milliseconds. */
const SEARCH_DELAY_MS = 250;

/** Maximum length of a session title, as the server validates it. */
const MAX_TITLE_LENGTH = 191;

/** The session pane: New Chat, search by title, and the sessions with rename and delete. */
export class ChatSessionList extends LitElement {
  static override properties = {
    sessions: { attribute: false },
    total: { type: Number },
    query: {},
    activeId: { attribute: false },
    editingId: { state: true },
  };

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      min-height: 0;
      padding: 0.5rem;
      box-sizing: border-box;
    }
    vscode-text-field {
      width: 100%;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      overflow-y: auto;
      flex: 1;
    }
    li {
      display: flex;
      align-items: center;
      gap: 0.25rem;
      padding: 0.3rem 0.4rem;
      border-radius: 3px;
      cursor: pointer;
    }
    li:hover {
      background: var(--vscode-list-hoverBackground);
    }
    li.active {
      background: var(--vscode-list-activeSelectionBackground);
      color: var(--vscode-list-activeSelectionForeground);
    }
    li:focus-visible {
      outline: 1px solid var(--vscode-focusBorder);
    }
    .text {
      flex: 1;
      min-width: 0;
    }
    .title,
    .detail {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .detail {
      font-size: 0.85em;
      opacity: 0.75;
    }
    .item-actions {
      display: flex;
      visibility: hidden;
    }
    li:hover .item-actions,
    li:focus-within .item-actions,
    li.active .item-actions {
      visibility: visible;
    }
    .icon-button {
      background: none;
      border: none;
      color: inherit;
      cursor: pointer;
      padding: 0.1rem 0.3rem;
      border-radius: 3px;
      font: inherit;
    }
    .icon-button:hover {
      background: var(--vscode-toolbar-hoverBackground);
    }
    input.rename {
      flex: 1;
      min-width: 0;
      font: inherit;
      color: var(--vscode-input-foreground);
      background: var(--vscode-input-background);
      border: 1px solid var(--vscode-focusBorder);
      padding: 0.1rem 0.3rem;
    }
    .empty {
      color: var(--vscode-descriptionForeground);
      text-align: center;
    }
    .more {
      background: none;
      border: none;
      color: var(--vscode-textLink-foreground);
      cursor: pointer;
      font: inherit;
    }
  `;

  declare sessions: readonly ApiChatSession[];
  /** Sessions that match the search on the server, loaded or not. */
  declare total: number;
  declare query: string;
  declare activeId: number | null;
  /** The session whose title is being edited. */
  declare editingId: number | null;

  private searchTimer: number | undefined;

  constructor() {
    super();
    this.sessions = [];
    this.total = 0;
    this.query = '';
    this.activeId = null;
    this.editingId = null;
  }

  override render() {
    return html`
      <vscode-button @click=${() => emit(this, 'session-new', {})}>New Chat</vscode-button>
      <vscode-text-field
        placeholder="Search chats"
        aria-label="Search chats by title"
        .value=${this.query}
        @input=${this.onSearchInput}
      ></vscode-text-field>
      <ul role="listbox" aria-label="Chat sessions">
        ${repeat(
          this.sessions,
          (session) => session.id,
          (session) => this.renderSession(session),
        )}
      </ul>
      ${
        this.sessions.length < this.total
          ? html`<button type="button" class="more" @click=${() => emit(this, 'session-more', {})}>
              Show more (${this.total - this.sessions.length})
            </button>`
          : nothing
      }
      ${
        this.sessions.length === 0
          ? html`<p class="empty">
              ${this.query === '' ? 'No chats yet.' : 'No chat titles match.'}
            </p>`
          : nothing
      }
    `;
  }

  private renderSession(session: ApiChatSession) {
    const title = session.title ?? 'New chat';
    const active = session.id === this.activeId;
    if (session.id === this.editingId) {
      return html`<li class=${active ? 'active' : ''} data-session-id=${session.id}>
        <input
          class="rename"
          aria-label="New title"
          maxlength=${MAX_TITLE_LENGTH}
          .value=${session.title ?? ''}
          @keydown=${(event: KeyboardEvent) => this.onRenameKey(event, session)}
          @blur=${(event: FocusEvent) => this.commitRename(event.target as HTMLInputElement, session)}
        />
      </li>`;
    }
    const model = session.modelConfigName ?? 'model deleted';
    return html`<li
      class=${active ? 'active' : ''}
      role="option"
      aria-selected=${active ? 'true' : 'false'}
      tabindex="0"
      data-session-id=${session.id}
      @click=${() => emit(this, 'session-open', { sessionId: session.id })}
      @keydown=${(event: KeyboardEvent) => this.onItemKey(event, session)}
    >
      <div class="text">
        <div class="title">${title}</div>
        <div class="detail">${model} · ${formatRelativeTime(session.lastMessageAt)}</div>
      </div>
      <span class="item-actions">
        <button
          type="button"
          class="icon-button"
          data-action="rename"
          title="Rename"
          aria-label="Rename ${title}"
          @click=${(event: Event) => this.startRename(event, session)}
        >
          ✎
        </button>
        <button
          type="button"
          class="icon-button"
          data-action="delete"
          title="Delete"
          aria-label="Delete ${title}"
          @click=${(event: Event) => {
            event.stopPropagation();
            emit(this, 'session-delete', { sessionId: session.id });
          }}
        >
          ✕
        </button>
      </span>
    </li>`;
  }

  private readonly onSearchInput = (event: Event): void => {
    const query = (event.target as HTMLInputElement).value;
    window.clearTimeout(this.searchTimer);
    this.searchTimer = window.setTimeout(() => {
      emit(this, 'session-search', { query: query.trim() });
    }, SEARCH_DELAY_MS);
  };

  private onItemKey(event: KeyboardEvent, session: ApiChatSession): void {
    if (event.target !== event.currentTarget) {
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      emit(this, 'session-open', { sessionId: session.id });
    } else if (event.key === 'F2') {
      this.startRename(event, session);
    } else if (event.key === 'Delete') {
      emit(this, 'session-delete', { sessionId: session.id });
    }
  }

  private startRename(event: Event, session: ApiChatSession): void {
    event.stopPropagation();
    this.editingId = session.id;
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('input.rename');
      input?.focus();
      input?.select();
    });
  }

  private onRenameKey(event: KeyboardEvent, session: ApiChatSession): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.commitRename(event.target as HTMLInputElement, session);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.editingId = null;
    }
  }

  /** Sends the new title when it is not empty and differs; blur after Enter finds nothing to do. */
  private commitRename(input: HTMLInputElement, session: ApiChatSession): void {
    if (this.editingId !== session.id) {
      return;
    }
    this.editingId = null;
    const title = input.value.replace(/\s+/g, ' ').trim();
    if (title !== '' && title !== session.title) {
      emit(this, 'session-rename', { sessionId: session.id, title });
    }
  }
}

customElements.define('chat-session-list', ChatSessionList);

declare global {
  interface HTMLElementTagNameMap {
    'chat-session-list': ChatSessionList;
  }
}
