import { css, html, LitElement, type PropertyValues } from 'lit';
import {
  MONITOR_LOG_LEVELS,
  type MonitorLogLevel,
} from '../../../../shared/src/protocol/training.js';
import { controlStyles } from '../../compare/compareStyles.js';
import { emit } from './events.js';
import type { LogBuffer } from './logBuffer.js';
import type { LogEntry } from './logLevels.js';

/** Lines kept in the DOM; older ones are removed as new ones arrive. */
export const MAX_DOM_LINES = 1000;

/**
 * The live log: level and text filters, pause, follow and export. It adds the DOM nodes of new
 * lines itself and removes the oldest past MAX_DOM_LINES, so a long run costs the same per line
 * as a short one. While paused it shows nothing new and counts what waits.
 */
export class TrainingLogView extends LitElement {
  static override properties = {
    buffer: { attribute: false },
    revision: { type: Number },
    levels: { attribute: false },
    follow: { type: Boolean },
    paused: { state: true },
    query: { state: true },
    waiting: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        height: 100%;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.5rem;
        padding: 0.25rem 0;
      }
      .toolbar input[type='search'] {
        width: 14rem;
      }
      .waiting {
        color: var(--vscode-descriptionForeground);
      }
      .lines {
        flex: 1;
        min-height: 12rem;
        overflow: auto;
        margin: 0;
        padding: 0.25rem 0.5rem;
        font-family: var(--vscode-editor-font-family);
        font-size: var(--vscode-editor-font-size, 0.9em);
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        background: var(--vscode-editor-background);
        border: 1px solid var(--vscode-widget-border, transparent);
      }
      .line.warning {
        color: var(--vscode-editorWarning-foreground);
      }
      .line.error {
        color: var(--vscode-editorError-foreground);
      }
      .line.debug {
        color: var(--vscode-descriptionForeground);
      }
      .line.marker {
        font-style: italic;
      }
    `,
  ];

  declare buffer: LogBuffer | undefined;
  /** Bumped by the app when the buffer changed, since the buffer is the same object. */
  declare revision: number;
  declare levels: readonly MonitorLogLevel[];
  declare follow: boolean;
  declare paused: boolean;
  declare query: string;
  /** Lines that arrived while paused and pass the filters. */
  declare waiting: number;
  /** The buffer generation and the absolute index after the last entry shown. */
  private shownGeneration = -1;
  private shownEnd = 0;
  private resizeObserver: ResizeObserver | undefined;

  constructor() {
    super();
    this.buffer = undefined;
    this.revision = 0;
    this.levels = [...MONITOR_LOG_LEVELS];
    this.follow = true;
    this.paused = false;
    this.query = '';
    this.waiting = 0;
  }

  /** Returns the lines that pass the filters, from the whole buffer, without the monitor's notes. */
  visibleLines(): string[] {
    return (this.buffer?.entries ?? [])
      .filter((entry) => entry.marker !== true && this.passes(entry))
      .map((entry) => entry.text);
  }

  override render() {
    return html`
      <div class="toolbar" role="toolbar" aria-label="Log">
        ${MONITOR_LOG_LEVELS.map(
          (level) =>
            html`<button
              class="link-button level"
              data-level=${level}
              aria-pressed=${this.levels.includes(level) ? 'true' : 'false'}
              @click=${() => this.toggleLevel(level)}
            >
              ${level}
            </button>`,
        )}
        <input
          type="search"
          placeholder="Filter lines"
          aria-label="Filter lines"
          .value=${this.query}
          @input=${(event: Event) => {
            this.query = (event.target as HTMLInputElement).value;
          }}
        />
        <button
          class="link-button"
          id="pause"
          aria-pressed=${String(this.paused)}
          @click=${this.togglePause}
        >
          ${this.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          class="link-button"
          id="follow"
          aria-pressed=${String(this.follow)}
          @click=${() => emit(this, 'log-follow', { follow: !this.follow })}
        >
          Follow
        </button>
        <button
          class="link-button"
          id="export"
          @click=${() => emit(this, 'log-export', { lines: this.visibleLines() })}
        >
          Export…
        </button>
        ${
          this.paused && this.waiting > 0
            ? html`<span class="waiting">${this.waiting} new lines waiting</span>`
            : ''
        }
      </div>
      <div class="lines" role="log" aria-live="off" @scroll=${this.onScroll}></div>
    `;
  }

  protected override firstUpdated(): void {
    // A log rendered while its tab was hidden has no height to scroll; once it shows, it
    // scrolls to its end when following.
    const container = this.container();
    if (container !== null) {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.follow) {
          this.scrollToEnd();
        }
      });
      this.resizeObserver.observe(container);
    }
  }

  override disconnectedCallback(): void {
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const refilter = changed.has('levels') || changed.has('query');
    if (refilter || this.buffer?.generation !== this.shownGeneration) {
      this.rebuild();
    } else if (!this.paused) {
      this.appendNew();
    } else if (changed.has('revision')) {
      this.waiting = this.pendingEntries().filter((entry) => this.passes(entry)).length;
    }
    if (changed.has('follow') && this.follow) {
      this.scrollToEnd();
    }
  }

  private container(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.lines');
  }

  private passes(entry: LogEntry): boolean {
    if (entry.marker === true) {
      return true;
    }
    if (!this.levels.includes(entry.level)) {
      return false;
    }
    return this.query === '' || entry.text.toLowerCase().includes(this.query.toLowerCase());
  }

  private pendingEntries(): LogEntry[] {
    return this.buffer?.from(this.shownEnd) ?? [];
  }

  /** Shows the last MAX_DOM_LINES entries of the buffer that pass the filters. */
  private rebuild(): void {
    const container = this.container();
    if (container === null) {
      return;
    }
    container.replaceChildren();
    this.shownGeneration = this.buffer?.generation ?? -1;
    this.shownEnd = this.buffer?.start ?? 0;
    this.appendNew();
  }

  private appendNew(): void {
    const container = this.container();
    if (container === null || this.buffer === undefined) {
      return;
    }
    const entries = this.pendingEntries().filter((entry) => this.passes(entry));
    this.shownEnd = this.buffer.end;
    this.waiting = 0;
    const fragment = document.createDocumentFragment();
    for (const entry of entries.slice(-MAX_DOM_LINES)) {
      const line = document.createElement('div');
      line.className = `line ${entry.level}${entry.marker === true ? ' marker' : ''}`;
      line.textContent = entry.text;
      fragment.append(line);
    }
    container.append(fragment);
    const excess = container.childElementCount - MAX_DOM_LINES;
    for (let index = 0; index < excess; index += 1) {
      container.firstElementChild?.remove();
    }
    if (this.follow) {
      this.scrollToEnd();
    }
  }

  private scrollToEnd(): void {
    const container = this.container();
    if (container !== null) {
      container.scrollTop = container.scrollHeight;
    }
  }

  private toggleLevel(level: MonitorLogLevel): void {
    const levels = this.levels.includes(level)
      ? this.levels.filter((item) => item !== level)
      : MONITOR_LOG_LEVELS.filter((item) => item === level || this.levels.includes(item));
    emit(this, 'log-levels', { levels });
  }

  private readonly togglePause = () => {
    this.paused = !this.paused;
  };

  /** Scrolling up stops following; the Follow button starts it again. */
  private readonly onScroll = () => {
    const container = this.container();
    if (container === null || !this.follow) {
      return;
    }
    const fromEnd = container.scrollHeight - container.scrollTop - container.clientHeight;
    if (fromEnd > 8) {
      emit(this, 'log-follow', { follow: false });
    }
  };
}

customElements.define('training-log-view', TrainingLogView);

declare global {
  interface HTMLElementTagNameMap {
    'training-log-view': TrainingLogView;
  }
}
