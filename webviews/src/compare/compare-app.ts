import { css, html, LitElement, nothing } from 'lit';
import type {
  CompareHostMessage,
  CompareWebviewMessage,
  CompareWebviewState,
} from '../../../shared/src/protocol/compare.js';
import { HostChannel } from '../common/vscodeApi.js';
import './compare-column.js';
import './compare-metrics.js';
import './compare-prompt.js';
import { CompareState } from './compareState.js';

/**
 * The compare panel: one prompt box over up to three columns, each a model with its own system
 * prompt, and the metrics table below them. Columns sit side by side while each can be at least
 * 260 pixels wide, and stack in a narrower panel.
 */
export class CompareApp extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      padding: 0.75rem 1rem 1.5rem;
      box-sizing: border-box;
      min-height: 100vh;
      color: var(--vscode-foreground);
      font-family: var(--vscode-font-family);
      font-size: var(--vscode-font-size);
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
    }
    h1 {
      flex: 1;
      margin: 0;
      font-size: 1.1em;
      font-weight: 600;
    }
    .columns {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr));
      gap: 0.75rem;
      align-items: stretch;
    }
    .notice {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      padding: 0.4rem 0.6rem;
      border: 1px solid var(--vscode-inputValidation-infoBorder);
      background: var(--vscode-inputValidation-infoBackground);
    }
    .notice.error {
      border-color: var(--vscode-inputValidation-errorBorder);
      background: var(--vscode-inputValidation-errorBackground);
    }
    .notice span {
      flex: 1;
    }
    h2 {
      margin: 0;
      font-size: 1em;
      font-weight: 600;
    }
  `;

  private readonly channel = new HostChannel<CompareWebviewMessage, CompareWebviewState>();
  private readonly state: CompareState;
  private stopListening: (() => void) | undefined;

  constructor() {
    super();
    this.state = new CompareState(
      this,
      (message) => this.channel.post(message),
      (state) => {
        this.channel.state = state;
      },
      this.channel.state,
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = this.channel.listen<CompareHostMessage>((message) => {
      this.state.apply(message);
    });
    this.channel.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    this.stopListening?.();
    super.disconnectedCallback();
  }

  override render() {
    const state = this.state;
    if (state.signedIn === false) {
      return html`<p>Sign in to your LLM Workbench server to compare your models.</p>
        <div>
          <vscode-button @click=${() => this.channel.post({ type: 'signIn' })}
            >Sign In</vscode-button
          >
        </div>`;
    }
    return html`
      ${this.renderHeader()} ${this.renderNotice()}
      <compare-prompt
        .prompt=${state.prompt}
        .variableNames=${state.variableNames}
        .variables=${state.variables}
        ?busy=${state.busy}
        .canRun=${state.canRun}
        .canRerun=${state.canRerun}
        @prompt-input=${(event: CustomEvent<{ prompt: string }>) => {
          state.setPrompt(event.detail.prompt);
          this.requestUpdate();
        }}
        @variable-input=${(event: CustomEvent<{ name: string; value: string }>) => {
          state.setVariable(event.detail.name, event.detail.value);
          this.requestUpdate();
        }}
        @prompt-send=${() => state.run()}
        @prompt-stop=${() => state.stop()}
        @prompt-rerun=${() => state.rerun()}
      ></compare-prompt>
      ${this.renderColumns()} ${this.renderMetrics()}
    `;
  }

  private renderColumns() {
    const state = this.state;
    return html`
      <div
        class="columns"
        @column-model=${(event: CustomEvent<{ column: number; modelConfigId: number | null }>) =>
          state.setColumn(event.detail.column, { modelConfigId: event.detail.modelConfigId })}
        @column-system-prompt=${(event: CustomEvent<{ column: number; systemPrompt: string }>) =>
          state.setColumn(event.detail.column, { systemPrompt: event.detail.systemPrompt })}
        @result-best=${(event: CustomEvent<{ resultId: number | null }>) =>
          state.pickBest(event.detail.resultId)}
        @result-rate=${(event: CustomEvent<{ resultId: number; rating: number | null }>) =>
          state.rate(event.detail.resultId, event.detail.rating)}
        @copy-text=${(event: CustomEvent<{ text: string }>) =>
          this.channel.post({ type: 'copy', text: event.detail.text })}
      >
        ${state.columns.map(
          (column, index) =>
            html`<compare-column
              data-column=${index}
              .index=${index}
              .column=${column}
              .view=${state.views[index]}
              .models=${state.models}
              .systemPrompts=${state.systemPrompts}
              ?best=${
                state.bestResultId !== null && state.views[index]?.result?.id === state.bestResultId
              }
              ?busy=${state.busy}
            ></compare-column>`,
        )}
      </div>
    `;
  }

  private renderHeader() {
    const state = this.state;
    const exportable = state.comparisonId !== null && !state.busy;
    return html`<header>
      <h1>Compare Models</h1>
      <vscode-button
        appearance="secondary"
        data-action="history"
        @click=${() => this.channel.post({ type: 'openHistory' })}
        >History</vscode-button
      >
      <vscode-button
        appearance="secondary"
        data-action="export-md"
        ?disabled=${!exportable}
        @click=${() => state.exportAs('md')}
        >Export Markdown</vscode-button
      >
      <vscode-button
        appearance="secondary"
        data-action="export-json"
        ?disabled=${!exportable}
        @click=${() => state.exportAs('json')}
        >Export JSON</vscode-button
      >
      <vscode-button
        appearance="icon"
        aria-label="Refresh models"
        title="Refresh models"
        @click=${() => this.channel.post({ type: 'refreshModels' })}
        >⟳</vscode-button
      >
    </header>`;
  }

  private renderNotice() {
    const notice = this.state.notice;
    if (notice === undefined) {
      return nothing;
    }
    return html`<div
      class="notice ${notice.level}"
      role=${notice.level === 'error' ? 'alert' : 'status'}
    >
      <span>${notice.message}</span>
      <vscode-button
        appearance="icon"
        aria-label="Dismiss"
        @click=${() => this.state.dismissNotice()}
        >✕</vscode-button
      >
    </div>`;
  }

  private renderMetrics() {
    const results = this.state.views.map((view) =>
      view.live === undefined && view.result?.status !== 'streaming' ? view.result : undefined,
    );
    if (results.every((result) => result === undefined)) {
      return nothing;
    }
    return html`<section>
      <h2>Metrics</h2>
      <compare-metrics .results=${results}></compare-metrics>
    </section>`;
  }
}

customElements.define('compare-app', CompareApp);

declare global {
  interface HTMLElementTagNameMap {
    'compare-app': CompareApp;
  }
}
