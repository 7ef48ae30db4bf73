import * as vscode from 'vscode';
import type { ApiTrainingTask, TrainingStatus } from '../../../../shared/src/api/training.js';

/** The groups of the Training Tasks view, in their order, with the statuses each contains. */
export const TASK_GROUPS = [
  { key: 'running', statuses: ['running', 'stopping'], icon: 'play-circle' },
  { key: 'queued', statuses: ['queued'], icon: 'clock' },
  { key: 'pending', statuses: ['pending'], icon: 'circle-large-outline' },
  { key: 'finished', statuses: ['completed', 'failed', 'stopped'], icon: 'history' },
] as const satisfies readonly {
  key: string;
  statuses: readonly TrainingStatus[];
  icon: string;
}[];

export type TaskGroupKey = (typeof TASK_GROUPS)[number]['key'];

function groupLabel(key: TaskGroupKey): string {
  switch (key) {
    case 'running':
      return vscode.l10n.t('Running');
    case 'queued':
      return vscode.l10n.t('Queued');
    case 'pending':
      return vscode.l10n.t('Pending');
    case 'finished':
      return vscode.l10n.t('Finished');
  }
}

/** A group of tasks by state, such as Running; the count is its description. */
export class TrainingGroupNode extends vscode.TreeItem {
  readonly kind = 'trainingGroup';

  constructor(
    readonly key: TaskGroupKey,
    readonly tasks: readonly ApiTrainingTask[],
    icon: string,
  ) {
    super(groupLabel(key), vscode.TreeItemCollapsibleState.Expanded);
    this.id = `trainingGroup:${key}`;
    this.description = String(tasks.length);
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = `trainingGroup.${key}`;
  }
}
