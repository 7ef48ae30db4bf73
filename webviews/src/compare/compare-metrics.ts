import { css, html, LitElement, nothing } from 'lit';
import type { ApiComparisonResult } from '../../../shared/src/api/compare.js';
import { metricRows } from './metrics.js';

/**
 * The table that compares the columns' metrics, one row per metric, with the best value of each
 * row marked by a check mark and bold text, so the mark does not rely on colour alone.
 */
export class CompareMetrics extends LitElement {
  static override properties = {
    results: { attribute: false },
  };

  static override styles = css`
    :host {
      display: block;
      overflow-x: auto;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      padding: 0.3rem 0.6rem;
      border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
      text-align: right;
      white-space: nowrap;
    }
    th:first-child {
      text-align: left;
    }
    tbody th {
      white-space: normal;
      font-weight: normal;
    }
    thead th {
      color: var(--vscode-descriptionForeground);
      font-weight: 600;
    }
    td.best {
      font-weight: 600;
      color: var(--vscode-foreground);
    }
    .mark {
      color: var(--vscode-textLink-foreground);
      margin-left: 0.25rem;
    }
  `;

  /** The result shown in each column, or undefined for a column without one. */
  declare results: (ApiComparisonResult | undefined)[];

  constructor() {
    super();
    this.results = [];
  }

  override render() {
    const present = this.results.filter((result) => result !== undefined);
    if (present.length === 0) {
      return nothing;
    }
    const rows = metricRows(present);
    return html`
      <table aria-label="Metrics">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            ${present.map((result) => html`<th scope="col">${result.modelConfigName}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`
              <tr>
                <th scope="row">${row.label}</th>
                ${row.cells.map((cell, index) =>
                  row.best[index] === true
                    ? html`<td class="best" data-best>
                        ${cell}<span class="mark" title="Best value" aria-label="best">✓</span>
                      </td>`
                    : html`<td>${cell}</td>`,
                )}
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}

customElements.define('compare-metrics', CompareMetrics);

declare global {
  interface HTMLElementTagNameMap {
    'compare-metrics': CompareMetrics;
  }
}
