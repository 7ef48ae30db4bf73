import { html, LitElement, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { ApiTrainingMetric, ApiTrainingTask } from '../../../../shared/src/api/training.js';
import {
  MONITOR_LOG_LEVELS,
  type MonitorConnection,
  type MonitorHostMessage,
  type MonitorOverlay,
  type MonitorOverlayCandidate,
  type MonitorState,
  type MonitorWebviewMessage,
} from '../../../../shared/src/protocol/training.js';
import { renderMarkdown } from '../../chat/markdown.js';
import { HostChannel } from '../../common/vscodeApi.js';
import { controlStyles } from '../../compare/compareStyles.js';
import { formatDuration } from '../format.js';
import type { MonitorEventDetails } from './events.js';
import { LogBuffer } from './logBuffer.js';
import { mergeMetrics } from './metricSeries.js';
import { describeConnection, describeLatest } from './monitorText.js';
import { learningRateLines, lossLines, paletteOf } from './monitorLines.js';
import { MAX_SMOOTHING } from './smoothing.js';
import './training-chart.js';
import './training-log-view.js';
import { monitorStyles } from './monitorStyles.js';

type Tab = MonitorState['tab'];

const TAB_LABELS: Record<Tab, string> = { charts: 'Charts', log: 'Log', report: 'Report' };

const DEFAULT_STATE: Omit<MonitorState, 'taskId'> = {
  smoothing: 0.6,
  tab: 'charts',
  levels: [...MONITOR_LOG_LEVELS],
  follow: true,
};

/**
 * The training monitor: status and progress, loss and learning-rate curves with EMA smoothing and
 * other tasks overlaid, the live log and the report. It draws what the host relays from the
 * task's event stream and keeps its view settings with `setState`.
 */
export class TrainingMonitorApp extends LitElement {
  static override properties = {
    signedIn: { state: true },
    task: { state: true },
    names: { state: true },
    metrics: { state: true },
    overlays: { state: true },
    candidates: { state: true },
    connection: { state: true },
    view: { state: true },
    logRevision: { state: true },
    report: { state: true },
    notice: { state: true },
  };

  static override styles = [controlStyles, monitorStyles];

  declare signedIn: boolean | undefined;
  declare task: ApiTrainingTask | null;
  declare names: { datasetName: string | null; hostName: string | null };
  declare metrics: ApiTrainingMetric[];
  declare overlays: MonitorOverlay[];
  declare candidates: MonitorOverlayCandidate[] | undefined;
  declare connection: MonitorConnection;
  /** The view settings the webview saves. */
  declare view: Omit<MonitorState, 'taskId'>;
  declare logRevision: number;
  declare report: { markdown: string | null; error: string | null } | 'loading' | undefined;
  declare notice: { level: 'error' | 'info'; message: string } | undefined;
  private readonly log = new LogBuffer();
  private readonly channel = new HostChannel<MonitorWebviewMessage, MonitorState>();
  private stopListening: (() => void) | undefined;

  constructor() {
    super();
    const saved = this.channel.state;
    this.signedIn = undefined;
    this.task = null;
    this.names = { datasetName: null, hostName: null };
    this.metrics = [];
    this.overlays = [];
    this.candidates = undefined;
    this.connection = { state: 'connecting' };
    this.view = saved === undefined ? { ...DEFAULT_STATE } : { ...DEFAULT_STATE, ...saved };
    this.logRevision = 0;
    this.report = undefined;
    this.notice = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = this.channel.listen<MonitorHostMessage>((message) => this.apply(message));
    this.channel.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    this.stopListening?.();
    super.disconnectedCallback();
  }

  private apply(message: MonitorHostMessage): void {
    switch (message.type) {
      case 'init':
        this.signedIn = message.signedIn;
        this.task = message.task;
        this.names = { datasetName: message.datasetName, hostName: message.hostName };
        this.metrics = message.metrics;
        this.overlays = message.overlays;
        this.connection = message.connection;
        this.log.reset(message.logLines, message.logTruncated);
        this.logRevision += 1;
        this.saveView();
        if (this.view.tab === 'report') {
          this.loadReport();
        }
        return;
      case 'task':
        this.task = message.task;
        return;
      case 'metrics':
        this.metrics = mergeMetrics(this.metrics, message.metrics);
        return;
      case 'log':
        this.log.append(message.lines, message.gap);
        this.logRevision += 1;
        return;
      case 'connection':
        this.connection = message.connection;
        return;
      case 'overlays':
        this.overlays = message.overlays;
        return;
      case 'overlayCandidates':
        this.candidates = message.candidates;
        return;
      case 'report':
        this.report = { markdown: message.markdown, error: message.error };
        return;
      case 'notice':
        this.notice = { level: message.level, message: message.message };
        return;
      default:
        return;
    }
  }

  override render() {
    if (this.signedIn === false) {
      return html`<p>Sign in to your LLM Workbench server to follow this training task.</p>
        <vscode-button @click=${() => this.channel.post({ type: 'signIn' })}
          >Sign In</vscode-button
        >`;
    }
    const task = this.task;
    if (task === null) {
      return html`${this.renderNotice()}
        <p>Loading the task…</p>`;
    }
    return html`
      ${this.renderHeader(task)} ${this.renderProgress(task)} ${this.renderNotice()}
      <div class="tabs" role="tablist">
        ${(['charts', 'log', 'report'] as const).map(
          (tab) =>
            html`<button
              role="tab"
              class="tab"
              data-tab=${tab}
              aria-selected=${String(this.view.tab === tab)}
              @click=${() => this.selectTab(tab)}
            >
              ${TAB_LABELS[tab]}
            </button>`,
        )}
      </div>
      <section class="panel charts" role="tabpanel" ?hidden=${this.view.tab !== 'charts'}>
        ${this.renderCharts()}
      </section>
      <section class="panel log" role="tabpanel" ?hidden=${this.view.tab !== 'log'}>
        <training-log-view
          .buffer=${this.log}
          .revision=${this.logRevision}
          .levels=${this.view.levels}
          .follow=${this.view.follow}
          @log-follow=${this.onLogFollow}
          @log-levels=${this.onLogLevels}
          @log-export=${this.onLogExport}
        ></training-log-view>
      </section>
      <section class="panel report" role="tabpanel" ?hidden=${this.view.tab !== 'report'}>
        ${this.renderReport()}
      </section>
    `;
  }

  private renderHeader(task: ApiTrainingTask) {
    const running = task.status === 'running' || task.status === 'queued';
    const restartable = ['pending', 'stopped', 'failed'].includes(task.status);
    const resumable = task.status === 'stopped' || task.status === 'failed';
    const details = [
      task.baseModel,
      this.names.datasetName ?? `dataset #${task.datasetId}`,
      this.names.hostName ?? (task.gpuHostId === null ? 'no host' : `host #${task.gpuHostId}`),
    ];
    return html`<header>
      <h1>${task.name}</h1>
      <span class="status ${task.status}" data-status=${task.status}>${task.status}</span>
      <span class="connection" data-connection=${this.connection.state}
        >${describeConnection(this.connection)}</span
      >
      <span class="actions">
        ${running ? this.actionButton('stop', 'Stop') : nothing}
        ${resumable ? this.actionButton('resume', 'Resume') : nothing}
        ${restartable ? this.actionButton('start', task.status === 'pending' ? 'Start' : 'Start Over') : nothing}
        ${this.actionButton('openReport', 'Open Report')}
      </span>
      <p class="details">${details.join(' · ')}</p>
    </header>`;
  }

  private actionButton(action: 'start' | 'stop' | 'resume' | 'openReport', label: string) {
    return html`<vscode-button
      appearance="secondary"
      data-action=${action}
      @click=${() => this.channel.post({ type: 'taskAction', action })}
      >${label}</vscode-button
    >`;
  }

  private renderProgress(task: ApiTrainingTask) {
    const { progress } = task;
    const parts = [
      `${progress.percent.toFixed(1)}%`,
      `step ${progress.step}${progress.totalSteps === null ? '' : `/${progress.totalSteps}`}`,
    ];
    if (progress.epoch !== null) {
      parts.push(`epoch ${progress.epoch.toFixed(2)}`);
    }
    if (progress.elapsedMs !== null) {
      parts.push(`${formatDuration(progress.elapsedMs)} elapsed`);
    }
    if (progress.remainingMs !== null && task.status === 'running') {
      parts.push(`${formatDuration(progress.remainingMs)} left`);
    }
    return html`<div class="progress">
        <progress max="100" .value=${progress.percent} aria-label="Progress"></progress>
        <span class="progress-text">${parts.join(' · ')}</span>
      </div>
      ${
        task.errorTail !== null && task.status === 'failed'
          ? html`<details class="error-tail" open>
              <summary>Exit code ${task.exitCode ?? 'unknown'}: the end of train.log</summary>
              <pre>${task.errorTail}</pre>
            </details>`
          : nothing
      }`;
  }

  private renderNotice() {
    const notice = this.notice;
    if (notice === undefined) {
      return nothing;
    }
    return html`<div
      class="notice ${notice.level}"
      role=${notice.level === 'error' ? 'alert' : 'status'}
    >
      <span>${notice.message}</span>
      <button class="link-button" aria-label="Dismiss" @click=${() => (this.notice = undefined)}>
        ✕
      </button>
    </div>`;
  }

  private renderCharts() {
    const palette = paletteOf(this);
    const last = this.metrics.at(-1);
    const lastEval = this.metrics.findLast((metric) => metric.evalLoss !== null);
    return html`
      <div class="chart-toolbar">
        <label class="inline" for="smoothing">Smoothing</label>
        <input
          id="smoothing"
          type="range"
          min="0"
          max=${MAX_SMOOTHING}
          step="0.01"
          .value=${String(this.view.smoothing)}
          @input=${this.onSmoothing}
        />
        <output for="smoothing">${this.view.smoothing.toFixed(2)}</output>
        ${this.renderOverlayPicker()}
      </div>
      <p class="latest">${describeLatest(last, lastEval)}</p>
      <div class="charts-grid">
        <training-chart
          heading="Loss"
          .lines=${lossLines(this.metrics, this.overlays, this.view.smoothing, palette)}
        ></training-chart>
        <training-chart
          heading="Learning rate"
          .lines=${learningRateLines(this.metrics, this.overlays, palette)}
        ></training-chart>
      </div>
    `;
  }

  private renderOverlayPicker() {
    const chips = this.overlays.map(
      (overlay) =>
        html`<span class="chip" data-overlay=${overlay.taskId}
          >${overlay.name}<button
            class="link-button"
            aria-label=${`Remove ${overlay.name}`}
            @click=${() => this.channel.post({ type: 'removeOverlay', taskId: overlay.taskId })}
          >
            ✕
          </button></span
        >`,
    );
    const candidates = this.candidates;
    const picker =
      candidates === undefined
        ? html`<button
            class="link-button"
            id="compare"
            @click=${() => this.channel.post({ type: 'listOverlayCandidates' })}
          >
            Compare with…
          </button>`
        : html`<select
            id="overlay-picker"
            aria-label="Task to compare with"
            @change=${this.onOverlayPicked}
          >
            <option value="" selected>Pick a task…</option>
            ${candidates.map(
              (candidate) =>
                html`<option value=${candidate.taskId}>
                  ${candidate.name} (${candidate.status})
                </option>`,
            )}
          </select>`;
    return html`<span class="overlays">${picker} ${chips}</span>`;
  }

  private renderReport() {
    const report = this.report;
    if (report === undefined || report === 'loading') {
      return html`<p>Loading the report…</p>`;
    }
    return html`<div class="report-toolbar">
        <button class="link-button" @click=${() => this.loadReport()}>Reload</button>
      </div>
      ${
        report.markdown === null
          ? html`<p class="notice error">${report.error}</p>`
          : html`<div class="markdown-body">
              ${unsafeHTML(renderMarkdown(report.markdown, { highlight: false }))}
            </div>`
      }`;
  }

  private selectTab(tab: Tab): void {
    this.view = { ...this.view, tab };
    this.saveView();
    if (tab === 'report') {
      this.loadReport();
    }
  }

  private loadReport(): void {
    this.report = 'loading';
    this.channel.post({ type: 'loadReport' });
  }

  private saveView(): void {
    const taskId = this.task?.id ?? this.channel.state?.taskId;
    if (taskId !== undefined) {
      this.channel.state = { taskId, ...this.view };
    }
  }

  private readonly onSmoothing = (event: Event) => {
    const smoothing = Number((event.target as HTMLInputElement).value);
    this.view = { ...this.view, smoothing: Math.min(Math.max(smoothing, 0), MAX_SMOOTHING) };
    this.saveView();
  };

  private readonly onOverlayPicked = (event: Event) => {
    const taskId = Number((event.target as HTMLSelectElement).value);
    this.candidates = undefined;
    if (Number.isInteger(taskId) && taskId > 0) {
      this.channel.post({ type: 'addOverlay', taskId });
    }
  };

  private readonly onLogFollow = (event: CustomEvent<MonitorEventDetails['log-follow']>) => {
    this.view = { ...this.view, follow: event.detail.follow };
    this.saveView();
  };

  private readonly onLogLevels = (event: CustomEvent<MonitorEventDetails['log-levels']>) => {
    this.view = { ...this.view, levels: event.detail.levels };
    this.saveView();
  };

  private readonly onLogExport = (event: CustomEvent<MonitorEventDetails['log-export']>) => {
    this.channel.post({ type: 'exportLog', lines: event.detail.lines });
  };
}

customElements.define('training-monitor-app', TrainingMonitorApp);

declare global {
  interface HTMLElementTagNameMap {
    'training-monitor-app': TrainingMonitorApp;
  }
}
