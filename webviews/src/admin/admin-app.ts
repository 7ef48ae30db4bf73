import { css, html, LitElement, nothing } from 'lit';
import type { ApiUser, TokenResponse } from '../../../shared/src/api/users.js';
import './admin-audit.js';
import './admin-dashboard.js';
import { lastDays } from './admin-period.js';
import './admin-sign-in.js';
import './admin-usage.js';
import './admin-users.js';
import { AdminApi, messageOf } from './api.js';
import { baseStyles, themeColors } from './theme.js';
import type { Period } from './types.js';

const VIEWS = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'users', title: 'Users' },
  { id: 'usage', title: 'Usage' },
  { id: 'audit', title: 'Audit Log' },
] as const;

type ViewId = (typeof VIEWS)[number]['id'];

/**
 * The admin page: restores the session from the refresh cookie or shows the sign-in form, then
 * shows one section at a time, chosen by the URL fragment (#users). Accounts without the admin
 * role get a message and a Sign Out button only. The period is shared by the sections that use
 * one.
 */
export class AdminApp extends LitElement {
  static override properties = {
    user: { state: true },
    starting: { state: true },
    notice: { state: true },
    error: { state: true },
    view: { state: true },
    period: { state: true },
  };

  static override styles = [
    themeColors,
    baseStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--bg);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1.5rem;
        padding: 0.75rem 1.5rem;
        border-bottom: 1px solid var(--border);
        background: var(--surface);
      }
      h1 {
        font-size: 1.1rem;
        margin: 0;
      }
      nav ul {
        display: flex;
        gap: 0.25rem;
        list-style: none;
        margin: 0;
        padding: 0;
        overflow-x: auto;
      }
      nav a {
        display: block;
        padding: 0.35rem 0.75rem;
        border-radius: 6px;
        color: var(--fg);
        text-decoration: none;
        white-space: nowrap;
      }
      nav a:hover {
        background: var(--accent-soft);
      }
      nav a[aria-current='page'] {
        background: var(--accent);
        color: var(--accent-fg);
      }
      .account {
        margin-left: auto;
        display: flex;
        align-items: center;
        gap: 0.75rem;
        color: var(--muted);
      }
      main {
        padding: 1.25rem 1.5rem 3rem;
        max-width: 1400px;
        margin: 0 auto;
      }
      main:focus {
        outline: none;
      }
      .refused {
        max-width: 36rem;
      }
      @media (max-width: 600px) {
        header,
        main {
          padding-left: 0.75rem;
          padding-right: 0.75rem;
        }
        nav {
          order: 3;
          width: 100%;
        }
      }
    `,
  ];

  declare user: ApiUser | undefined;
  declare starting: boolean;
  declare notice: string;
  declare error: string;
  declare view: ViewId;
  declare period: Period;

  private readonly api = new AdminApi();

  constructor() {
    super();
    this.user = undefined;
    this.starting = true;
    this.notice = '';
    this.error = '';
    this.view = viewOfHash();
    this.period = lastDays(30);
    this.api.onSessionEnd = () => {
      this.user = undefined;
      this.notice = 'Your session has ended; sign in again.';
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    void this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  override render() {
    return html`
      <header>
        <h1>LLM Workbench admin</h1>
        ${this.user?.role === 'admin' ? this.renderNav() : nothing}
        ${
          this.user === undefined
            ? nothing
            : html`<div class="account">
                <span>Signed in as <strong>${this.user.nickname}</strong></span>
                <button @click=${this.onSignOut}>Sign Out</button>
              </div>`
        }
      </header>
      <main tabindex="-1">${this.renderMain()}</main>
    `;
  }

  private renderNav() {
    return html`
      <nav aria-label="Admin sections">
        <ul>
          ${VIEWS.map(
            (view) => html`
              <li>
                <a href="#${view.id}" aria-current=${view.id === this.view ? 'page' : 'false'}>
                  ${view.title}
                </a>
              </li>
            `,
          )}
        </ul>
      </nav>
    `;
  }

  private renderMain() {
    if (this.starting) {
      return html`<p class="muted">Loading…</p>`;
    }
    if (this.user === undefined) {
      return html`
        <p class="error" role="alert">${this.error}</p>
        <admin-sign-in
          .api=${this.api}
          notice=${this.notice}
          @signed-in=${this.onSignedIn}
        ></admin-sign-in>
      `;
    }
    if (this.user.role !== 'admin') {
      return html`
        <div class="refused" role="alert">
          <h2>Admins only</h2>
          <p>
            ${this.user.nickname} does not have the admin role, so this page shows nothing for this
            account. Ask an admin to make you one, or sign out and sign in as an admin.
          </p>
        </div>
      `;
    }
    return this.renderView();
  }

  private renderView() {
    const onPeriod = (event: CustomEvent<Period>) => {
      this.period = event.detail;
    };
    switch (this.view) {
      case 'dashboard':
        return html`<admin-dashboard
          .api=${this.api}
          .period=${this.period}
          @period-change=${onPeriod}
        ></admin-dashboard>`;
      case 'users':
        return html`<admin-users
          .api=${this.api}
          .currentUserId=${this.user?.id ?? 0}
          @current-user-changed=${this.onCurrentUserChanged}
        ></admin-users>`;
      case 'usage':
        return html`<admin-usage
          .api=${this.api}
          .period=${this.period}
          @period-change=${onPeriod}
        ></admin-usage>`;
      case 'audit':
        return html`<admin-audit
          .api=${this.api}
          .period=${this.period}
          @period-change=${onPeriod}
        ></admin-audit>`;
    }
  }

  private async resume() {
    try {
      const session = await this.api.resume();
      this.user = session?.user;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.starting = false;
    }
  }

  private readonly onSignedIn = (event: CustomEvent<TokenResponse>) => {
    this.notice = '';
    this.error = '';
    this.user = event.detail.user;
    // The form that had focus is gone; moving focus to the new content lets keyboard and screen
    // reader users continue from there.
    void this.updateComplete.then(() => this.renderRoot.querySelector('main')?.focus());
  };

  private readonly onSignOut = () => {
    void this.api
      .logOut()
      .catch(() => undefined)
      .finally(() => {
        this.user = undefined;
        this.notice = 'You are signed out.';
      });
  };

  private readonly onCurrentUserChanged = (event: CustomEvent<ApiUser | null>) => {
    const user = event.detail;
    if (user === null || !user.isActive) {
      this.api.forget();
      this.user = undefined;
      this.notice = user === null ? 'Your account was deleted.' : 'Your account is disabled.';
      return;
    }
    this.user = user;
  };

  private readonly onHashChange = () => {
    this.view = viewOfHash();
  };
}

function viewOfHash(): ViewId {
  const id = window.location.hash.slice(1);
  return VIEWS.find((view) => view.id === id)?.id ?? 'dashboard';
}

customElements.define('admin-app', AdminApp);

declare global {
  interface HTMLElementTagNameMap {
    'admin-app': AdminApp;
  }
}
