import { css, html, LitElement, type PropertyValues } from 'lit';
import './admin-pager.js';
import type { PageRequest } from './admin-pager.js';
import './admin-period.js';
import { messageOf, type AdminApi } from './api.js';
import { formatDateTime } from './format.js';
import { baseStyles } from './theme.js';
import type { AuditEntry, AuditPage, Period } from './types.js';

/** The actions the server records, for the action filter. */
const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.register',
  'auth.register_failed',
  'auth.password_change',
  'auth.password_change_failed',
  'auth.refresh_reuse',
  'user.role_change',
  'user.enable',
  'user.disable',
  'user.delete',
  'user.create_admin',
  'provider.create',
  'provider.update',
  'provider.delete',
  'provider.sync_models',
  'model_config.create',
  'model_config.update',
  'model_config.delete',
  'dataset.create',
  'dataset.delete',
  'chat_session.delete',
  'gpu_host.create',
  'gpu_host.update',
  'gpu_host.delete',
  'gpu_host.pin_host_key',
  'training_task.create',
  'training_task.start',
  'training_task.stop',
  'training_task.resume',
  'training_task.delete',
];

const DAY_MS = 24 * 60 * 60 * 1000;

type LoadedPage = AuditPage & { page: number; pageSize: number };

/**
 * The audit log, newest first: filters by user (id, email or nickname), action and period, and
 * pages. Period changes apply at once; the user and action filters apply on Apply Filters.
 */
export class AdminAudit extends LitElement {
  static override properties = {
    api: { attribute: false },
    period: { attribute: false },
    user: { state: true },
    action: { state: true },
    page: { state: true },
    pageSize: { state: true },
    result: { state: true },
    error: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .details {
        font-size: 0.85rem;
      }
      code {
        font-size: 0.85rem;
      }
    `,
  ];

  declare api: AdminApi;
  declare period: Period;
  declare user: string;
  declare action: string;
  declare page: number;
  declare pageSize: number;
  /** The last page loaded, with the page number and size it was requested with. */
  declare result: LoadedPage | undefined;
  declare error: string;

  private loadCount = 0;

  constructor() {
    super();
    this.user = '';
    this.action = '';
    this.page = 1;
    this.pageSize = 25;
    this.result = undefined;
    this.error = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('period')) {
      this.page = 1;
      void this.load();
    }
  }

  override render() {
    return html`
      <h2>Audit log</h2>
      <form class="filters" @submit=${this.onApply}>
        <label>
          User
          <input name="user" .value=${this.user} placeholder="Id, email or nickname" />
        </label>
        <label>
          Action
          <select name="action">
            <option value="">All actions</option>
            ${AUDIT_ACTIONS.map(
              (action) =>
                html`<option value=${action} ?selected=${action === this.action}>
                  ${action}
                </option>`,
            )}
          </select>
        </label>
        <admin-period .from=${this.period.from} .to=${this.period.to}></admin-period>
        <button type="submit" class="primary">Apply Filters</button>
        <button type="button" @click=${this.onClear}>Clear</button>
      </form>
      <p class="error" role="alert">${this.error}</p>
      ${this.result === undefined ? html`<p class="muted">Loading…</p>` : this.renderTable(this.result)}
    `;
  }

  private renderTable(result: LoadedPage) {
    return html`
      <div class="table-wrap" role="region" aria-label="Audit log entries" tabindex="0">
        <table>
          <caption class="visually-hidden">
            Audit log entries, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            ${
              result.entries.length === 0
                ? html`<tr>
                    <td colspan="6" class="muted">No entries match the filters.</td>
                  </tr>`
                : result.entries.map((entry) => this.renderEntry(entry))
            }
          </tbody>
        </table>
      </div>
      <admin-pager
        .page=${result.page}
        .pageSize=${result.pageSize}
        .total=${result.total}
        noun="entry"
        nounPlural="entries"
        @page-change=${this.onPage}
      ></admin-pager>
    `;
  }

  private renderEntry(entry: AuditEntry) {
    const details = Object.entries(entry.details ?? {})
      .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(', ');
    return html`
      <tr data-action=${entry.action}>
        <td>${formatDateTime(entry.createdAt)}</td>
        <td>${actorText(entry)}</td>
        <td><code>${entry.action}</code></td>
        <td>${entry.targetType === null ? '—' : `${entry.targetType} #${entry.targetId ?? ''}`}</td>
        <td>${entry.ip ?? '—'}</td>
        <td class="details"><span class="long-text">${details}</span></td>
      </tr>
    `;
  }

  private async load() {
    const load = ++this.loadCount;
    const params = new URLSearchParams({
      since: `${this.period.from}T00:00:00.000Z`,
      until: new Date(Date.parse(`${this.period.to}T00:00:00.000Z`) + DAY_MS).toISOString(),
      page: String(this.page),
      pageSize: String(this.pageSize),
    });
    if (this.user !== '') {
      params.set('user', this.user);
    }
    if (this.action !== '') {
      params.set('action', this.action);
    }
    try {
      const result = await this.api.get<AuditPage>(`/api/admin/audit-log?${params}`);
      if (load === this.loadCount) {
        const requested = {
          page: Number(params.get('page')),
          pageSize: Number(params.get('pageSize')),
        };
        this.result = { ...result, ...requested };
        this.error = '';
      }
    } catch (error) {
      if (load === this.loadCount) {
        this.error = messageOf(error);
      }
    }
  }

  private readonly onApply = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.user = (form.elements.namedItem('user') as HTMLInputElement).value.trim();
    this.action = (form.elements.namedItem('action') as HTMLSelectElement).value;
    this.page = 1;
    void this.load();
  };

  private readonly onClear = () => {
    const form = this.renderRoot.querySelector('form');
    form?.reset();
    this.user = '';
    this.action = '';
    this.page = 1;
    void this.load();
  };

  private readonly onPage = (event: CustomEvent<PageRequest>) => {
    this.page = event.detail.page;
    this.pageSize = event.detail.pageSize;
    void this.load();
  };
}

function actorText(entry: AuditEntry): string {
  if (entry.actorId !== null) {
    return `${entry.actorNickname ?? 'Deleted user'} (#${entry.actorId})`;
  }
  return entry.login ?? '—';
}

customElements.define('admin-audit', AdminAudit);

declare global {
  interface HTMLElementTagNameMap {
    'admin-audit': AdminAudit;
  }
}
