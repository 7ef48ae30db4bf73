import * as vscode from 'vscode';
import type { ApiTrainingTask } from '../../../shared/src/api/training.js';
import type {
  TrainingFormDataset,
  TrainingFormHostMessage,
  TrainingFormSubmitRequest,
  TrainingFormWebviewMessage,
} from '../../../shared/src/protocol/training.js';
import { ApiError } from '../api/errors.js';
import type { TrainingDependencies } from '../commands/trainingCommands.js';
import { describeFailure } from '../training/failures.js';
import { WebviewPanelHost, type PanelOptions } from './webviewPanelHost.js';

export const TRAINING_FORM_VIEW_TYPE = 'llmWorkbench.trainingForm';

const OPTIONS: PanelOptions = {
  viewType: TRAINING_FORM_VIEW_TYPE,
  title: 'New Training Task',
  bundle: 'training-form',
  rootElement: 'training-form-app',
};

type FormHost = WebviewPanelHost<TrainingFormHostMessage, TrainingFormWebviewMessage>;

/**
 * The host side of the task form: it sends the server's defaults, explanations and ranges with
 * the datasets and GPU hosts to choose from, and creates (and starts) the task the form submits.
 * A 400 from the server goes back to the form as messages per field. One form at a time.
 */
export class TrainingFormPanel implements vscode.Disposable {
  private static current: TrainingFormPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<TrainingFormHostMessage>();
  /** Fires for every message sent to the webview; the in-host tests read the panel through it. */
  readonly onDidPost = this.posted.event;
  /** The task the form created last; the in-host tests read it. */
  created: ApiTrainingTask | undefined;
  /** True once the form closed. */
  disposed = false;

  private constructor(
    private readonly host: FormHost,
    private readonly deps: TrainingDependencies,
  ) {
    this.disposables.push(
      host,
      this.posted,
      host.onDidReceiveMessage((message) => void this.handle(message)),
      host.onDidDispose(() => this.dispose()),
      deps.store.onDidChange((change) => {
        if (change.kind !== 'refreshed') {
          void this.sendInit();
        }
      }),
    );
  }

  /** Opens the form, or reveals the open one. */
  static show(deps: TrainingDependencies): TrainingFormPanel {
    const open = TrainingFormPanel.current;
    if (open !== undefined) {
      open.host.panel.reveal();
      return open;
    }
    const host = WebviewPanelHost.open<TrainingFormHostMessage, TrainingFormWebviewMessage>(
      deps.extensionUri,
      OPTIONS,
      deps.log,
    );
    TrainingFormPanel.current = new TrainingFormPanel(host, deps);
    return TrainingFormPanel.current;
  }

  /** Registers the serializer that brings the form back after a reload; its fields are in its state. */
  static registerSerializer(deps: TrainingDependencies): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(TRAINING_FORM_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => {
        TrainingFormPanel.current?.dispose();
        const host = new WebviewPanelHost<TrainingFormHostMessage, TrainingFormWebviewMessage>(
          panel,
          deps.extensionUri,
          OPTIONS,
          deps.log,
        );
        TrainingFormPanel.current = new TrainingFormPanel(host, deps);
        return Promise.resolve();
      },
    });
  }

  /** The open form, or undefined. */
  static get open(): TrainingFormPanel | undefined {
    return TrainingFormPanel.current;
  }

  /**
   * Handles a message from the webview; a submit resolves once the task was created and started,
   * or rejected. Failures are logged and shown, never thrown.
   */
  async handle(message: TrainingFormWebviewMessage): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          return await this.sendInit();
        case 'reloadChoices':
          return await this.post({ type: 'choices', ...(await this.loadChoices()) }).then(
            () => undefined,
          );
        case 'submit':
          return await this.submit(message);
        case 'cancel':
          this.dispose();
          return;
        case 'signIn':
          await vscode.commands.executeCommand('llmWorkbench.account.signIn');
          return;
        default:
          return;
      }
    } catch (error) {
      this.deps.log.showError(
        vscode.l10n.t('The training form failed: {0}', describeFailure(error)),
        error,
      );
    }
  }

  dispose(): void {
    this.disposed = true;
    if (TrainingFormPanel.current === this) {
      TrainingFormPanel.current = undefined;
    }
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private post(message: TrainingFormHostMessage): Thenable<boolean> {
    this.posted.fire(message);
    return this.host.post(message);
  }

  private async sendInit(): Promise<void> {
    if ((await this.deps.store.user()) === undefined) {
      await this.post({ type: 'init', signedIn: false, defaults: null, datasets: [], hosts: [] });
      return;
    }
    const [defaults, choices] = await Promise.all([
      this.deps.view.api.defaults(),
      this.loadChoices(),
    ]);
    await this.post({ type: 'init', signedIn: true, defaults, ...choices });
  }

  private async loadChoices() {
    const { api } = this.deps.view;
    const [datasets, hosts] = await Promise.all([api.datasets(), api.hostChoices()]);
    return {
      datasets: datasets.datasets.map((dataset): TrainingFormDataset => ({
        id: dataset.id,
        name: dataset.name,
        schema: dataset.schema,
        recordCount: dataset.recordCount,
        invalidCount: dataset.invalidCount,
      })),
      hosts,
    };
  }

  /** Creates the task and, when asked, starts it, with one progress notification for both. */
  private async submit(message: TrainingFormSubmitRequest): Promise<void> {
    const { api } = this.deps.view;
    await this.post({ type: 'busy', busy: true });
    let task: ApiTrainingTask;
    try {
      task = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Creating the training task {0}…', message.request.name),
        },
        () => api.createTask(message.request),
      );
    } catch (error) {
      await this.post({ type: 'busy', busy: false });
      if (error instanceof ApiError && error.status === 400) {
        await this.post({
          type: 'rejected',
          message: error.message,
          fieldErrors: fieldErrorsOf(error),
        });
        return;
      }
      throw error;
    }
    this.created = task;
    this.deps.log.info(`Created training task ${task.id} (${task.name})`);
    this.deps.view.refresh();
    this.dispose();
    if (message.start) {
      await vscode.commands.executeCommand('llmWorkbench.trainingTasks.start', task.id);
      return;
    }
    const start = vscode.l10n.t('Start');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Created the training task {0}.', task.name), start)
      .then((choice) =>
        choice === start
          ? vscode.commands.executeCommand('llmWorkbench.trainingTasks.start', task.id)
          : undefined,
      );
  }
}

/**
 * Maps the server's `details.issues` (`{field: 'body.parameters.learningRate', message}`) to the
 * form's field names without the `body.` prefix. The first message per field wins.
 */
export function fieldErrorsOf(error: ApiError): Record<string, string> {
  const issues = (
    error.details as { issues?: { field?: unknown; message?: unknown }[] } | undefined
  )?.issues;
  const fields: Record<string, string> = {};
  for (const issue of issues ?? []) {
    if (typeof issue.field !== 'string' || typeof issue.message !== 'string') {
      continue;
    }
    const field = issue.field.replace(/^body\./, '');
    fields[field] ??= issue.message;
  }
  return fields;
}
