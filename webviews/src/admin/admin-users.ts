import { css, html, LitElement, nothing } from 'lit';
import type { ApiUser } from '../../../shared/src/api/users.js';
import type { AdminConfirm } from './admin-confirm.js';
import './admin-confirm.js';
import './admin-pager.js';
import type { PageRequest } from './admin-pager.js';
import { messageOf, type AdminApi } from './api.js';
import { formatDateTime } from './format.js';
import { baseStyles } from './theme.js';
import type { UserPage } from './types.js';

type SortField = 'nickname' | 'email' | 'role' | 'isActive' | 'createdAt' | 'lastLoginAt';

/** The user list request: filters, sort order and page. */
interface UserQuery {
  q: string;
  role: '' | 'user' | 'admin';
  active: '' | 'true' | 'false';
  sort: SortField;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

const COLUMNS: { field: SortField; title: string }[] = [
  { field: 'nickname', title: 'Nickname' },
  { field: 'email', title: 'Email' },
  { field: 'role', title: 'Role' },
  { field: 'isActive', title: 'State' },
  { field: 'createdAt', title: 'Created' },
  { field: 'lastLoginAt', title: 'Last sign-in' },
];

const SORT_ARROWS = { asc: '▲', desc: '▼' } as const;

/** Dates sort newest first on the first click, and text and states sort A to Z. */
const DESCENDING_FIRST: readonly SortField[] = ['createdAt', 'lastLoginAt'];

/** Fired when the signed-in admin changed or deleted their own account, with null when deleted. */
export type CurrentUserChangedEvent = CustomEvent<ApiUser | null>;

/**
 * The users table: search, role and state filters, sortable columns and pages, with actions to
 * change a role, enable or disable an account, or delete it after a confirmation. The server's
 * rejections, such as for the last active admin, are shown as they come.
 */
export class AdminUsers extends LitElement {
  static override properties = {
    api: { attribute: false },
    currentUserId: { type: Number },
    query: { state: true },
    result: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      th button {
        border: none;
        background: none;
        padding: 0;
        min-height: 0;
        font-weight: inherit;
        color: inherit;
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      .actions {
        display: flex;
        gap: 0.4rem;
      }
      .badge {
        display: inline-block;
        border-radius: 999px;
        padding: 0 0.55rem;
        font-size: 0.8rem;
        border: 1px solid var(--border);
      }
      .badge.admin {
        background: var(--accent-soft);
        border-color: var(--accent);
      }
      .badge.disabled {
        color: var(--danger);
        border-color: var(--danger);
      }
    `,
  ];

  declare api: AdminApi;
  declare currentUserId: number;
  declare query: UserQuery;
  declare result: UserPage | undefined;
  declare error: string;
  declare notice: string;
  declare busy: boolean;

  private loadCount = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.currentUserId = 0;
    this.query = {
      q: '',
      role: '',
      active: '',
      sort: 'createdAt',
      order: 'desc',
      page: 1,
      pageSize: 25,
    };
    this.result = undefined;
    this.error = '';
    this.notice = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    return html`
      <h2>Users</h2>
      <form class="filters" role="search" @submit=${this.onSearchSubmit}>
        <label>
          Search
          <input
            type="search"
            name="q"
            placeholder="Email or nickname"
            .value=${this.query.q}
            @input=${this.onSearchInput}
          />
        </label>
        <label>
          Role
          <select name="role" @change=${this.onFilter}>
            <option value="">All roles</option>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label>
          State
          <select name="active" @change=${this.onFilter}>
            <option value="">All states</option>
            <option value="true">Active</option>
            <option value="false">Disabled</option>
          </select>
        </label>
      </form>
      <p class="error" role="alert">${this.error}</p>
      <p class="notice" role="status">${this.notice}</p>
      ${this.renderTable()}
      ${
        this.result === undefined
          ? nothing
          : html`<admin-pager
              .page=${this.result.page}
              .pageSize=${this.result.pageSize}
              .total=${this.result.total}
              noun="user"
              nounPlural="users"
              @page-change=${this.onPage}
            ></admin-pager>`
      }
      <admin-confirm></admin-confirm>
    `;
  }

  private renderTable() {
    if (this.result === undefined) {
      return html`<p class="muted">${this.busy ? 'Loading users…' : ''}</p>`;
    }
    return html`
      <div class="table-wrap" role="region" aria-label="Users table" tabindex="0">
        <table aria-busy=${this.busy ? 'true' : 'false'}>
          <caption class="visually-hidden">
            Users, sorted by ${COLUMNS.find((column) => column.field === this.query.sort)?.title}
          </caption>
          <thead>
            <tr>
              ${COLUMNS.map((column) => this.renderHeader(column.field, column.title))}
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            ${
              this.result.users.length === 0
                ? html`<tr>
                    <td colspan=${COLUMNS.length + 1} class="muted">No users match the filters.</td>
                  </tr>`
                : this.result.users.map((user) => this.renderRow(user))
            }
          </tbody>
        </table>
      </div>
    `;
  }

  private renderHeader(field: SortField, title: string) {
    const sorted = this.query.sort === field;
    const direction = this.query.order === 'asc' ? 'ascending' : 'descending';
    return html`
      <th scope="col" aria-sort=${sorted ? direction : 'none'}>
        <button type="button" @click=${() => this.sortBy(field)}>
          ${title}
          <span aria-hidden="true">${sorted ? SORT_ARROWS[this.query.order] : ''}</span>
        </button>
      </th>
    `;
  }

  private renderRow(user: ApiUser) {
    const isAdmin = user.role === 'admin';
    return html`
      <tr data-user=${user.nickname}>
        <th scope="row">${user.nickname}</th>
        <td>${user.email}</td>
        <td><span class="badge ${user.role}">${isAdmin ? 'Admin' : 'User'}</span></td>
        <td>
          <span class="badge ${user.isActive ? '' : 'disabled'}">
            ${user.isActive ? 'Active' : 'Disabled'}
          </span>
        </td>
        <td>${formatDateTime(user.createdAt)}</td>
        <td>${formatDateTime(user.lastLoginAt)}</td>
        <td>
          <div class="actions">
            <button
              ?disabled=${this.busy}
              @click=${() => this.change(user, { role: isAdmin ? 'user' : 'admin' })}
            >
              ${isAdmin ? 'Make User' : 'Make Admin'}<span class="visually-hidden">
                ${user.nickname}</span
              >
            </button>
            <button
              ?disabled=${this.busy}
              @click=${() => this.change(user, { isActive: !user.isActive })}
            >
              ${user.isActive ? 'Disable' : 'Enable'}<span class="visually-hidden">
                ${user.nickname}</span
              >
            </button>
            <button class="danger" ?disabled=${this.busy} @click=${() => this.deleteUser(user)}>
              Delete<span class="visually-hidden"> ${user.nickname}</span>
            </button>
          </div>
        </td>
      </tr>
    `;
  }

  private async load() {
    const load = ++this.loadCount;
    const params = new URLSearchParams({
      sort: this.query.sort,
      order: this.query.order,
      page: String(this.query.page),
      pageSize: String(this.query.pageSize),
    });
    for (const name of ['q', 'role', 'active'] as const) {
      if (this.query[name] !== '') {
        params.set(name, this.query[name]);
      }
    }
    this.busy = true;
    try {
      const result = await this.api.get<UserPage>(`/api/admin/users?${params}`);
      if (load === this.loadCount) {
        this.result = result;
      }
    } catch (error) {
      if (load === this.loadCount) {
        this.error = messageOf(error);
      }
    } finally {
      if (load === this.loadCount) {
        this.busy = false;
      }
    }
  }

  private setQuery(change: Partial<UserQuery>) {
    this.query = { ...this.query, page: 1, ...change };
    this.error = '';
    void this.load();
  }

  /** Sorts by a column, or reverses the order when it is already the sort column. */
  private sortBy(field: SortField) {
    let order: UserQuery['order'] = DESCENDING_FIRST.includes(field) ? 'desc' : 'asc';
    if (this.query.sort === field) {
      order = this.query.order === 'asc' ? 'desc' : 'asc';
    }
    this.setQuery({ sort: field, order });
  }

  private readonly onSearchInput = (event: Event) => {
    const q = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.setQuery({ q }), 300);
  };

  private readonly onSearchSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    clearTimeout(this.searchTimer);
    const input = (event.target as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    this.setQuery({ q: input.value });
  };

  private readonly onFilter = (event: Event) => {
    const select = event.target as HTMLSelectElement;
    if (select.name === 'role') {
      this.setQuery({ role: select.value as UserQuery['role'] });
    } else {
      this.setQuery({ active: select.value as UserQuery['active'] });
    }
  };

  private readonly onPage = (event: CustomEvent<PageRequest>) => {
    this.query = { ...this.query, ...event.detail };
    void this.load();
  };

  private async change(user: ApiUser, change: { role?: 'user' | 'admin'; isActive?: boolean }) {
    const self = user.id === this.currentUserId;
    if (self && !(await this.confirmSelfChange(change))) {
      return;
    }
    await this.act(async () => {
      const { user: changed } = await this.api.patch<{ user: ApiUser }>(
        `/api/admin/users/${user.id}`,
        change,
      );
      this.notice =
        change.role !== undefined
          ? `${changed.nickname} is now ${changed.role === 'admin' ? 'an admin' : 'a user'}.`
          : changed.isActive
            ? `${changed.nickname} is enabled.`
            : `${changed.nickname} is disabled, and their sessions have ended.`;
      if (self) {
        this.emitCurrentUser(changed);
      }
    });
  }

  private async deleteUser(user: ApiUser) {
    const confirmed = await this.confirm().ask({
      title: `Delete ${user.nickname}?`,
      message:
        `This deletes the account ${user.email} and ends its sessions. It cannot be undone; ` +
        'its usage stays in the reports.',
      confirmLabel: 'Delete User',
    });
    if (!confirmed) {
      return;
    }
    await this.act(async () => {
      await this.api.delete(`/api/admin/users/${user.id}`);
      this.notice = `${user.nickname} was deleted.`;
      if (user.id === this.currentUserId) {
        this.emitCurrentUser(null);
      }
    });
  }

  private confirmSelfChange(change: { role?: string; isActive?: boolean }) {
    return this.confirm().ask({
      title: change.role === undefined ? 'Disable your own account?' : 'Give up the admin role?',
      message:
        change.role === undefined
          ? 'You will be signed out and cannot sign in again until another admin enables you.'
          : 'You will lose access to this page until another admin gives the role back.',
      confirmLabel: change.role === undefined ? 'Disable' : 'Make User',
    });
  }

  /** Runs an action, shows its error if any, and reloads the list either way. */
  private async act(action: () => Promise<void>) {
    this.error = '';
    this.notice = '';
    this.busy = true;
    try {
      await action();
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
    await this.load();
  }

  private confirm(): AdminConfirm {
    return this.renderRoot.querySelector('admin-confirm') as AdminConfirm;
  }

  private emitCurrentUser(user: ApiUser | null) {
    this.dispatchEvent(
      new CustomEvent('current-user-changed', { detail: user, bubbles: true, composed: true }),
    );
  }
}

customElements.define('admin-users', AdminUsers);

declare global {
  interface HTMLElementTagNameMap {
    'admin-users': AdminUsers;
  }
}
