import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ApiChatMessage } from '../../../shared/src/api/chat.js';
import './chat-live-message.js';
import './chat-message.js';
import { emit } from './events.js';
import type { LiveAnswer } from './liveAnswer.js';
import { messageStyles } from './messageStyles.js';

/** Messages rendered when a conversation opens, and added each time the user scrolls to the top. */
export const MESSAGE_PAGE = 60;

/** Distance from the bottom, in pixels, within which the list follows new text. */
const STICK_DISTANCE = 48;

/** How far from the top, in pixels, scrolling renders the previous page of messages. */
const LOAD_EARLIER_DISTANCE = 200;

/**
 * The conversation's scrolling list. Only the newest messages are in the DOM at first, and older
 * pages are added as the user scrolls up, so a session of thousands of messages opens as fast as
 * a short one. Each message is its own element, keyed by id, so a change renders only the
 * messages it touched. The list follows the bottom while the user is there.
 */
export class ChatMessageList extends LitElement {
  static override properties = {
    messages: { attribute: false },
    live: { attribute: false },
    authors: { attribute: false },
    pendingUser: { attribute: false },
    sessionId: { attribute: false },
    busy: { type: Boolean },
    windowStart: { state: true },
  };

  static override styles = [
    messageStyles,
    css`
      :host {
        display: block;
        min-height: 0;
      }
      .scroller {
        height: 100%;
        overflow-y: auto;
        overflow-anchor: none;
      }
      .content {
        padding: 0.75rem 1rem 0.25rem;
      }
      chat-message,
      chat-live-message {
        display: block;
      }
      chat-message {
        content-visibility: auto;
        contain-intrinsic-size: auto 120px;
      }
      .earlier,
      .empty {
        text-align: center;
        color: var(--vscode-descriptionForeground);
        margin-bottom: 0.75rem;
      }
      .pending {
        opacity: 0.7;
      }
    `,
  ];

  declare messages: readonly ApiChatMessage[];
  declare live: LiveAnswer | undefined;
  /** Display names of model configs by id, for the header of each answer. */
  declare authors: ReadonlyMap<number, string>;
  /** Text the user sent that the server has not confirmed yet. */
  declare pendingUser: string | undefined;
  declare sessionId: number | undefined;
  declare busy: boolean;
  /** Index of the first rendered message. */
  declare windowStart: number;

  /** Whether the list scrolls with new content, true while the user is at the bottom. */
  private stick = true;
  private readonly resizeObserver = new ResizeObserver(() => this.followBottom());

  constructor() {
    super();
    this.messages = [];
    this.live = undefined;
    this.authors = new Map();
    this.pendingUser = undefined;
    this.sessionId = undefined;
    this.busy = false;
    this.windowStart = 0;
  }

  /** The scrolling element, for tests and for keyboard focus. */
  get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  override disconnectedCallback(): void {
    this.resizeObserver.disconnect();
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('sessionId')) {
      this.windowStart = Math.max(0, this.messages.length - MESSAGE_PAGE);
      this.stick = true;
    } else if (changed.has('messages') && this.windowStart > this.messages.length) {
      this.windowStart = Math.max(0, this.messages.length - MESSAGE_PAGE);
    }
    if (changed.has('pendingUser') && this.pendingUser !== undefined) {
      this.stick = true;
    }
  }

  protected override firstUpdated(): void {
    const content = this.renderRoot.querySelector('.content');
    if (content !== null) {
      this.resizeObserver.observe(content);
    }
  }

  override render() {
    const visible = this.messages.slice(this.windowStart);
    const last = this.messages.at(-1);
    const regenerateId = last?.role === 'assistant' && last.status !== 'streaming' ? last.id : -1;
    return html`
      <div class="scroller" @scroll=${this.onScroll}>
        <div class="content" @click=${this.onContentClick}>
          ${
            this.windowStart > 0
              ? html`<div class="earlier">
                  <button type="button" class="link-button" @click=${this.showEarlier}>
                    Show ${Math.min(MESSAGE_PAGE, this.windowStart)} earlier messages
                  </button>
                </div>`
              : nothing
          }
          ${repeat(
            visible,
            (message) => message.id,
            (message) => this.renderMessage(message, message.id === regenerateId),
          )}
          ${this.renderPending()}
        </div>
      </div>
    `;
  }

  private renderMessage(message: ApiChatMessage, canRegenerate: boolean) {
    const author = this.authorOf(message);
    if (this.live !== undefined && message.id === this.live.messageId) {
      return html`<chat-live-message .live=${this.live} .author=${author}></chat-live-message>`;
    }
    return html`<chat-message
      .message=${message}
      .author=${author}
      .canRegenerate=${canRegenerate}
      .busy=${this.busy}
    ></chat-message>`;
  }

  private renderPending() {
    if (this.pendingUser === undefined) {
      return nothing;
    }
    return html`
      <article class="message user pending">
        <div class="message-header"><span class="author">You</span><span>Sending…</span></div>
        <div class="user-text">${this.pendingUser}</div>
      </article>
    `;
  }

  private authorOf(message: ApiChatMessage): string {
    if (message.modelConfigId !== null) {
      const name = this.authors.get(message.modelConfigId);
      if (name !== undefined) {
        return name;
      }
    }
    return message.modelId ?? 'Assistant';
  }

  private readonly onScroll = (): void => {
    const scroller = this.scroller;
    if (scroller === null) {
      return;
    }
    this.stick =
      scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_DISTANCE;
    if (scroller.scrollTop < LOAD_EARLIER_DISTANCE && this.windowStart > 0) {
      void this.showEarlier();
    }
  };

  /** Renders the previous page of messages and keeps the ones in view where they are. */
  private readonly showEarlier = async (): Promise<void> => {
    const scroller = this.scroller;
    if (scroller === null || this.windowStart === 0) {
      return;
    }
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    this.windowStart = Math.max(0, this.windowStart - MESSAGE_PAGE);
    await this.updateComplete;
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
  };

  private followBottom(): void {
    const scroller = this.scroller;
    if (this.stick && scroller !== null) {
      scroller.scrollTop = scroller.scrollHeight;
    }
  }

  /** Copies a code block when its Copy button is clicked. */
  private readonly onContentClick = (event: Event): void => {
    const button = (event.target as Element | null)?.closest?.('[data-copy-code]');
    const code = button?.closest('.code-block')?.querySelector('pre code');
    if (button === null || button === undefined || code === null || code === undefined) {
      return;
    }
    emit(this, 'copy-text', { text: code.textContent ?? '' });
    button.textContent = 'Copied';
    window.setTimeout(() => {
      button.textContent = 'Copy';
    }, 1500);
  };
}

customElements.define('chat-message-list', ChatMessageList);

declare global {
  interface HTMLElementTagNameMap {
    'chat-message-list': ChatMessageList;
  }
}
