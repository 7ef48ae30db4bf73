import { css, html, LitElement } from 'lit';
import type { ApiUser } from '../../../shared/src/api/users.js';
import { AdminApi, ApiError } from './api.js';

type UserCounts = Record<string, number>;

/** The admin page: sign-in, then the signed-in admin and the user counts. */
export class AdminApp extends LitElement {
  static override properties = {
    user: { state: true },
    counts: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      max-width: 720px;
      margin: 2rem auto;
      font-family: system-ui, sans-serif;
      color: #1f2328;
    }
    form {
      display: grid;
      gap: 0.75rem;
      max-width: 320px;
    }
    label {
      display: grid;
      gap: 0.25rem;
    }
    .error {
      color: #b42318;
    }
    dl {
      display: grid;
      grid-template-columns: max-content max-content;
      gap: 0.25rem 1rem;
    }
  `;

  declare user: ApiUser | undefined;
  declare counts: UserCounts | undefined;
  declare error: string;
  declare busy: boolean;

  private readonly api = new AdminApi();

  constructor() {
    super();
    this.user = undefined;
    this.counts = undefined;
    this.error = '';
    this.busy = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      const session = await this.api.resume();
      if (session !== undefined) {
        await this.showSession(session.user);
      }
    });
  }

  override render() {
    if (this.user === undefined) {
      return html`
        <h1>LLM Workbench admin</h1>
        <form @submit=${this.onSubmit}>
          <label>Email or nickname <input name="login" autocomplete="username" required /></label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit" ?disabled=${this.busy}>Sign In</button>
          <p class="error" role="alert">${this.error}</p>
        </form>
      `;
    }
    return html`
      <h1>LLM Workbench admin</h1>
      <p>
        Signed in as <strong>${this.user.nickname}</strong> (${this.user.role})
        <button @click=${this.onSignOut}>Sign Out</button>
      </p>
      <p class="error" role="alert">${this.error}</p>
      ${
        this.counts === undefined
          ? html``
          : html`<h2>Users</h2>
              <dl>
                ${Object.entries(this.counts).map(
                  ([name, value]) =>
                    html`<dt>${name}</dt>
                      <dd data-count=${name}>${value}</dd>`,
                )}
              </dl>`
      }
    `;
  }

  private readonly onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    void this.run(async () => {
      const session = await this.api.logIn(field('login'), field('password'));
      await this.showSession(session.user);
    });
  };

  private readonly onSignOut = () => {
    void this.run(async () => {
      await this.api.logOut();
      this.user = undefined;
      this.counts = undefined;
    });
  };

  private async showSession(user: ApiUser) {
    this.user = user;
    if (user.role !== 'admin') {
      this.error = 'This account is not an admin; the admin page needs the admin role.';
      return;
    }
    const stats = await this.api.get<{ users: UserCounts }>('/api/admin/stats');
    this.counts = stats.users;
  }

  private async run(task: () => Promise<void>) {
    this.busy = true;
    this.error = '';
    try {
      await task();
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : 'The server could not be reached.';
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('admin-app', AdminApp);

declare global {
  interface HTMLElementTagNameMap {
    'admin-app': AdminApp;
  }
}
