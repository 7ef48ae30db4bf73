import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import './admin-period.js';
import { messageOf, type AdminApi } from './api.js';
import { formatCost, formatCount, formatInteger, formatLatency } from './format.js';
import { baseStyles } from './theme.js';
import type { Dashboard, Period, RecordCount } from './types.js';

/** Labels of the record counts the server may return. Other keys are shown as they are. */
const RECORD_NAMES: Record<string, string> = {
  chatSessions: 'Chat sessions',
  comparisons: 'Comparisons',
  datasets: 'Datasets',
  trainingTasks: 'Training tasks',
};

/** One figure on a card: its label, value and the key tests and styles find it by. */
interface Figure {
  key: string;
  label: string;
  value: string;
  note?: string;
}

/**
 * The dashboard: user counts, usage totals in the chosen period, and the record counts of the
 * features whose tables exist on the server.
 */
export class AdminDashboard extends LitElement {
  static override properties = {
    api: { attribute: false },
    period: { attribute: false },
    data: { state: true },
    error: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      section {
        margin-bottom: 1.5rem;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(9.5rem, 100%), 1fr));
        gap: 0.75rem;
        margin: 0;
      }
      .card {
        border: 1px solid var(--border);
        border-radius: 8px;
        padding: 0.75rem 1rem;
        background: var(--surface);
      }
      dt {
        color: var(--muted);
        font-size: 0.85rem;
      }
      dd {
        margin: 0.2rem 0 0;
        font-size: 1.5rem;
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .day {
        white-space: nowrap;
      }
      .note {
        display: block;
        font-size: 0.8rem;
        font-weight: 400;
        color: var(--muted);
      }
    `,
  ];

  declare api: AdminApi;
  declare period: Period;
  declare data: Dashboard | undefined;
  declare error: string;

  private loadCount = 0;

  constructor() {
    super();
    this.data = undefined;
    this.error = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('period')) {
      void this.load();
    }
  }

  override render() {
    return html`
      <h2>Dashboard</h2>
      <div class="filters">
        <admin-period .from=${this.period.from} .to=${this.period.to}></admin-period>
      </div>
      <p class="error" role="alert">${this.error}</p>
      ${this.data === undefined ? html`<p class="muted">Loading…</p>` : this.renderData(this.data)}
    `;
  }

  private renderData(data: Dashboard) {
    const users = data.users;
    const usage = data.usage;
    const records = Object.entries(data.records);
    return html`
      <section aria-labelledby="users-heading">
        <h3 id="users-heading">Users</h3>
        ${this.renderFigures([
          { key: 'users.total', label: 'Total', value: formatInteger(users.total ?? 0) },
          { key: 'users.active', label: 'Active', value: formatInteger(users.active ?? 0) },
          { key: 'users.disabled', label: 'Disabled', value: formatInteger(users.disabled ?? 0) },
          { key: 'users.admins', label: 'Admins', value: formatInteger(users.admins ?? 0) },
        ])}
      </section>
      <section aria-labelledby="usage-heading">
        <h3 id="usage-heading">
          Usage from <span class="day">${data.period.from}</span> to
          <span class="day">${data.period.to}</span>
        </h3>
        ${this.renderFigures([
          {
            key: 'usage.requests',
            label: 'Requests',
            value: formatInteger(usage.requests),
            note: `${formatInteger(usage.failedRequests)} failed`,
          },
          {
            key: 'usage.tokens',
            label: 'Tokens',
            value: formatInteger(usage.totalTokens),
            note:
              `${formatInteger(usage.promptTokens)} prompt, ` +
              `${formatInteger(usage.completionTokens)} completion`,
          },
          {
            key: 'usage.cost',
            label: 'Cost',
            value: formatCost(usage.cost),
            ...(usage.unpricedRequests > 0
              ? { note: `${formatCount(usage.unpricedRequests, 'request')} without a price` }
              : {}),
          },
          {
            key: 'usage.latency',
            label: 'Average latency',
            value: formatLatency(usage.avgLatencyMs),
          },
        ])}
      </section>
      ${
        records.length === 0
          ? nothing
          : html`<section aria-labelledby="records-heading">
              <h3 id="records-heading">Records, all time</h3>
              ${this.renderFigures(records.map(([key, count]) => recordFigure(key, count)))}
            </section>`
      }
    `;
  }

  private renderFigures(figures: Figure[]) {
    return html`
      <dl>
        ${figures.map(
          (figure) => html`
            <div class="card" data-figure=${figure.key}>
              <dt>${figure.label}</dt>
              <dd>
                ${figure.value}
                ${figure.note === undefined ? nothing : html`<span class="note">${figure.note}</span>`}
              </dd>
            </div>
          `,
        )}
      </dl>
    `;
  }

  private async load() {
    const load = ++this.loadCount;
    const { from, to } = this.period;
    try {
      const data = await this.api.get<Dashboard>(`/api/admin/dashboard?from=${from}&to=${to}`);
      if (load === this.loadCount) {
        this.data = data;
        this.error = '';
      }
    } catch (error) {
      if (load === this.loadCount) {
        this.error = messageOf(error);
      }
    }
  }
}

function recordFigure(key: string, count: RecordCount): Figure {
  const states = Object.entries(count.byState ?? {});
  return {
    key: `records.${key}`,
    label: RECORD_NAMES[key] ?? key,
    value: formatInteger(count.total),
    ...(states.length === 0
      ? {}
      : { note: states.map(([state, n]) => `${formatInteger(n)} ${state}`).join(', ') }),
  };
}

customElements.define('admin-dashboard', AdminDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'admin-dashboard': AdminDashboard;
  }
}
