import { css, html, LitElement } from 'lit';
import { baseStyles } from './theme.js';
import type { Period } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const PRESETS = [7, 30, 90] as const;

/** Returns the period of the last `days` UTC days, today included. */
export function lastDays(days: number, now = Date.now()): Period {
  const day = (time: number) => new Date(time).toISOString().slice(0, 10);
  return { from: day(now - (days - 1) * DAY_MS), to: day(now) };
}

/** Fired with the new period when the user picks a preset or valid dates. */
export type PeriodChangeEvent = CustomEvent<Period>;

/**
 * Period picker: presets of the last 7, 30 or 90 days, or any two dates. Days are UTC days,
 * as the server counts them. Fires `period-change`.
 */
export class AdminPeriod extends LitElement {
  static override properties = {
    from: {},
    to: {},
    problem: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: contents;
      }
      .problem {
        color: var(--danger);
        font-size: 0.85rem;
        align-self: center;
      }
    `,
  ];

  declare from: string;
  declare to: string;
  declare problem: string;

  constructor() {
    super();
    const period = lastDays(30);
    this.from = period.from;
    this.to = period.to;
    this.problem = '';
  }

  override render() {
    const preset = this.currentPreset();
    return html`
      <label>
        Period
        <select @change=${this.onPreset} .value=${preset}>
          ${PRESETS.map(
            (days) =>
              html`<option value=${String(days)} ?selected=${preset === String(days)}>
                Last ${days} days
              </option>`,
          )}
          <option value="custom" ?selected=${preset === 'custom'}>Custom</option>
        </select>
      </label>
      <label>
        From (UTC)
        <input type="date" name="from" .value=${this.from} @change=${this.onDate} required />
      </label>
      <label>
        To (UTC)
        <input type="date" name="to" .value=${this.to} @change=${this.onDate} required />
      </label>
      <span class="problem" role="alert">${this.problem}</span>
    `;
  }

  private currentPreset(): string {
    const match = PRESETS.find((days) => {
      const period = lastDays(days);
      return period.from === this.from && period.to === this.to;
    });
    return match === undefined ? 'custom' : String(match);
  }

  private readonly onPreset = (event: Event) => {
    const value = (event.target as HTMLSelectElement).value;
    if (value !== 'custom') {
      this.emit(lastDays(Number(value)));
    }
  };

  private readonly onDate = () => {
    const inputs = this.renderRoot.querySelectorAll<HTMLInputElement>('input[type="date"]');
    const [from, to] = [...inputs].map((input) => input.value);
    if (!from || !to) {
      this.problem = 'Enter both dates.';
      return;
    }
    if (from > to) {
      this.problem = 'The From date must be on or before the To date.';
      return;
    }
    this.emit({ from, to });
  };

  private emit(period: Period) {
    this.problem = '';
    this.from = period.from;
    this.to = period.to;
    this.dispatchEvent(
      new CustomEvent<Period>('period-change', { detail: period, bubbles: true, composed: true }),
    );
  }
}

customElements.define('admin-period', AdminPeriod);

declare global {
  interface HTMLElementTagNameMap {
    'admin-period': AdminPeriod;
  }
}
