import { css, html, LitElement } from 'lit';
import type { TokenResponse } from '../../../shared/src/api/users.js';
import { messageOf, type AdminApi } from './api.js';
import { baseStyles } from './theme.js';

/** Fired with the new session after a successful sign-in. */
export type SignedInEvent = CustomEvent<TokenResponse>;

/** The sign-in form: email or nickname and password. Fires `signed-in`. */
export class AdminSignIn extends LitElement {
  static override properties = {
    api: { attribute: false },
    notice: {},
    error: { state: true },
    busy: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 22rem;
        margin: 3rem auto;
      }
      form {
        display: grid;
        gap: 0.9rem;
        border: 1px solid var(--border);
        border-radius: 10px;
        padding: 1.5rem;
        background: var(--surface);
      }
      label {
        display: grid;
      }
      .notice {
        color: var(--muted);
      }
    `,
  ];

  declare api: AdminApi;
  declare notice: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.notice = '';
    this.error = '';
    this.busy = false;
  }

  override render() {
    return html`
      <form @submit=${this.onSubmit}>
        <h2>Sign In</h2>
        <p class="notice" role="status">${this.notice}</p>
        <label>
          Email or nickname
          <input name="login" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <p class="error" role="alert">${this.error}</p>
        <button type="submit" class="primary" ?disabled=${this.busy}>Sign In</button>
      </form>
    `;
  }

  private readonly onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    void this.signIn(field('login'), field('password'));
  };

  private async signIn(login: string, password: string) {
    this.busy = true;
    this.error = '';
    try {
      const session = await this.api.logIn(login, password);
      this.dispatchEvent(
        new CustomEvent<TokenResponse>('signed-in', {
          detail: session,
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('admin-sign-in', AdminSignIn);

declare global {
  interface HTMLElementTagNameMap {
    'admin-sign-in': AdminSignIn;
  }
}
