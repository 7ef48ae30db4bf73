import * as vscode from 'vscode';
import type { ApiTrainingTask } from '../../../shared/src/api/training.js';

/** Formats milliseconds as `45 s`, `12 min` or `3 h 05 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) {
    return vscode.l10n.t('{0} s', seconds);
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return vscode.l10n.t('{0} min', minutes);
  }
  const hours = Math.floor(minutes / 60);
  return vscode.l10n.t('{0} h {1} min', hours, String(minutes % 60).padStart(2, '0'));
}

/** Formats the step as `120/300`, or `120` while the total is unknown. */
export function formatSteps(task: ApiTrainingTask): string {
  const { step, totalSteps } = task.progress;
  return totalSteps === null ? String(step) : `${step}/${totalSteps}`;
}

/** Describes the state of a task in a few words: progress, queue place or how it ended. */
export function describeProgress(task: ApiTrainingTask): string {
  const { progress } = task;
  switch (task.status) {
    case 'running': {
      if (progress.step === 0 && progress.totalSteps === null) {
        return vscode.l10n.t('starting');
      }
      const parts = [
        `${Math.floor(progress.percent)}%`,
        vscode.l10n.t('step {0}', formatSteps(task)),
      ];
      if (progress.remainingMs !== null) {
        parts.push(vscode.l10n.t('{0} left', formatDuration(progress.remainingMs)));
      }
      return parts.join(' · ');
    }
    case 'stopping':
      return vscode.l10n.t('stopping at step {0}', formatSteps(task));
    case 'queued':
      return task.queuePosition === null
        ? vscode.l10n.t('queued')
        : vscode.l10n.t('queued · #{0}', task.queuePosition);
    case 'pending':
      return vscode.l10n.t('not started');
    case 'completed':
      return ranFor(task, vscode.l10n.t('completed'));
    case 'failed':
      return task.exitCode === null
        ? vscode.l10n.t('failed')
        : vscode.l10n.t('failed (exit code {0})', task.exitCode);
    case 'stopped':
      return vscode.l10n.t('stopped at step {0}', formatSteps(task));
  }
}

function ranFor(task: ApiTrainingTask, status: string): string {
  if (task.startedAt === null || task.finishedAt === null) {
    return status;
  }
  const duration = Date.parse(task.finishedAt) - Date.parse(task.startedAt);
  return `${status} · ${formatDuration(duration)}`;
}
