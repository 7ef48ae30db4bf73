import * as vscode from 'vscode';
import type { ApiTrainingTask, TrainingStatus } from '../../../../shared/src/api/training.js';
import { describeProgress, formatDuration } from '../../training/format.js';
import { codeText, escapeMarkdown } from '../markdown.js';

/** The codicon and theme colour of each status. */
const STATUS_ICONS: Record<TrainingStatus, { icon: string; color?: string }> = {
  pending: { icon: 'circle-large-outline' },
  queued: { icon: 'clock', color: 'charts.yellow' },
  running: { icon: 'sync~spin', color: 'charts.blue' },
  stopping: { icon: 'loading~spin', color: 'charts.orange' },
  completed: { icon: 'pass-filled', color: 'testing.iconPassed' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  stopped: { icon: 'debug-stop', color: 'disabledForeground' },
};

/** Names the task's references, for the tooltip; a missing one shows its id. */
export interface TaskReferenceNames {
  hostName: string | undefined;
  datasetName: string | undefined;
}

/**
 * A training task in the Training Tasks view; clicking it opens the monitor. The context value is
 * `trainingTask.<status>`, which the menus match to offer the commands the status allows.
 */
export class TrainingTaskNode extends vscode.TreeItem {
  readonly kind = 'trainingTask';

  constructor(
    readonly task: ApiTrainingTask,
    names: TaskReferenceNames,
  ) {
    super(task.name, vscode.TreeItemCollapsibleState.None);
    this.id = `trainingTask:${task.id}`;
    this.description = describeProgress(task);
    this.tooltip = taskTooltip(task, names);
    const { icon, color } = STATUS_ICONS[task.status];
    this.iconPath = new vscode.ThemeIcon(
      icon,
      color === undefined ? undefined : new vscode.ThemeColor(color),
    );
    this.contextValue = `trainingTask.${task.status}`;
    this.command = {
      title: vscode.l10n.t('Open Monitor'),
      command: 'llmWorkbench.trainingTasks.openMonitor',
      arguments: [this],
    };
  }
}

function taskTooltip(task: ApiTrainingTask, names: TaskReferenceNames): vscode.MarkdownString {
  const host =
    names.hostName ?? (task.gpuHostId === null ? vscode.l10n.t('deleted') : `#${task.gpuHostId}`);
  const dataset = names.datasetName ?? `#${task.datasetId}`;
  const lines = [
    `**${escapeMarkdown(task.name)}** · ${describeProgress(task)}`,
    '',
    vscode.l10n.t('Host: {0}', escapeMarkdown(host)),
    vscode.l10n.t('Base model: {0}', `\`${codeText(task.baseModel)}\``),
    vscode.l10n.t('Dataset: {0}', escapeMarkdown(dataset)),
  ];
  if (task.progress.elapsedMs !== null && task.status === 'running') {
    lines.push(vscode.l10n.t('Elapsed: {0}', formatDuration(task.progress.elapsedMs)));
  }
  if (task.errorTail !== null && task.status === 'failed') {
    const lastLine = task.errorTail.trim().split('\n').at(-1) ?? '';
    lines.push(vscode.l10n.t('Error: {0}', escapeMarkdown(lastLine)));
  }
  lines.push(vscode.l10n.t('Created: {0}', new Date(task.createdAt).toLocaleString()));
  return new vscode.MarkdownString(lines.join('  \n'));
}
