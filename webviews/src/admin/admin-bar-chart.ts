import { css, html, LitElement, svg, type TemplateResult } from 'lit';
import { baseStyles } from './theme.js';

/** One bar: its category, its value, and the value as the page shows it. */
export interface Bar {
  label: string;
  value: number;
  text: string;
}

const VERTICAL_HEIGHT = 200;

/** The plot area of the vertical chart inside its SVG, in pixels. */
interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
}
const ROW_HEIGHT = 28;
const AXIS_FONT_PX = 12;
/** Width of one character of the axis font, to cut labels that would overflow. */
const CHAR_PX = 7;

let chartCount = 0;

/**
 * A bar chart drawn as SVG at the element's own width: vertical bars for a series of days, or
 * horizontal bars for named categories. The chart is one image to assistive technology, labelled
 * with its title and its highest bar. Each bar has a tooltip, and the page shows the exact figures
 * in a table beside it.
 */
export class AdminBarChart extends LitElement {
  static override properties = {
    bars: { attribute: false },
    orientation: {},
    label: {},
    width: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        min-width: 0;
      }
      svg {
        display: block;
        overflow: visible;
      }
      .bar {
        fill: var(--accent);
      }
      .bar:hover {
        fill: var(--focus);
        opacity: 0.8;
      }
      .grid {
        stroke: var(--border);
        stroke-width: 1;
      }
      text {
        fill: var(--muted);
        font-size: ${AXIS_FONT_PX}px;
        font-variant-numeric: tabular-nums;
      }
      text.name {
        fill: var(--fg);
      }
      .empty {
        color: var(--muted);
        margin: 0.5rem 0;
      }
    `,
  ];

  declare bars: Bar[];
  declare orientation: 'vertical' | 'horizontal';
  declare label: string;
  declare width: number;

  private readonly titleId = `chart-title-${++chartCount}`;
  private readonly resizeObserver = new ResizeObserver((entries) => {
    const width = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (width > 0 && width !== this.width) {
      this.width = width;
    }
  });

  constructor() {
    super();
    this.bars = [];
    this.orientation = 'horizontal';
    this.label = '';
    this.width = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
  }

  override render() {
    if (this.bars.length === 0 || this.bars.every((bar) => bar.value === 0)) {
      return html`<p class="empty">${this.label}: nothing in this period.</p>`;
    }
    if (this.width === 0) {
      return html``;
    }
    return this.orientation === 'vertical' ? this.renderVertical() : this.renderHorizontal();
  }

  private summary(): string {
    const top = this.bars.reduce((best, bar) => (bar.value > best.value ? bar : best));
    return `${this.label}: ${this.bars.length} bars, the highest ${top.text} for ${top.label}.`;
  }

  private renderVertical(): TemplateResult {
    const plot: Plot = { left: 56, top: 8, width: Math.max(this.width - 60, 10), height: 170 };
    // render() draws no chart when every value is 0, so max is positive here.
    const max = Math.max(...this.bars.map((bar) => bar.value));
    const slot = plot.width / this.bars.length;
    const barWidth = Math.max(slot * 0.7, 1);

    const bars = this.bars.map((bar, index) => {
      const height = (bar.value / max) * plot.height;
      const x = plot.left + index * slot + (slot - barWidth) / 2;
      return svg`
        <rect class="bar" x=${x} y=${plot.top + plot.height - height} width=${barWidth}
          height=${height}><title>${bar.label}: ${bar.text}</title></rect>
        ${this.axisLabel(bar, index, x + barWidth / 2)}`;
    });

    return html`
      <svg
        role="img"
        aria-labelledby=${this.titleId}
        width=${this.width}
        height=${VERTICAL_HEIGHT}
        viewBox="0 0 ${this.width} ${VERTICAL_HEIGHT}"
      >
        <title id=${this.titleId}>${this.summary()}</title>
        ${this.gridLines(plot, max)} ${bars}
      </svg>
    `;
  }

  /** Draws the lines at 0, half and all of the highest value, labelled with 0 and that value. */
  private gridLines(plot: Plot, max: number) {
    const topText = this.bars.find((bar) => bar.value === max)?.text ?? '';
    const lines = [
      { fraction: 0, text: '0' },
      { fraction: 0.5, text: '' },
      { fraction: 1, text: topText },
    ];
    return lines.map(({ fraction, text }) => {
      const y = plot.top + plot.height * (1 - fraction);
      return svg`
        <line class="grid" x1=${plot.left} x2=${plot.left + plot.width} y1=${y} y2=${y}></line>
        <text x=${plot.left - 6} y=${y + 4} text-anchor="end">${text}</text>`;
    });
  }

  /** Labels the first, middle and last bars below the axis, anchored to stay inside the chart. */
  private axisLabel(bar: Bar, index: number, center: number) {
    const last = this.bars.length - 1;
    if (index !== 0 && index !== last && index !== Math.floor(last / 2)) {
      return '';
    }
    let anchor = 'middle';
    if (index === 0) {
      anchor = 'start';
    } else if (index === last) {
      anchor = 'end';
    }
    return svg`<text x=${center} y=${VERTICAL_HEIGHT - 6} text-anchor=${anchor}>${bar.label}</text>`;
  }

  private renderHorizontal(): TemplateResult {
    const labelWidth = Math.min(Math.max(this.width * 0.35, 90), 240);
    const valueWidth = 80;
    const plotWidth = Math.max(this.width - labelWidth - valueWidth - 12, 10);
    const height = this.bars.length * ROW_HEIGHT;
    const max = Math.max(...this.bars.map((bar) => bar.value));
    const maxChars = Math.floor(labelWidth / CHAR_PX) - 1;
    return html`
      <svg
        role="img"
        aria-labelledby=${this.titleId}
        width=${this.width}
        height=${height}
        viewBox="0 0 ${this.width} ${height}"
      >
        <title id=${this.titleId}>${this.summary()}</title>
        ${this.bars.map((bar, index) => {
          const y = index * ROW_HEIGHT;
          const width = max === 0 ? 0 : (bar.value / max) * plotWidth;
          const name =
            bar.label.length > maxChars ? `${bar.label.slice(0, maxChars - 1)}…` : bar.label;
          return svg`
            <text class="name" x="0" y=${y + ROW_HEIGHT / 2 + 4}>${name}</text>
            <rect class="bar" x=${labelWidth} y=${y + 5} width=${Math.max(width, 1)}
              height=${ROW_HEIGHT - 10} rx="3"><title>${bar.label}: ${bar.text}</title></rect>
            <text x=${labelWidth + width + 6} y=${y + ROW_HEIGHT / 2 + 4}>${bar.text}</text>`;
        })}
      </svg>
    `;
  }
}

customElements.define('admin-bar-chart', AdminBarChart);

declare global {
  interface HTMLElementTagNameMap {
    'admin-bar-chart': AdminBarChart;
  }
}
