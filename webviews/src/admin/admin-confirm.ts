import { css, html, LitElement } from 'lit';
import { baseStyles } from './theme.js';

/** The title and message of a confirmation and the label of its confirm button. */
export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
}

/**
 * A modal confirmation on the native `<dialog>`, which keeps focus inside and closes on Escape.
 * `ask` resolves true when the user confirms and false when they cancel.
 */
export class AdminConfirm extends LitElement {
  static override properties = {
    request: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      dialog {
        border: 1px solid var(--border);
        border-radius: 10px;
        background: var(--bg);
        color: var(--fg);
        padding: 1.25rem;
        width: min(28rem, calc(100vw - 2rem));
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 45%);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 1rem;
      }
    `,
  ];

  declare request: ConfirmRequest | undefined;

  private resolve: ((confirmed: boolean) => void) | undefined;

  constructor() {
    super();
    this.request = undefined;
  }

  async ask(request: ConfirmRequest): Promise<boolean> {
    this.resolve?.(false);
    this.request = request;
    await this.updateComplete;
    this.dialog().showModal();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  override render() {
    return html`
      <dialog aria-labelledby="confirm-title" @close=${this.onClose}>
        <h2 id="confirm-title">${this.request?.title}</h2>
        <p>${this.request?.message}</p>
        <form method="dialog" class="actions">
          <button value="cancel" autofocus>Cancel</button>
          <button value="confirm" class="danger primary">${this.request?.confirmLabel}</button>
        </form>
      </dialog>
    `;
  }

  private dialog(): HTMLDialogElement {
    return this.renderRoot.querySelector('dialog') as HTMLDialogElement;
  }

  private readonly onClose = () => {
    const confirmed = this.dialog().returnValue === 'confirm';
    this.dialog().returnValue = '';
    this.resolve?.(confirmed);
    this.resolve = undefined;
  };
}

customElements.define('admin-confirm', AdminConfirm);

declare global {
  interface HTMLElementTagNameMap {
    'admin-confirm': AdminConfirm;
  }
}
