import os from 'node:os';
import * as vscode from 'vscode';
import type { ApiTrainingTask } from '../../../shared/src/api/training.js';
import type {
  MonitorHostMessage,
  MonitorOverlay,
  MonitorState,
  MonitorWebviewMessage,
} from '../../../shared/src/protocol/training.js';
import type { TrainingDependencies } from '../commands/trainingCommands.js';
import { describeFailure } from '../training/failures.js';
import { TaskFollower } from '../training/taskFollower.js';
import { WebviewPanelHost, type PanelOptions } from './webviewPanelHost.js';

export const TRAINING_MONITOR_VIEW_TYPE = 'llmWorkbench.trainingMonitor';

const OPTIONS: PanelOptions = {
  viewType: TRAINING_MONITOR_VIEW_TYPE,
  title: 'Training Monitor',
  bundle: 'training-monitor',
  rootElement: 'training-monitor-app',
};

type MonitorHost = WebviewPanelHost<MonitorHostMessage, MonitorWebviewMessage>;

/**
 * The host side of a task's monitor, one panel per task. A TaskFollower keeps the task's
 * metrics and log from its event stream while the panel is open, whether shown or hidden. The
 * webview gets everything on `ready` and the changes afterwards. Overlays are other tasks'
 * metrics, read once when added.
 * NOTE: an overlay of a task that is still running does not grow; removing and adding it again
 * reads its metrics anew.
 */
export class TrainingMonitorPanel implements vscode.Disposable {
  private static readonly panels = new Map<number, TrainingMonitorPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<MonitorHostMessage>();
  /** Fires for every message sent to the webview; the in-host tests read the panel through it. */
  readonly onDidPost = this.posted.event;
  private follower: TaskFollower | undefined;
  /** The follower being created, so concurrent `ready` messages share one. */
  private following: Promise<TaskFollower> | undefined;
  /** Counts restarts; a follower created for an older one is dropped. */
  private generation = 0;
  private readonly overlays = new Map<number, MonitorOverlay>();
  private names: { datasetName: string | null; hostName: string | null } = {
    datasetName: null,
    hostName: null,
  };
  /** True from the webview's `ready` until it is hidden, which ends its page. */
  private ready = false;

