import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type {
  ApiTrainingHostChoice,
  TrainingDefaultsResponse,
} from '../../../../shared/src/api/training.js';
import type {
  TrainingFormDataset,
  TrainingFormHostMessage,
  TrainingFormState,
  TrainingFormWebviewMessage,
} from '../../../../shared/src/protocol/training.js';
import { HostChannel } from '../../common/vscodeApi.js';
import { controlStyles } from '../../compare/compareStyles.js';
import {
  defaultValues,
  PARAMETER_SECTIONS,
  type FieldSpec,
  type FormValues,
} from './formFields.js';
import { formStyles } from './formStyles.js';
import { checkForm } from './formValidation.js';

/**
 * The task form: name, base model, dataset and GPU host, then the LoRA parameters with the
 * server's defaults and one line of advice each. Fields are checked as the server checks them
 * once touched or on submit; the server's own 400 messages show next to their fields too.
 */
export class TrainingFormApp extends LitElement {
  static override styles = [controlStyles, formStyles];

  static override properties = {
    signedIn: { state: true },
    defaults: { state: true },
    datasets: { state: true },
    hosts: { state: true },
    values: { state: true },
    errors: { state: true },
    serverErrors: { state: true },
    serverMessage: { state: true },
    busy: { state: true },
  };

  declare signedIn: boolean | undefined;
  declare defaults: TrainingDefaultsResponse | null;
  declare datasets: TrainingFormDataset[];
  declare hosts: ApiTrainingHostChoice[];
  declare values: FormValues;
  /** The form's own messages by field. */
  declare errors: Record<string, string>;
  /** The server's messages by field, each shown until its field changes. */
  declare serverErrors: Record<string, string>;
  declare serverMessage: string | null;
  declare busy: boolean;
  private readonly channel = new HostChannel<TrainingFormWebviewMessage, TrainingFormState>();
  /** Fields whose messages show while typing: touched ones, or every one after a submit. */
  private readonly touched = new Set<string>();
  private submitted = false;
  private stopListening: (() => void) | undefined;

  constructor() {
    super();
    this.signedIn = undefined;
    this.defaults = null;
    this.datasets = [];
    this.hosts = [];
    this.values = this.channel.state?.values ?? {};
    this.errors = {};
    this.serverErrors = {};
    this.serverMessage = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = this.channel.listen<TrainingFormHostMessage>((message) =>
      this.apply(message),
    );
    this.channel.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    this.stopListening?.();
    super.disconnectedCallback();
  }

  private apply(message: TrainingFormHostMessage): void {
    switch (message.type) {
      case 'init':
        this.signedIn = message.signedIn;
        this.defaults = message.defaults;
        this.datasets = message.datasets;
        this.hosts = message.hosts;
        if (message.defaults !== null) {
          // Saved values win over the defaults, field by field, after a reload.
          this.values = { ...defaultValues(message.defaults.defaults), ...this.values };
        }
        return;
      case 'choices':
        this.datasets = message.datasets;
        this.hosts = message.hosts;
        return;
      case 'busy':
        this.busy = message.busy;
        return;
      case 'rejected':
        this.serverMessage = message.message;
        this.serverErrors = message.fieldErrors;
        return;
      default:
        return;
    }
  }

  override render() {
    if (this.signedIn === false) {
      return html`<p>Sign in to your LLM Workbench server to create training tasks.</p>
        <vscode-button @click=${() => this.channel.post({ type: 'signIn' })}
          >Sign In</vscode-button
        >`;
    }
    if (this.defaults === null) {
      return html`<p>Loading the defaults…</p>`;
    }
    const explanations = this.defaults.explanations;
    return html`
      <h1>New Training Task</h1>
      <form novalidate @submit=${(event: Event) => event.preventDefault()}>
        <div class="grid">${this.renderTaskFields()}</div>
        ${PARAMETER_SECTIONS.map(
          (section) =>
            html`<h2>${section.title}</h2>
              <div class="grid">
                ${section.fields.map((field) =>
                  this.renderField(
                    field,
                    field.parameter === undefined ? undefined : explanations[field.parameter],
                  ),
                )}
              </div>`,
        )}
        <p class="summary">${this.effectiveBatch()}</p>
        ${
          this.serverMessage === null
            ? nothing
            : html`<p class="form-error" role="alert">${this.serverMessage}</p>`
        }
        <div class="buttons">
          <vscode-button id="create-start" ?disabled=${this.busy} @click=${() => this.submit(true)}
            >Create and Start</vscode-button
          >
          <vscode-button
            id="create"
            appearance="secondary"
            ?disabled=${this.busy}
            @click=${() => this.submit(false)}
            >Create</vscode-button
          >
          <vscode-button id="reset" appearance="secondary" @click=${this.resetParameters}
            >Reset Parameters</vscode-button
          >
          <vscode-button
            appearance="secondary"
            @click=${() => this.channel.post({ type: 'cancel' })}
            >Cancel</vscode-button
          >
        </div>
      </form>
    `;
  }

