// The tables of the usage view: usage by model, by user and by day, and GPU hours.
import { html, type TemplateResult } from 'lit';
import { formatCost, formatInteger, formatLatency } from './format.js';
import type { DayUsage, GpuHours, ModelUsage, UsageTotals, UserUsage } from './types.js';

/** The name of a model row: its config's display name, or its model id once that is deleted. */
export const modelName = (row: ModelUsage) => row.displayName ?? row.modelId;

/** The name of a user row: the nickname, or a placeholder for deleted users. */
export const userName = (row: UserUsage) => row.nickname ?? 'Deleted user';

const figureHeaders = html`
  <th scope="col" class="number">Requests</th>
  <th scope="col" class="number">Failed</th>
  <th scope="col" class="number">Prompt tokens</th>
  <th scope="col" class="number">Completion tokens</th>
  <th scope="col" class="number">Total tokens</th>
  <th scope="col" class="number">Cost</th>
  <th scope="col" class="number">Avg latency</th>
`;

function figureCells(row: UsageTotals): TemplateResult {
  return html`
    <td class="number">${formatInteger(row.requests)}</td>
    <td class="number">${formatInteger(row.failedRequests)}</td>
    <td class="number">${formatInteger(row.promptTokens)}</td>
    <td class="number">${formatInteger(row.completionTokens)}</td>
    <td class="number">${formatInteger(row.totalTokens)}</td>
    <td class="number">
      ${formatCost(row.cost)}${
        row.unpricedRequests > 0
          ? html`<span class="muted" title="Requests without a price are not in the cost">
              (+${formatInteger(row.unpricedRequests)} unpriced)</span
            >`
          : ''
      }
    </td>
    <td class="number">${formatLatency(row.avgLatencyMs)}</td>
  `;
}

function table(options: {
  label: string;
  headers: TemplateResult;
  rows: TemplateResult[];
  totals: TemplateResult;
  empty: string;
  columns: number;
}): TemplateResult {
  return html`
    <div class="table-wrap" role="region" aria-label=${options.label} tabindex="0">
      <table>
        <caption class="visually-hidden">
          ${options.label}
        </caption>
        <thead>
          <tr>
            ${options.headers}
          </tr>
        </thead>
        <tbody>
          ${
            options.rows.length === 0
              ? html`<tr>
                  <td colspan=${options.columns} class="muted">${options.empty}</td>
                </tr>`
              : options.rows
          }
        </tbody>
        ${
          options.rows.length === 0
            ? ''
            : html`<tfoot>
                ${options.totals}
              </tfoot>`
        }
      </table>
    </div>
  `;
}

/** Returns the muted text after a model's name: its model id, or that its config was deleted. */
function modelNote(row: ModelUsage) {
  if (row.displayName === null) {
    return html`<span class="muted">(config deleted)</span>`;
  }
  return row.displayName === row.modelId ? '' : html`<span class="muted">${row.modelId}</span>`;
}

/** Usage by model, with the period totals in the footer. */
export function modelTable(rows: ModelUsage[], totals: UsageTotals): TemplateResult {
  return table({
    label: 'Usage by model',
    headers: html`<th scope="col">Model</th>
      <th scope="col">Provider</th>
      ${figureHeaders}`,
    rows: rows.map(
      (row) => html`
        <tr data-model=${row.modelId}>
          <th scope="row"><span class="long-text">${modelName(row)} ${modelNote(row)}</span></th>
          <td>${row.providerName ?? '—'}</td>
          ${figureCells(row)}
        </tr>
      `,
    ),
    totals: html`<tr>
      <th scope="row" colspan="2">Total</th>
      ${figureCells(totals)}
    </tr>`,
    empty: 'No usage in this period.',
    columns: 9,
  });
}

/** Usage by user, with the period totals in the footer. */
export function userTable(rows: UserUsage[], totals: UsageTotals): TemplateResult {
  return table({
    label: 'Usage by user',
    headers: html`<th scope="col">User</th>
      <th scope="col">Email</th>
      ${figureHeaders}`,
    rows: rows.map(
      (row) => html`
        <tr data-user=${row.nickname ?? ''}>
          <th scope="row">${userName(row)}</th>
          <td>${row.email ?? '—'}</td>
          ${figureCells(row)}
        </tr>
      `,
    ),
    totals: html`<tr>
      <th scope="row" colspan="2">Total</th>
      ${figureCells(totals)}
    </tr>`,
    empty: 'No usage in this period.',
    columns: 9,
  });
}

/** Usage per UTC day, every day of the period. */
export function dayTable(rows: DayUsage[], totals: UsageTotals): TemplateResult {
  return table({
    label: 'Usage by day',
    headers: html`<th scope="col">Day (UTC)</th>
      ${figureHeaders}`,
    rows: rows.map(
      (row) => html`
        <tr data-day=${row.day}>
          <th scope="row">${row.day}</th>
          ${figureCells(row)}
        </tr>
      `,
    ),
    totals: html`<tr>
      <th scope="row">Total</th>
      ${figureCells(totals)}
    </tr>`,
    empty: 'No days in this period.',
    columns: 8,
  });
}

/** GPU hours by host and user; empty until training tasks record GPU time. */
export function gpuTable(rows: GpuHours[]): TemplateResult {
  if (rows.length === 0) {
    return html`<p class="muted">No GPU time was recorded in this period.</p>`;
  }
  return html`
    <div class="table-wrap" role="region" aria-label="GPU hours" tabindex="0">
      <table>
        <caption class="visually-hidden">
          GPU hours by host and user
        </caption>
        <thead>
          <tr>
            <th scope="col">GPU host</th>
            <th scope="col">User</th>
            <th scope="col" class="number">Hours</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) =>
              html`<tr>
                <th scope="row">${row.hostName ?? 'Deleted host'}</th>
                <td>${row.nickname ?? 'Deleted user'}</td>
                <td class="number">${row.hours.toFixed(1)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}
