import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { ApiChatMessage } from '../../../shared/src/api/chat.js';
import { emit } from './events.js';
import { describeMetrics, describeReasoning, reasoningDuration } from './format.js';
import { renderMarkdown } from './markdown.js';

/**
 * True when a message differs in what it shows. The host sends new objects for unchanged messages
 * when it reloads a conversation, and comparing fields keeps those from rendering again.
 */
export function messageChanged(next?: ApiChatMessage, previous?: ApiChatMessage): boolean {
  if (next === previous) {
    return false;
  }
  if (next === undefined || previous === undefined) {
    return true;
  }
  return (
    next.id !== previous.id ||
    next.status !== previous.status ||
    next.content !== previous.content ||
    next.reasoning !== previous.reasoning ||
    next.latencyMs !== previous.latencyMs ||
    next.usage?.completionTokens !== previous.usage?.completionTokens ||
    next.error?.message !== previous.error?.message
  );
}

/**
 * One finished message: the user's text, or the answer's Markdown with its reasoning panel,
 * metrics and actions. Renders into the light DOM, so the message list's stylesheet applies.
 */
export class ChatMessageElement extends LitElement {
  static override properties = {
    message: { attribute: false, hasChanged: messageChanged },
    author: {},
    canRegenerate: { type: Boolean },
    busy: { type: Boolean },
  };

  declare message: ApiChatMessage | undefined;
  /** The name shown above an answer: the model config that wrote it. */
  declare author: string;
  /** True on the session's last answer, the one that regeneration replaces. */
  declare canRegenerate: boolean;
  /** True while the session has a request in flight, which disables changes. */
  declare busy: boolean;

  private contentHtml = '';
  private renderedContent: string | undefined;

  constructor() {
    super();
    this.message = undefined;
    this.author = 'Assistant';
    this.canRegenerate = false;
    this.busy = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const message = this.message;
    if (changed.has('message') && message?.role === 'assistant') {
      if (message.content !== this.renderedContent) {
        this.contentHtml = renderMarkdown(message.content);
        this.renderedContent = message.content;
      }
    }
  }

  override render() {
    const message = this.message;
    if (message === undefined) {
      return nothing;
    }
    const user = message.role === 'user';
    return html`
      <article class="message ${message.role}" data-message-id=${message.id}>
        <div class="message-header">
          <span class="author">${user ? 'You' : this.author}</span>
          ${this.renderStatus(message)}
          ${user ? nothing : html`<span class="metrics">${describeMetrics(message)}</span>`}
        </div>
        ${this.renderReasoning(message)}
        ${
          user
            ? html`<div class="user-text">${message.content}</div>`
            : html`<div class="markdown-body">${unsafeHTML(this.contentHtml)}</div>`
        }
        ${this.renderError(message)} ${this.renderActions(message)}
      </article>
    `;
  }

  private renderStatus(message: ApiChatMessage) {
    if (message.status === 'stopped') {
      return html`<span class="status-badge">Stopped</span>`;
    }
    if (message.status === 'error') {
      return html`<span class="status-badge">Failed</span>`;
    }
    if (message.finishReason === 'length') {
      return html`<span class="status-badge" title="The answer reached the max tokens setting"
        >Cut at max tokens</span
      >`;
    }
    return nothing;
  }

  private renderReasoning(message: ApiChatMessage) {
    if (message.reasoning === null || message.reasoning === '') {
      return nothing;
    }
    const summary = describeReasoning({
      thinking: false,
      ms: reasoningDuration(message),
      reasoning: message.reasoning,
      usage: message.usage,
    });
    return html`
      <details class="reasoning">
        <summary>${summary}</summary>
        <div class="reasoning-text">${message.reasoning}</div>
      </details>
    `;
  }

  private renderError(message: ApiChatMessage) {
    const error = message.error;
    if (error === null) {
      return nothing;
    }
    const detail =
      error.providerMessage !== undefined && error.providerMessage !== error.message
        ? html`<div>${error.providerMessage}</div>`
        : nothing;
    return html`<div class="message-error" role="alert">${error.message}${detail}</div>`;
  }

  private renderActions(message: ApiChatMessage) {
    const action = (name: 'copy' | 'regenerate' | 'delete') => () =>
      emit(this, 'message-action', { action: name, messageId: message.id });
    return html`
      <div class="message-actions">
        <button type="button" class="link-button" data-action="copy" @click=${action('copy')}>
          Copy
        </button>
        ${
          this.canRegenerate
            ? html`<button
                type="button"
                class="link-button"
                data-action="regenerate"
                ?disabled=${this.busy}
                @click=${action('regenerate')}
              >
                Regenerate
              </button>`
            : nothing
        }
        <button
          type="button"
          class="link-button"
          data-action="delete"
          ?disabled=${this.busy}
          @click=${action('delete')}
        >
          Delete
        </button>
      </div>
    `;
  }
}

customElements.define('chat-message', ChatMessageElement);

declare global {
  interface HTMLElementTagNameMap {
    'chat-message': ChatMessageElement;
  }
}
