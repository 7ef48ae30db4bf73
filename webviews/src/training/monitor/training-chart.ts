import { css, html, LitElement, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotStyles from 'uplot/dist/uPlot.min.css' with { type: 'text' };
import { alignLines, linesLayoutKey, type ChartLine } from './chartData.js';

/** Height of the plot area with its axes, in pixels. */
const CHART_HEIGHT_PX = 240;

/**
 * One uPlot chart of training curves against the step. New lines are drawn once per animation
 * frame, however many updates arrived in it: the data is rebuilt and passed to `setData`, and the
 * chart is created again only when the set of lines or their look changes.
 */
export class TrainingChart extends LitElement {
  static override properties = {
    heading: {},
    lines: { attribute: false },
    logScale: { type: Boolean },
  };

  static override styles = [
    unsafeCSS(uplotStyles),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      h3 {
        margin: 0 0 0.25rem;
        font-size: 0.95em;
        font-weight: 600;
      }
      .plot {
        min-height: ${CHART_HEIGHT_PX}px;
      }
      .empty {
        color: var(--vscode-descriptionForeground);
        padding: 1rem 0;
      }
      .uplot {
        font-family: var(--vscode-font-family);
        color: var(--vscode-foreground);
      }
      .u-legend {
        font-size: 0.85em;
      }
    `,
  ];

  declare heading: string;
  declare lines: readonly ChartLine[];
  declare logScale: boolean;
  private plot: uPlot | undefined;
  private layoutKey = '';
  private frame: number | undefined;
  private resizeObserver: ResizeObserver | undefined;

  constructor() {
    super();
    this.heading = '';
    this.lines = [];
    this.logScale = false;
  }

  /** The data uPlot draws now: steps, then one array per line; for tests and debugging. */
  get drawnData(): readonly (readonly (number | null)[])[] {
    return (this.plot?.data ?? []) as readonly (readonly (number | null)[])[];
  }

  /** The labels of the lines uPlot draws now, in order. */
  get drawnLabels(): string[] {
    return (this.plot?.series ?? [])
      .slice(1)
      .map((series) => (typeof series.label === 'string' ? series.label : ''));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    this.resizeObserver?.disconnect();
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    this.plot?.destroy();
    this.plot = undefined;
    this.layoutKey = '';
    super.disconnectedCallback();
  }

  override render() {
    const empty = this.lines.every((line) => line.points.length === 0);
    return html`<h3>${this.heading}</h3>
      ${empty ? html`<p class="empty">No points yet.</p>` : ''}
      <div class="plot" ?hidden=${empty}></div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('lines') || changed.has('logScale')) {
      this.scheduleDraw();
    }
  }

  private scheduleDraw(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  private draw(): void {
    const container = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (container === null) {
      return;
    }
    const data = alignLines(this.lines) as uPlot.AlignedData;
    const key = `${linesLayoutKey(this.lines)}|${this.logScale}`;
    if (this.plot !== undefined && key === this.layoutKey) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.layoutKey = key;
    this.plot = new uPlot(this.options(container), data, container);
  }

  private options(container: HTMLElement): uPlot.Options {
    const style = getComputedStyle(this);
    const foreground = style.getPropertyValue('--vscode-foreground').trim() || '#cccccc';
    const grid =
      style.getPropertyValue('--vscode-widget-border').trim() || 'rgba(128,128,128,0.25)';
    const axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    return {
      width: Math.max(container.clientWidth, 300),
      height: CHART_HEIGHT_PX,
      scales: { x: { time: false }, y: this.logScale ? { distr: 3 } : {} },
      axes: [{ ...axis, label: 'step' }, axis],
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: 'step' },
        ...this.lines.map((line): uPlot.Series => ({
          label: line.label,
          stroke: line.color,
          width: line.width ?? 2,
          spanGaps: true,
          ...(line.dash === undefined ? {} : { dash: line.dash }),
          points: { show: line.dots === true, size: 5, fill: line.color },
        })),
      ],
    };
  }

  private resize(): void {
    const container = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (this.plot !== undefined && container !== null && container.clientWidth > 0) {
      this.plot.setSize({ width: container.clientWidth, height: CHART_HEIGHT_PX });
    }
  }
}

customElements.define('training-chart', TrainingChart);

declare global {
  interface HTMLElementTagNameMap {
    'training-chart': TrainingChart;
  }
}