  private renderTaskFields(): TemplateResult[] {
    const datasetOptions = this.datasets.map((dataset) => ({
      value: String(dataset.id),
      label:
        `${dataset.name} · ${dataset.schema} · ${dataset.recordCount} records` +
        (dataset.invalidCount > 0 ? ` · ${dataset.invalidCount} invalid` : ''),
    }));
    const hostOptions = this.hosts.map((host) => ({
      value: String(host.id),
      label:
        `${host.name} · ${host.activeRuns}/${host.maxConcurrentRuns} running` +
        (host.queuedTasks > 0 ? ` · ${host.queuedTasks} queued` : '') +
        (host.ready ? '' : ' · host key not confirmed'),
    }));
    return [
      this.renderField({ key: 'name', label: 'Name', kind: 'text', placeholder: 'support-bot-v1' }),
      this.renderField(
        {
          key: 'baseModel',
          label: 'Base model',
          kind: 'text',
          placeholder: 'Qwen/Qwen2.5-1.5B-Instruct',
        },
        'A Hugging Face model id, or a model directory on the GPU host.',
      ),
      this.renderField(
        { key: 'datasetId', label: 'Dataset', kind: 'select', options: datasetOptions },
        this.datasets.length === 0
          ? 'No datasets yet; upload one in the Datasets view.'
          : undefined,
        true,
      ),
      this.renderField(
        { key: 'gpuHostId', label: 'GPU host', kind: 'select', options: hostOptions },
        this.hosts.length === 0
          ? 'No GPU hosts yet; an admin adds them in the Training Tasks view.'
          : undefined,
        true,
      ),
    ];
  }

  private renderField(field: FieldSpec, hint?: string, reloadable = false): TemplateResult {
    const id = `field-${field.key.replace('.', '-')}`;
    const error = this.errors[field.key] ?? this.serverErrors[field.key];
    const control = this.renderControl(field, id, error !== undefined);
    return html`<div
      class="field ${field.kind === 'checkbox' ? 'checkbox' : ''}"
      data-field=${field.key}
    >
      ${
        field.kind === 'checkbox'
          ? html`<label>${control} ${field.label}</label>`
          : html`<label for=${id}>${field.label}</label> ${
                reloadable
                  ? html`<div class="with-button">
                      ${control}
                      <button
                        class="link-button"
                        type="button"
                        title="Reload the lists"
                        @click=${() => this.channel.post({ type: 'reloadChoices' })}
                      >
                        Reload
                      </button>
                    </div>`
                  : control
              }`
      }
      ${hint === undefined ? nothing : html`<p class="hint">${hint}</p>`}
      ${error === undefined ? nothing : html`<p class="error" role="alert">${error}</p>`}
    </div>`;
  }

  private renderControl(field: FieldSpec, id: string, invalid: boolean): TemplateResult {
    const value = this.values[field.key] ?? '';
    if (field.kind === 'checkbox') {
      return html`<input
        id=${id}
        type="checkbox"
        .checked=${live(value === 'true')}
        @change=${(event: Event) =>
          this.setValue(field.key, String((event.target as HTMLInputElement).checked))}
      />`;
    }
    if (field.kind === 'select') {
      const options = field.options ?? [];
      const known = options.some((option) => option.value === value);
      return html`<select
        id=${id}
        aria-invalid=${invalid ? 'true' : 'false'}
        @change=${(event: Event) => this.setValue(field.key, (event.target as HTMLSelectElement).value)}
      >
        ${known ? nothing : html`<option value="" selected>Pick one…</option>`}
        ${options.map(
          (option) =>
            html`<option value=${option.value} ?selected=${option.value === value}>
              ${option.label}
            </option>`,
        )}
      </select>`;
    }
    return html`<input
      id=${id}
      type="text"
      inputmode=${field.kind === 'number' ? 'decimal' : 'text'}
      placeholder=${field.placeholder ?? ''}
      aria-invalid=${invalid ? 'true' : 'false'}
      .value=${live(value)}
      @input=${(event: Event) => this.setValue(field.key, (event.target as HTMLInputElement).value)}
      @blur=${() => this.touch(field.key)}
    />`;
  }

  private effectiveBatch(): string {
    const batch = Number(this.values['parameters.batchSize']);
    const accumulation = Number(this.values['parameters.gradientAccumulation']);
    if (!Number.isInteger(batch) || !Number.isInteger(accumulation)) {
      return '';
    }
    return `Effective batch: ${batch} × ${accumulation} = ${batch * accumulation} records per update.`;
  }

  private setValue(key: string, value: string): void {
    this.values = { ...this.values, [key]: value };
    this.channel.state = { values: this.values };
    if (key in this.serverErrors) {
      this.serverErrors = Object.fromEntries(
        Object.entries(this.serverErrors).filter(([field]) => field !== key),
      );
    }
    if (this.touched.has(key) || this.submitted) {
      this.recheck();
    }
  }

  private touch(key: string): void {
    this.touched.add(key);
    this.recheck();
  }

  /** Shows the form's own messages for the touched fields, or for all after a submit. */
  private recheck(): void {
    if (this.defaults === null) {
      return;
    }
    const { errors } = checkForm(this.values, this.defaults.ranges);
    const shown: Record<string, string> = {};
    for (const [key, message] of Object.entries(errors)) {
      if (this.submitted || this.touched.has(key)) {
        shown[key] = message;
      }
    }
    this.errors = shown;
  }

  private submit(start: boolean): void {
    if (this.defaults === null || this.busy) {
      return;
    }
    this.submitted = true;
    this.serverMessage = null;
    this.serverErrors = {};
    const { errors, request } = checkForm(this.values, this.defaults.ranges);
    this.errors = errors;
    if (request === undefined) {
      void this.updateComplete.then(() => {
        this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      });
      return;
    }
    this.channel.post({ type: 'submit', request, start });
  }

  private readonly resetParameters = () => {
    if (this.defaults === null) {
      return;
    }
    const task = {
      name: this.values.name ?? '',
      baseModel: this.values.baseModel ?? '',
      datasetId: this.values.datasetId ?? '',
      gpuHostId: this.values.gpuHostId ?? '',
    };
    this.values = { ...defaultValues(this.defaults.defaults), ...task };
    this.channel.state = { values: this.values };
    this.recheck();
  };
}

customElements.define('training-form-app', TrainingFormApp);

declare global {
  interface HTMLElementTagNameMap {
    'training-form-app': TrainingFormApp;
  }
}
