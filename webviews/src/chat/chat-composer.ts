import { css, html, LitElement } from 'lit';
import { live } from 'lit/directives/live.js';
import { emit } from './events.js';

/** Tallest the message box grows before it scrolls, in pixels. */
const MAX_HEIGHT_PX = 240;

/**
 * The message box: Enter sends, Shift+Enter adds a line. While an answer is in flight the Send
 * button becomes Stop.
 */
export class ChatComposer extends LitElement {
  static override properties = {
    value: {},
    busy: { type: Boolean },
    disabled: { type: Boolean },
    placeholder: {},
  };

  static override styles = css`
    :host {
      display: flex;
      gap: 0.5rem;
      align-items: flex-end;
      padding: 0.5rem 1rem 0.75rem;
      border-top: 1px solid var(--vscode-widget-border, transparent);
    }
    textarea {
      flex: 1;
      resize: none;
      box-sizing: border-box;
      min-height: 2.2rem;
      padding: 0.45rem 0.6rem;
      font: inherit;
      color: var(--vscode-input-foreground);
      background: var(--vscode-input-background);
      border: 1px solid var(--vscode-input-border, transparent);
      border-radius: 2px;
    }
    textarea:focus {
      outline: 1px solid var(--vscode-focusBorder);
      outline-offset: -1px;
    }
    textarea::placeholder {
      color: var(--vscode-input-placeholderForeground);
    }
  `;

  /** The text in the box; the app restores a draft through it. */
  declare value: string;
  declare busy: boolean;
  declare disabled: boolean;
  declare placeholder: string;

  constructor() {
    super();
    this.value = '';
    this.busy = false;
    this.disabled = false;
    this.placeholder = 'Ask anything (Enter to send, Shift+Enter for a new line)';
  }

  /** Moves the keyboard focus to the message box. */
  override focus(): void {
    this.textarea()?.focus();
  }

  override render() {
    return html`
      <textarea
        rows="1"
        aria-label="Message"
        placeholder=${this.placeholder}
        .value=${live(this.value)}
        ?disabled=${this.disabled}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
      ></textarea>
      ${
        this.busy
          ? html`<vscode-button
              appearance="secondary"
              @click=${() => emit(this, 'composer-stop', {})}
            >
              Stop
            </vscode-button>`
          : html`<vscode-button
              ?disabled=${this.disabled || this.value.trim() === ''}
              @click=${this.send}
            >
              Send
            </vscode-button>`
      }
    `;
  }

  protected override updated(): void {
    this.fitHeight();
  }

  private readonly onInput = (event: Event): void => {
    this.value = (event.target as HTMLTextAreaElement).value;
    emit(this, 'composer-input', { content: this.value });
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    // Enter that ends an IME composition picks the candidate and must not send.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) {
      return;
    }
    event.preventDefault();
    if (!this.busy) {
      this.send();
    }
  };

  private readonly send = (): void => {
    const content = this.value;
    if (this.disabled || content.trim() === '') {
      return;
    }
    this.value = '';
    emit(this, 'composer-send', { content });
  };

  /** Grows the box with its text up to MAX_HEIGHT_PX. */
  private fitHeight(): void {
    const textarea = this.textarea();
    if (textarea === null) {
      return;
    }
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
  }

  private textarea(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('textarea');
  }
}

customElements.define('chat-composer', ChatComposer);

declare global {
  interface HTMLElementTagNameMap {
    'chat-composer': ChatComposer;
  }
}
