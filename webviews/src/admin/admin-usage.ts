import { css, html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import './admin-bar-chart.js';
import type { Bar } from './admin-bar-chart.js';
import './admin-period.js';
import { messageOf, type AdminApi } from './api.js';
import { formatCost, formatCount, formatDay, formatInteger } from './format.js';
import { baseStyles } from './theme.js';
import type { GpuHoursReport, Period, UsageReport, UsageTotals } from './types.js';
import { dayTable, gpuTable, modelName, modelTable, userName, userTable } from './usage-tables.js';

type Metric = 'cost' | 'totalTokens' | 'requests';

const METRICS: { value: Metric; label: string }[] = [
  { value: 'cost', label: 'Cost' },
  { value: 'totalTokens', label: 'Tokens' },
  { value: 'requests', label: 'Requests' },
];

type Breakdown = 'model' | 'user' | 'day';

/**
 * Usage and cost in the chosen period by day, by model and by user: a bar chart of the chosen
 * metric and a table of every figure for each, each exportable as CSV, and GPU hours.
 */
export class AdminUsage extends LitElement {
  static override properties = {
    api: { attribute: false },
    period: { attribute: false },
    metric: { state: true },
    report: { state: true },
    gpu: { state: true },
    error: { state: true },
    exporting: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      section {
        margin-bottom: 2rem;
      }
      .section-head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        justify-content: space-between;
        gap: 0.5rem;
        margin-bottom: 0.5rem;
      }
      .section-head h3 {
        margin: 0;
      }
      admin-bar-chart {
        margin-bottom: 0.75rem;
      }
      .days {
        max-height: 22rem;
        overflow-y: auto;
      }
      .summary {
        margin: 0 0 1.25rem;
        color: var(--muted);
      }
      .summary strong {
        color: var(--fg);
      }
    `,
  ];

  declare api: AdminApi;
  declare period: Period;
  declare metric: Metric;
  declare report: UsageReport | undefined;
  declare gpu: GpuHoursReport | undefined;
  declare error: string;
  declare exporting: boolean;

  private loadCount = 0;

  constructor() {
    super();
    this.metric = 'cost';
    this.report = undefined;
    this.gpu = undefined;
    this.error = '';
    this.exporting = false;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('period')) {
      void this.load();
    }
  }

  override render() {
    return html`
      <h2>Usage and cost</h2>
      <div class="filters">
        <admin-period .from=${this.period.from} .to=${this.period.to}></admin-period>
        <label>
          Chart
          <select @change=${this.onMetric}>
            ${METRICS.map(
              (metric) =>
                html`<option value=${metric.value} ?selected=${metric.value === this.metric}>
                  ${metric.label}
                </option>`,
            )}
          </select>
        </label>
      </div>
      <p class="error" role="alert">${this.error}</p>
      ${this.report === undefined ? html`<p class="muted">Loading…</p>` : this.renderReport(this.report)}
    `;
  }

  private renderReport(report: UsageReport) {
    const totals = report.totals;
    return html`
      <p class="summary" data-summary>
        <strong>${formatInteger(totals.requests)}</strong> requests,
        <strong>${formatInteger(totals.totalTokens)}</strong> tokens and
        <strong>${formatCost(totals.cost)}</strong> from ${report.period.from} to
        ${report.period.to}${
          totals.unpricedRequests > 0
            ? `; ${formatCount(totals.unpricedRequests, 'request')} without a price ${totals.unpricedRequests === 1 ? 'is' : 'are'} not in the cost`
            : ''
        }.
      </p>
      ${this.renderSection(
        'day',
        'By day',
        html`<admin-bar-chart
            orientation="vertical"
            label=${`${this.metricLabel()} by day`}
            .bars=${report.byDay.map((row) => this.bar(formatDay(row.day), row))}
          ></admin-bar-chart>
          <div class="days">${dayTable(report.byDay, totals)}</div>`,
      )}
      ${this.renderSection(
        'model',
        'By model',
        html`<admin-bar-chart
            label=${`${this.metricLabel()} by model`}
            .bars=${report.byModel.map((row) => this.bar(modelName(row), row))}
          ></admin-bar-chart>
          ${modelTable(report.byModel, totals)}`,
      )}
      ${this.renderSection(
        'user',
        'By user',
        html`<admin-bar-chart
            label=${`${this.metricLabel()} by user`}
            .bars=${report.byUser.map((row) => this.bar(userName(row), row))}
          ></admin-bar-chart>
          ${userTable(report.byUser, totals)}`,
      )}
      <section aria-labelledby="gpu-heading">
        <div class="section-head"><h3 id="gpu-heading">GPU hours</h3></div>
        ${this.gpu === undefined ? '' : gpuTable(this.gpu.gpuHours)}
      </section>
    `;
  }

  private renderSection(by: Breakdown, title: string, content: TemplateResult) {
    return html`
      <section aria-labelledby="${by}-heading">
        <div class="section-head">
          <h3 id="${by}-heading">${title}</h3>
          <button ?disabled=${this.exporting} @click=${() => this.export(by)}>
            Export CSV<span class="visually-hidden"> of usage ${title.toLowerCase()}</span>
          </button>
        </div>
        ${content}
      </section>
    `;
  }

  private metricLabel(): string {
    return METRICS.find((metric) => metric.value === this.metric)?.label ?? '';
  }

  private bar(label: string, row: UsageTotals): Bar {
    const value = row[this.metric];
    const text = this.metric === 'cost' ? formatCost(value) : formatInteger(value);
    return { label, value, text };
  }

  private readonly onMetric = (event: Event) => {
    this.metric = (event.target as HTMLSelectElement).value as Metric;
  };

  private async load() {
    const load = ++this.loadCount;
    const query = `from=${this.period.from}&to=${this.period.to}`;
    try {
      const [report, gpu] = await Promise.all([
        this.api.get<UsageReport>(`/api/admin/usage?${query}`),
        this.api.get<GpuHoursReport>(`/api/admin/usage/gpu-hours?${query}`),
      ]);
      if (load === this.loadCount) {
        this.report = report;
        this.gpu = gpu;
        this.error = '';
      }
    } catch (error) {
      if (load === this.loadCount) {
        this.error = messageOf(error);
      }
    }
  }

  private async export(by: Breakdown) {
    const { from, to } = this.period;
    this.exporting = true;
    this.error = '';
    try {
      const file = await this.api.download(
        `/api/admin/usage/export?by=${by}&from=${from}&to=${to}`,
        `usage-by-${by}.csv`,
      );
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      this.renderRoot.appendChild(link);
      link.click();
      link.remove();
      // Revoking at once could cancel a download that has not read the blob yet.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.exporting = false;
    }
  }
}

customElements.define('admin-usage', AdminUsage);

declare global {
  interface HTMLElementTagNameMap {
    'admin-usage': AdminUsage;
  }
}
