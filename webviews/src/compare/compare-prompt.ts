import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { emit } from './compareEvents.js';
import { controlStyles } from './compareStyles.js';

/**
 * The prompt box with a field for each `{{variable}}` the prompt uses, and Send, Stop and Rerun.
 * Ctrl+Enter (Cmd+Enter on macOS) sends; Enter adds a line, since prompts often span several.
 */
export class ComparePrompt extends LitElement {
  static override properties = {
    prompt: {},
    variableNames: { attribute: false },
    variables: { attribute: false },
    busy: { type: Boolean },
    canRun: { type: Boolean },
    canRerun: { type: Boolean },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      .variables {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 180px), 1fr));
        gap: 0.4rem 0.75rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  declare prompt: string;
  declare variableNames: string[];
  declare variables: Record<string, string>;
  declare busy: boolean;
  declare canRun: boolean;
  declare canRerun: boolean;

  constructor() {
    super();
    this.prompt = '';
    this.variableNames = [];
    this.variables = {};
    this.busy = false;
    this.canRun = false;
    this.canRerun = false;
  }

  override render() {
    return html`
      <label for="prompt">Prompt</label>
      <textarea
        id="prompt"
        data-role="prompt"
        rows="4"
        placeholder="Ask all the models the same thing. Use {{name}} for a variable. Ctrl+Enter sends."
        .value=${live(this.prompt)}
        @input=${(event: Event) =>
          emit(this, 'prompt-input', { prompt: (event.target as HTMLTextAreaElement).value })}
        @keydown=${this.onKeyDown}
      ></textarea>
      ${this.renderVariables()}
      <div class="actions">
        ${
          this.busy
            ? html`<vscode-button data-action="stop" @click=${() => emit(this, 'prompt-stop', {})}
                >Stop</vscode-button
              >`
            : html`<vscode-button
                data-action="send"
                ?disabled=${!this.canRun}
                @click=${() => emit(this, 'prompt-send', {})}
                >Send</vscode-button
              >`
        }
        <vscode-button
          appearance="secondary"
          data-action="rerun"
          ?disabled=${!this.canRerun}
          @click=${() => emit(this, 'prompt-rerun', {})}
          >Rerun</vscode-button
        >
      </div>
    `;
  }

  private renderVariables() {
    if (this.variableNames.length === 0) {
      return nothing;
    }
    return html`<div class="variables">
      ${this.variableNames.map(
        (name) =>
          html`<div>
            <label for="variable-${name}">{{${name}}}</label>
            <input
              id="variable-${name}"
              data-variable=${name}
              .value=${live(this.variables[name] ?? '')}
              @input=${(event: Event) =>
                emit(this, 'variable-input', {
                  name,
                  value: (event.target as HTMLInputElement).value,
                })}
            />
          </div>`,
      )}
    </div>`;
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (this.canRun) {
        emit(this, 'prompt-send', {});
      }
    }
  };
}

customElements.define('compare-prompt', ComparePrompt);

declare global {
  interface HTMLElementTagNameMap {
    'compare-prompt': ComparePrompt;
  }
}
