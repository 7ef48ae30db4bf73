import * as vscode from 'vscode';
import type { ApiGpuHost, ApiTrainingTask } from '../../../shared/src/api/training.js';
import type { ApiUser } from '../../../shared/src/api/users.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import { QuickInputPrompts, type PromptUi } from '../commands/promptUi.js';
import type { Logger } from '../log.js';
import { vscodeTrainingDialogs, type TrainingDialogs } from '../training/dialogs.js';
import { TrainingApi } from '../training/trainingApi.js';
import { GpuHostNode, GpuHostsGroupNode } from './nodes/gpuHostNode.js';
import { MessageNode } from './nodes/messageNode.js';
import { TASK_GROUPS, TrainingGroupNode } from './nodes/trainingGroupNode.js';
import { TrainingTaskNode, type TaskReferenceNames } from './nodes/trainingTaskNode.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const TRAINING_TASKS_VIEW_ID = 'llmWorkbench.trainingTasks';

/** How often the view reloads while a task runs, is queued or is stopping, in milliseconds. */
export const TRAINING_POLL_INTERVAL_MS = 3000;

/** Every kind of item in the Training Tasks view. */
export type TrainingTreeNode =
  TrainingGroupNode | TrainingTaskNode | GpuHostsGroupNode | GpuHostNode | MessageNode;

/** The data one load of the view read from the server. */
interface ViewSnapshot {
  tasks: ApiTrainingTask[];
  /** Null for users who are not admins. */
  gpuHosts: ApiGpuHost[] | null;
  hostNames: Map<number, string>;
  datasetNames: Map<number, string>;
}

/**
 * The Training Tasks view: tasks grouped as running, queued, pending and finished, and for admins
 * the GPU hosts. While a task is active the view polls the task list every few seconds and
 * reloads only when something changed. It stops once no task is active. After it reported a
 * change it waits for VS Code to load the view again, which VS Code does for a hidden view only
 * once the view shows.
 */
export class TrainingTasksView extends ServerTreeProvider<TrainingTreeNode> {
  readonly api: TrainingApi;
  /** The steps of the GPU host form. The in-host tests replace it with scripted replies. */
  prompts: PromptUi;
  /** The modal dialogs and file pickers of the commands. The in-host tests replace them. */
  dialogs: TrainingDialogs = vscodeTrainingDialogs;
  private snapshot: ViewSnapshot | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollFailed = false;

  constructor(client: ApiClient, store: SessionStore, log: Logger) {
    super(TRAINING_TASKS_VIEW_ID, store, log);
    this.api = new TrainingApi(client, store);
    const prompts = new QuickInputPrompts(log);
    this.prompts = prompts;
    this.disposables.push(prompts, { dispose: () => clearTimeout(this.pollTimer) });
  }

  /** Returns the signed-in user, or undefined when signed out. */
  currentUser(): Promise<ApiUser | undefined> {
    return this.store.user();
  }

  /** The tasks of the last load, newest first. */
  get tasks(): readonly ApiTrainingTask[] {
    return this.snapshot?.tasks ?? [];
  }

  /** Whether the view is polling because a task is active. */
  get polling(): boolean {
    return this.pollTimer !== undefined;
  }

  /** Names the host and dataset of a task from the last load. */
  namesOf(task: ApiTrainingTask): TaskReferenceNames {
    return {
      hostName: task.gpuHostId === null ? undefined : this.snapshot?.hostNames.get(task.gpuHostId),
      datasetName: this.snapshot?.datasetNames.get(task.datasetId),
    };
  }

  protected async loadRoots(): Promise<TrainingTreeNode[]> {
    const snapshot = await this.load();
    this.snapshot = snapshot;
    this.schedulePoll(snapshot);
    // Shows the GPU host commands in menus and the Command Palette to admins only.
    await vscode.commands.executeCommand(
      'setContext',
      'llmWorkbench.trainingTasks.admin',
      snapshot.gpuHosts !== null,
    );

    const roots: TrainingTreeNode[] = [];
    for (const group of TASK_GROUPS) {
      const statuses: readonly string[] = group.statuses;
      const tasks = snapshot.tasks.filter((task) => statuses.includes(task.status));
      if (tasks.length > 0) {
        roots.push(new TrainingGroupNode(group.key, tasks, group.icon));
      }
    }
    if (snapshot.gpuHosts !== null) {
      if (roots.length === 0) {
        roots.push(
          new MessageNode(vscode.l10n.t('No training tasks yet: Create Training Task'), 'add', {
            title: vscode.l10n.t('Create Training Task'),
            command: 'llmWorkbench.trainingTasks.create',
          }),
        );
      }
      roots.push(new GpuHostsGroupNode(snapshot.gpuHosts));
    }
    return roots;
  }

  protected override loadChildren(parent: TrainingTreeNode): Promise<TrainingTreeNode[]> {
    if (parent instanceof TrainingGroupNode) {
      return Promise.resolve(
        parent.tasks.map((task) => new TrainingTaskNode(task, this.namesOf(task))),
      );
    }
    if (parent instanceof GpuHostsGroupNode) {
      if (parent.hosts.length === 0) {
        return Promise.resolve([
          new MessageNode(vscode.l10n.t('No GPU hosts yet: Add GPU Host'), 'add', {
            title: vscode.l10n.t('Add GPU Host'),
            command: 'llmWorkbench.trainingTasks.addGpuHost',
          }),
        ]);
      }
      return Promise.resolve(parent.hosts.map((host) => new GpuHostNode(host)));
    }
    return Promise.resolve([]);
  }

  private async load(): Promise<ViewSnapshot> {
    const user = await this.store.user();
    const admin = user?.role === 'admin';
    const [tasks, hostChoices, datasets, gpuHosts] = await Promise.all([
      this.api.listTasks(),
      this.api.hostChoices(),
      // The names only decorate tooltips, so a failed dataset list leaves ids there.
      this.api.datasets().catch((error: unknown) => {
        this.log.warn('Training Tasks view: listing datasets for their names failed', error);
        return { datasets: [] };
      }),
      admin ? this.api.listGpuHosts() : Promise.resolve(null),
    ]);
    return {
      tasks,
      gpuHosts,
      hostNames: new Map(hostChoices.map((host) => [host.id, host.name])),
      datasetNames: new Map(datasets.datasets.map((dataset) => [dataset.id, dataset.name])),
    };
  }

  /** Polls again after a while when a task can change by itself. */
  private schedulePoll(snapshot: ViewSnapshot): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const active = snapshot.tasks.some((task) =>
      ['running', 'stopping', 'queued'].includes(task.status),
    );
    if (active) {
      this.pollTimer = setTimeout(() => void this.poll(), TRAINING_POLL_INTERVAL_MS);
    }
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    const previous = this.snapshot;
    if ((await this.store.user()) === undefined || previous === undefined) {
      return;
    }
    let next: ViewSnapshot;
    try {
      next = await this.load();
      this.pollFailed = false;
    } catch (error) {
      if (!this.pollFailed) {
        this.log.warn('Training Tasks view: reloading the tasks failed; trying again', error);
      }
      this.pollFailed = true;
      this.schedulePoll(previous);
      return;
    }
    if (signature(next) === signature(previous)) {
      this.schedulePoll(next);
      return;
    }
    // The view loads again, so a tree that is not shown reads nothing until it shows.
    this.refresh();
  }
}

function signature(snapshot: ViewSnapshot): string {
  return JSON.stringify([snapshot.tasks, snapshot.gpuHosts]);
}
