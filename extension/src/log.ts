import * as vscode from 'vscode';
import { ApiError } from './api/errors.js';

/** The extension's log: one LogOutputChannel named "LLM Workbench". */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
  /** Shows one sentence to the user with a Show Log action; the details go to the log. */
  showError(message: string, error?: unknown): void;
  /** Reveals the log channel. */
  show(): void;
}

/** Creates the log channel; the caller disposes it. */
export function createLogger(): Logger & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('LLM Workbench', { log: true });
  const showLog = vscode.l10n.t('Show Log');
  return {
    debug: (message, ...details) => channel.debug(message, ...details.map(describe)),
    info: (message, ...details) => channel.info(message, ...details.map(describe)),
    warn: (message, ...details) => channel.warn(message, ...details.map(describe)),
    error: (message, ...details) => channel.error(message, ...details.map(describe)),
    showError(message, error) {
      channel.error(message, ...(error === undefined ? [] : [describe(error)]));
      void vscode.window.showErrorMessage(message, showLog).then((choice) => {
        if (choice === showLog) {
          channel.show(true);
        }
      });
    },
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}

function describe(detail: unknown): string {
  if (detail instanceof ApiError) {
    const request = detail.requestId === undefined ? '' : `, request id ${detail.requestId}`;
    return `${detail.name}: HTTP ${detail.status} ${detail.code}${request}: ${detail.message}`;
  }
  if (detail instanceof Error) {
    return detail.stack ?? `${detail.name}: ${detail.message}`;
  }
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}
