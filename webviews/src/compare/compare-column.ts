import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { ApiComparisonResult } from '../../../shared/src/api/compare.js';
import type {
  CompareColumnState,
  CompareModelOption,
  CompareSystemPromptOption,
} from '../../../shared/src/protocol/compare.js';
import '../chat/chat-live-message.js';
import { describeReasoning } from '../chat/format.js';
import { renderMarkdown } from '../chat/markdown.js';
import { messageStyles } from '../chat/messageStyles.js';
import { emit } from './compareEvents.js';
import { controlStyles } from './compareStyles.js';
import type { ColumnView } from './compareState.js';
import { describeResult } from './metrics.js';

const RATINGS = [1, 2, 3, 4, 5];

/**
 * One column of the comparison: its model and system-prompt pickers, then its answer, streaming
 * or finished, with the reasoning folded above it, the metrics line, Copy, Best Answer and a
 * rating from 1 to 5.
 */
export class CompareColumn extends LitElement {
  static override properties = {
    index: { type: Number },
    column: { attribute: false },
    view: { attribute: false },
    models: { attribute: false },
    systemPrompts: { attribute: false },
    best: { type: Boolean, reflect: true },
    busy: { type: Boolean },
  };

  static override styles = [
    messageStyles,
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        min-width: 0;
        padding: 0.6rem;
        border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
        border-radius: 4px;
      }
      :host([best]) {
        border-color: var(--vscode-focusBorder);
      }
      .pickers {
        display: grid;
        gap: 0.4rem;
      }
      .answer {
        flex: 1;
        min-height: 6rem;
        overflow-wrap: anywhere;
      }
      .placeholder {
        color: var(--vscode-descriptionForeground);
      }
      .result-footer {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.5rem;
        font-size: 0.9em;
        color: var(--vscode-descriptionForeground);
      }
      .result-metrics {
        flex-basis: 100%;
      }
      .stars {
        display: inline-flex;
      }
      .star {
        background: none;
        border: none;
        padding: 0 0.1rem;
        font: inherit;
        font-size: 1.1em;
        cursor: pointer;
        color: var(--vscode-descriptionForeground);
      }
      .star.on {
        color: var(--vscode-textLink-foreground);
      }
      .best-badge {
        padding: 0 0.4rem;
        border-radius: 3px;
        background: var(--vscode-badge-background);
        color: var(--vscode-badge-foreground);
      }
    `,
  ];

  declare index: number;
  declare column: CompareColumnState;
  declare view: ColumnView;
  declare models: CompareModelOption[];
  declare systemPrompts: CompareSystemPromptOption[];
  /** True when this column's result is the picked best answer; reflected to style the border. */
  declare best: boolean;
  declare busy: boolean;

  private contentHtml = '';
  private renderedContent: string | undefined;

  constructor() {
    super();
    this.index = 0;
    this.column = { modelConfigId: null, systemPrompt: '' };
    this.view = { result: undefined, live: undefined };
    this.models = [];
    this.systemPrompts = [];
    this.best = false;
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const content = this.view.result?.content;
    if (changed.has('view') && content !== undefined && content !== this.renderedContent) {
      this.contentHtml = renderMarkdown(content);
      this.renderedContent = content;
    }
  }

  override render() {
    return html`
      <div class="pickers">${this.renderModelPicker()} ${this.renderSystemPrompt()}</div>
      <div class="answer" @click=${this.onAnswerClick}>${this.renderAnswer()}</div>
      ${this.renderFooter()}
    `;
  }

  private renderModelPicker() {
    const id = `model-${this.index}`;
    const selected = this.column.modelConfigId;
    return html`
      <div>
        <label for=${id}>Model ${this.index + 1}</label>
        <select
          id=${id}
          data-role="model"
          ?disabled=${this.busy}
          @change=${(event: Event) => {
            const value = (event.target as HTMLSelectElement).value;
            emit(this, 'column-model', {
              column: this.index,
              modelConfigId: value === '' ? null : Number(value),
            });
          }}
        >
          <option value="" ?selected=${selected === null}>None</option>
          ${this.models.map(
            (model) =>
              html`<option value=${model.id} ?selected=${model.id === selected}>
                ${model.displayName} (${model.providerName})
              </option>`,
          )}
        </select>
      </div>
    `;
  }

  /**
   * The system prompt as typed. Once the host sends saved prompts, a picker above the field lists
   * them, and picking one copies its text into the field.
   */
  private renderSystemPrompt() {
    const id = `system-${this.index}`;
    const saved =
      this.systemPrompts.length === 0
        ? nothing
        : html`<select
            data-role="saved-prompt"
            aria-label="Insert a saved system prompt"
            ?disabled=${this.busy}
            @change=${this.onSavedPrompt}
          >
            <option value="">Insert a saved prompt…</option>
            ${this.systemPrompts.map(
              (prompt) => html`<option value=${prompt.id}>${prompt.name}</option>`,
            )}
          </select>`;
    return html`
      <div>
        <label for=${id}>System prompt</label>
        ${saved}
        <textarea
          id=${id}
          data-role="system-prompt"
          rows="2"
          placeholder="None"
          ?disabled=${this.busy}
          .value=${live(this.column.systemPrompt)}
          @input=${(event: Event) =>
            emit(this, 'column-system-prompt', {
              column: this.index,
              systemPrompt: (event.target as HTMLTextAreaElement).value,
            })}
        ></textarea>
      </div>
    `;
  }

  private renderAnswer() {
    const { result, live: liveAnswer } = this.view;
    if (liveAnswer !== undefined) {
      return html`<chat-live-message
        .live=${liveAnswer}
        author=${result?.modelConfigName ?? 'Assistant'}
      ></chat-live-message>`;
    }
    if (result === undefined) {
      return html`<p class="placeholder">
        ${this.column.modelConfigId === null ? 'Pick a model to include this column.' : 'Ready.'}
      </p>`;
    }
    return html`
      <article class="message assistant" data-result-id=${result.id}>
        <div class="message-header">
          <span class="author">${result.modelConfigName}</span>
          ${this.renderStatus(result)}
        </div>
        ${this.renderReasoning(result)}
        <div class="markdown-body">${unsafeHTML(this.contentHtml)}</div>
        ${this.renderError(result)}
      </article>
    `;
  }

  private renderStatus(result: ApiComparisonResult) {
    switch (result.status) {
      case 'stopped':
        return html`<span class="status-badge">Stopped</span>`;
      case 'error':
        return html`<span class="status-badge">Failed</span>`;
      case 'streaming':
        return html`<span class="status-badge">Answering</span>`;
      case 'complete':
        return result.finishReason === 'length'
          ? html`<span class="status-badge">Cut at max tokens</span>`
          : nothing;
    }
  }

  private renderReasoning(result: ApiComparisonResult) {
    if (result.reasoning === null || result.reasoning === '') {
      return nothing;
    }
    const ms =
      result.ttftMs === null ? null : (result.ttfaMs ?? result.latencyMs ?? 0) - result.ttftMs;
    const summary = describeReasoning({
      thinking: false,
      ms,
      reasoning: result.reasoning,
      usage: result.usage,
    });
    return html`<details class="reasoning">
      <summary>${summary}</summary>
      <div class="reasoning-text">${result.reasoning}</div>
    </details>`;
  }

  private renderError(result: ApiComparisonResult) {
    const error = result.error;
    if (error === null) {
      return nothing;
    }
    const detail =
      error.providerMessage !== undefined && error.providerMessage !== error.message
        ? html`<div>${error.providerMessage}</div>`
        : nothing;
    return html`<div class="message-error" role="alert">${error.message}${detail}</div>`;
  }

  private renderFooter() {
    const result = this.view.result;
    if (result === undefined || this.view.live !== undefined || result.status === 'streaming') {
      return nothing;
    }
    const metrics = html`<span class="result-metrics" data-role="metrics"
      >${describeResult(result)}</span
    >`;
    // A failed answer has nothing to copy, pick or rate.
    if (result.status === 'error') {
      return html`<div class="result-footer">${metrics}</div>`;
    }
    return html`
      <div class="result-footer">
        ${metrics}
        <button
          type="button"
          class="link-button"
          data-action="copy"
          @click=${() => emit(this, 'copy-text', { text: result.content })}
        >
          Copy
        </button>
        <button
          type="button"
          class="link-button"
          data-action="best"
          aria-pressed=${this.best ? 'true' : 'false'}
          @click=${() => emit(this, 'result-best', { resultId: this.best ? null : result.id })}
        >
          ${this.best ? 'Best Answer' : 'Mark as Best'}
        </button>
        ${this.best ? html`<span class="best-badge">Best</span>` : nothing}
        ${this.renderStars(result)}
      </div>
    `;
  }

  /** Five rating buttons; pressing the current rating clears it. */
  private renderStars(result: ApiComparisonResult) {
    const rating = result.rating ?? 0;
    return html`<span class="stars" role="group" aria-label="Rating">
      ${RATINGS.map(
        (value) =>
          html`<button
            type="button"
            class="star ${value <= rating ? 'on' : ''}"
            data-rating=${value}
            aria-label="Rate ${value} of 5"
            aria-pressed=${value === rating ? 'true' : 'false'}
            @click=${() =>
              emit(this, 'result-rate', {
                resultId: result.id,
                rating: value === rating ? null : value,
              })}
          >
            ${value <= rating ? '★' : '☆'}
          </button>`,
      )}
    </span>`;
  }

  private onSavedPrompt = (event: Event): void => {
    const select = event.target as HTMLSelectElement;
    const prompt = this.systemPrompts.find((item) => String(item.id) === select.value);
    select.value = '';
    if (prompt !== undefined) {
      emit(this, 'column-system-prompt', { column: this.index, systemPrompt: prompt.content });
    }
  };

  /** Copies a code block when its Copy button is clicked. */
  private onAnswerClick = (event: Event): void => {
    const button = (event.target as Element | null)?.closest?.('[data-copy-code]');
    const code = button?.closest('.code-block')?.querySelector('pre code');
    if (button === null || button === undefined || code === null || code === undefined) {
      return;
    }
    emit(this, 'copy-text', { text: code.textContent ?? '' });
  };
}

customElements.define('compare-column', CompareColumn);

declare global {
  interface HTMLElementTagNameMap {
    'compare-column': CompareColumn;
  }
}
