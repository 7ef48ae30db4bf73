import * as vscode from 'vscode';
import type { ApiTrainingTask, TrainingStatus } from '../../../shared/src/api/training.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { TrainingFormPanel } from '../panels/trainingFormPanel.js';
import { TrainingMonitorPanel } from '../panels/trainingMonitorPanel.js';
import { registerGpuHostCommands } from '../training/gpuHostCommands.js';
import { openHtmlReport, openMarkdownReport } from '../training/reports.js';
import type { TrainingTasksView } from '../views/trainingTasksView.js';
import { failureReason } from './commandSupport.js';

/** Services of the training commands and panels. */
export interface TrainingDependencies {
  extensionUri: vscode.Uri;
  client: ApiClient;
  store: SessionStore;
  log: Logger;
  view: TrainingTasksView;
}

/** A task item of the Training Tasks view, as VS Code passes it to a menu command. */
export interface TaskTarget {
  task: ApiTrainingTask;
}

type TaskAction = 'start' | 'stop' | 'resume';

/** The statuses each action accepts, as the server decides. */
const ACTION_STATUSES: Record<TaskAction | 'delete', readonly TrainingStatus[]> = {
  start: ['pending', 'stopped', 'failed'],
  stop: ['queued', 'running'],
  resume: ['stopped', 'failed'],
  delete: ['pending', 'queued', 'completed', 'failed', 'stopped'],
};

/**
 * Registers the commands of the Training Tasks view (`llmWorkbench.trainingTasks.<verb>`), the GPU
 * host commands and the serializers that restore the form and monitor panels after a reload.
 * Open Monitor and Create Training Task return their panel, which the in-host tests drive.
 */
export function registerTrainingCommands(deps: TrainingDependencies): vscode.Disposable[] {
  const { view } = deps;
  return [
    register(deps, 'create', 'Create Training Task', () => TrainingFormPanel.show(deps)),
    register(deps, 'start', 'Start', (target) => runAction(deps, 'start', target)),
    register(deps, 'stop', 'Stop', (target) => runAction(deps, 'stop', target)),
    register(deps, 'resume', 'Resume', (target) => runAction(deps, 'resume', target)),
    register(deps, 'delete', 'Delete', (target) => deleteTask(deps, target)),
    register(deps, 'openMonitor', 'Open Monitor', async (target) => {
      const task = await resolveTask(deps, target, vscode.l10n.t('Pick a task to monitor'));
      return task === undefined ? undefined : TrainingMonitorPanel.show(deps, task.id);
    }),
    register(deps, 'openReport', 'Open Report', async (target) => {
      const task = await resolveTask(deps, target, vscode.l10n.t('Pick a task'));
      return task === undefined ? undefined : openMarkdownReport(view.api, task);
    }),
    register(deps, 'openHtmlReport', 'Open HTML Report', async (target) => {
      const task = await resolveTask(deps, target, vscode.l10n.t('Pick a task'));
      return task === undefined ? undefined : openHtmlReport(view.api, task, deps.extensionUri);
    }),
    ...registerGpuHostCommands(deps),
    TrainingFormPanel.registerSerializer(deps),
    TrainingMonitorPanel.registerSerializer(deps),
  ];
}

/**
 * Registers `llmWorkbench.trainingTasks.<verb>`. A failure the command did not report itself is
 * shown as one sentence with Show Log.
 */
function register(
  deps: TrainingDependencies,
  verb: string,
  title: string,
  run: (target?: TaskTarget | number) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(
    `llmWorkbench.trainingTasks.${verb}`,
    async (target?: TaskTarget | number) => {
      try {
        return await run(target);
      } catch (error) {
        deps.view.refresh();
        deps.log.showError(
          vscode.l10n.t('{0} failed: {1}', vscode.l10n.t(title), failureReason(error)),
          error,
        );
        return undefined;
      }
    },
  );
}

/**
 * Returns the task of a tree item or id, or lets the user pick one when the command came from
 * the Command Palette. `statuses` limits the choice to tasks the command accepts.
 */
async function resolveTask(
  deps: TrainingDependencies,
  target: TaskTarget | number | undefined,
  placeholder: string,
  statuses?: readonly TrainingStatus[],
): Promise<ApiTrainingTask | undefined> {
  if (typeof target === 'number') {
    return deps.view.api.getTask(target);
  }
  if (target?.task !== undefined) {
    return target.task;
  }
  const tasks = (await deps.view.api.listTasks()).filter(
    (task) => statuses === undefined || statuses.includes(task.status),
  );
  if (tasks.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No training task fits this command.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    tasks.map((task) => ({ label: task.name, description: task.status, task })),
    { placeHolder: placeholder },
  );
  return picked?.task;
}

/** Starts, stops or resumes a task with a progress notification, then refreshes the view. */
async function runAction(
  deps: TrainingDependencies,
  action: TaskAction,
  target: TaskTarget | number | undefined,
): Promise<ApiTrainingTask | undefined> {
  const { view } = deps;
  const task = await resolveTask(deps, target, pickPlaceholder(action), ACTION_STATUSES[action]);
  if (task === undefined) {
    return undefined;
  }
  if (action === 'stop' && task.status === 'running' && !(await view.dialogs.confirmStop(task))) {
    return undefined;
  }
  const changed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progressTitle(action, task) },
    () => view.api.act(task.id, action),
  );
  deps.log.info(`Training task ${task.id}: ${action} requested; the task is now ${changed.status}`);
  view.refresh();
  TrainingMonitorPanel.forTask(task.id)?.restart();
  if (changed.status === 'queued') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '{0} is queued as #{1}; it starts when its GPU host has a free run slot.',
        changed.name,
        changed.queuePosition ?? 1,
      ),
    );
  }
  return changed;
}

function pickPlaceholder(action: TaskAction): string {
  switch (action) {
    case 'start':
      return vscode.l10n.t('Pick a task to start');
    case 'stop':
      return vscode.l10n.t('Pick a task to stop');
    case 'resume':
      return vscode.l10n.t('Pick a task to resume from its last checkpoint');
  }
}

function progressTitle(action: TaskAction, task: ApiTrainingTask): string {
  switch (action) {
    case 'start':
      return vscode.l10n.t('Starting {0}: connecting and uploading the dataset…', task.name);
    case 'stop':
      return vscode.l10n.t('Stopping {0}…', task.name);
    case 'resume':
      return vscode.l10n.t('Resuming {0} from its last checkpoint…', task.name);
  }
}

/** Deletes a task after the modal confirmation, which also offers to delete the run directory. */
async function deleteTask(
  deps: TrainingDependencies,
  target: TaskTarget | number | undefined,
): Promise<boolean> {
  const { view } = deps;
  const task = await resolveTask(
    deps,
    target,
    vscode.l10n.t('Pick a task to delete'),
    ACTION_STATUSES.delete,
  );
  if (task === undefined) {
    return false;
  }
  const choice = await view.dialogs.confirmDelete(task);
  if (choice === undefined) {
    return false;
  }
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: choice.removeRunDir
        ? vscode.l10n.t('Deleting {0} and its run directory…', task.name)
        : vscode.l10n.t('Deleting {0}…', task.name),
    },
    () => view.api.deleteTask(task.id, choice.removeRunDir),
  );
  deps.log.info(
    `Deleted training task ${task.id}${choice.removeRunDir ? ' and its run directory' : ''}`,
  );
  TrainingMonitorPanel.forTask(task.id)?.dispose();
  view.refresh();
  return true;
}