  private constructor(
    private readonly host: MonitorHost,
    private readonly deps: TrainingDependencies,
    readonly taskId: number,
  ) {
    this.disposables.push(
      host,
      this.posted,
      host.onDidReceiveMessage((message) => void this.handle(message)),
      host.onDidDispose(() => this.dispose()),
      host.panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          this.ready = false;
        }
      }),
      deps.store.onDidChange((change) => {
        if (change.kind !== 'refreshed') {
          this.restart();
        }
      }),
    );
  }

  /** Opens the monitor of a task, or reveals the one already open. */
  static show(deps: TrainingDependencies, taskId: number): TrainingMonitorPanel {
    const open = TrainingMonitorPanel.panels.get(taskId);
    if (open !== undefined) {
      open.host.panel.reveal();
      return open;
    }
    const host = WebviewPanelHost.open<MonitorHostMessage, MonitorWebviewMessage>(
      deps.extensionUri,
      OPTIONS,
      deps.log,
    );
    return TrainingMonitorPanel.adopt(host, deps, taskId);
  }

  /** Registers the serializer that reopens each monitor on its task after a reload. */
  static registerSerializer(deps: TrainingDependencies): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(TRAINING_MONITOR_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: MonitorState | undefined) => {
        const host = new WebviewPanelHost<MonitorHostMessage, MonitorWebviewMessage>(
          panel,
          deps.extensionUri,
          OPTIONS,
          deps.log,
        );
        if (state === undefined || !Number.isInteger(state.taskId)) {
          host.dispose();
        } else {
          TrainingMonitorPanel.panels.get(state.taskId)?.dispose();
          TrainingMonitorPanel.adopt(host, deps, state.taskId);
        }
        return Promise.resolve();
      },
    });
  }

  /** The open monitor of a task, or undefined. */
  static forTask(taskId: number): TrainingMonitorPanel | undefined {
    return TrainingMonitorPanel.panels.get(taskId);
  }

  private static adopt(
    host: MonitorHost,
    deps: TrainingDependencies,
    taskId: number,
  ): TrainingMonitorPanel {
    const panel = new TrainingMonitorPanel(host, deps, taskId);
    TrainingMonitorPanel.panels.set(taskId, panel);
    return panel;
  }

  /** The follower of the task, once the webview asked for the task. */
  get taskFollower(): TaskFollower | undefined {
    return this.follower;
  }

  /**
   * Follows the task anew and sends the webview everything again, as after a start, a resume or
   * a new session, when the old stream ended or the server dropped the old metrics.
   */
  restart(): void {
    this.generation += 1;
    this.follower?.dispose();
    this.follower = undefined;
    this.following = undefined;
    if (this.ready) {
      void this.handle({ type: 'ready' });
    }
  }

  /**
   * Handles a message from the webview. The promise ends when the work it started ended; failures
   * are logged and shown in the panel, never thrown.
   */
  async handle(message: MonitorWebviewMessage): Promise<void> {
    try {
      await this.dispatch(message);
    } catch (error) {
      this.deps.log.error(`Training monitor of task ${this.taskId}: ${message.type} failed`, error);
      void this.post({ type: 'notice', level: 'error', message: describeFailure(error) });
    }
  }

  dispose(): void {
    if (TrainingMonitorPanel.panels.get(this.taskId) === this) {
      TrainingMonitorPanel.panels.delete(this.taskId);
    }
    this.follower?.dispose();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private async dispatch(message: MonitorWebviewMessage): Promise<void> {
    const { api } = this.deps.view;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        try {
          await this.sendInit();
        } catch (error) {
          // The webview would wait for the task forever; it shows the notice instead.
          await this.post(emptyInit(true));
          throw error;
        }
        return;
      case 'listOverlayCandidates': {
        const tasks = await api.listTasks();
        const candidates = tasks
          .filter((task) => task.id !== this.taskId && !this.overlays.has(task.id))
          .map((task) => ({ taskId: task.id, name: task.name, status: task.status }));
        await this.post({ type: 'overlayCandidates', candidates });
        return;
      }
      case 'addOverlay':
        return this.addOverlay(message.taskId);
      case 'removeOverlay':
        this.overlays.delete(message.taskId);
        await this.post({ type: 'overlays', overlays: [...this.overlays.values()] });
        return;
      case 'loadReport':
        return this.loadReport();
      case 'exportLog':
        return this.exportLog(message.lines);
      case 'taskAction': {
        const verb = message.action;
        await vscode.commands.executeCommand(`llmWorkbench.trainingTasks.${verb}`, this.taskId);
        return;
      }
      case 'signIn':
        await vscode.commands.executeCommand('llmWorkbench.account.signIn');
        return;
      default:
        return;
    }
  }

  private post(message: MonitorHostMessage): Thenable<boolean> {
    this.posted.fire(message);
    if (!this.ready && message.type !== 'init') {
      return Promise.resolve(false);
    }
    return this.host.post(message);
  }

  /** Sends the whole state, and starts following the task when nothing follows it yet. */
  private async sendInit(): Promise<void> {
    if ((await this.deps.store.user()) === undefined) {
      this.generation += 1;
      this.follower?.dispose();
      this.follower = undefined;
      this.following = undefined;
      await this.post(emptyInit(false));
      return;
    }
    const follower = await (this.following ??= this.follow(this.generation));
    this.host.panel.title = vscode.l10n.t('Training: {0}', follower.task.name);
    await this.post({
      type: 'init',
      signedIn: true,
      task: follower.task,
      ...this.names,
      metrics: follower.metrics,
      logLines: [...follower.lines],
      logTruncated: follower.droppedLines > 0,
      connection: follower.connection,
      overlays: [...this.overlays.values()],
    });
  }

  private async follow(generation: number): Promise<TaskFollower> {
    const { api } = this.deps.view;
    let task: ApiTrainingTask;
    try {
      task = await api.getTask(this.taskId);
    } catch (error) {
      this.following = undefined;
      throw error;
    }
    if (generation !== this.generation) {
      return (this.following ??= this.follow(this.generation));
    }
    // Only the current follower's reports reach the webview.
    const relay = (message: MonitorHostMessage) => {
      if (this.follower === follower) {
        void this.post(message);
      }
    };
    const follower: TaskFollower = new TaskFollower(
      task,
      api,
      {
        task: (changed) => relay({ type: 'task', task: changed }),
        metrics: (metrics) => relay({ type: 'metrics', metrics }),
        log: (lines, gap) => relay({ type: 'log', lines, gap }),
        connection: (connection) => relay({ type: 'connection', connection }),
      },
      this.deps.log,
    );
    this.follower = follower;
    void follower.run();
    void this.readNames(task);
    return follower;
  }

  /** Reads the names of the task's dataset and host for the header; a failure leaves ids. */
  private async readNames(task: ApiTrainingTask): Promise<void> {
    const { api } = this.deps.view;
    const [dataset, hosts] = await Promise.allSettled([
      api.datasetName(task.datasetId),
      api.hostChoices(),
    ]);
    this.names = {
      datasetName: dataset.status === 'fulfilled' ? dataset.value : null,
      hostName:
        hosts.status === 'fulfilled'
          ? (hosts.value.find((host) => host.id === task.gpuHostId)?.name ?? null)
          : null,
    };
    if (this.ready && this.follower !== undefined) {
      await this.sendInit();
    }
  }

  private async addOverlay(taskId: number): Promise<void> {
    const { api } = this.deps.view;
    const [task, metrics] = await Promise.all([api.getTask(taskId), api.metrics(taskId)]);
    this.overlays.set(taskId, { taskId, name: task.name, metrics });
    await this.post({ type: 'overlays', overlays: [...this.overlays.values()] });
  }

  private async loadReport(): Promise<void> {
    try {
      const markdown = await this.deps.view.api.reportText(this.taskId, 'md');
      await this.post({ type: 'report', markdown, error: null });
    } catch (error) {
      this.deps.log.warn(
        `Training monitor of task ${this.taskId}: reading the report failed`,
        error,
      );
      await this.post({ type: 'report', markdown: null, error: describeFailure(error) });
    }
  }

  private async exportLog(lines: readonly string[]): Promise<void> {
    const name = this.follower?.task.name ?? `task-${this.taskId}`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const safeName = name.replace(/[\\/:*?"<>|\s]+/g, '-').slice(0, 80) || `task-${this.taskId}`;
    const target = await this.deps.view.dialogs.pickLogTarget(
      vscode.Uri.joinPath(folder, `${safeName}-train.log`),
    );
    if (target === undefined) {
      return;
    }
    const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    await this.post({
      type: 'notice',
      level: 'info',
      message: vscode.l10n.t('Saved {0} log lines to {1}.', lines.length, target.fsPath),
    });
  }
}

function emptyInit(signedIn: boolean): MonitorHostMessage {
  return {
    type: 'init',
    signedIn,
    task: null,
    datasetName: null,
    hostName: null,
    metrics: [],
    logLines: [],
    logTruncated: false,
    connection: { state: 'ended' },
    overlays: [],
  };
}
