import * as vscode from 'vscode';
import type { ApiTrainingTask } from '../../../shared/src/api/training.js';
import type { TrainingApi } from './trainingApi.js';

/** The view type of the HTML report panels. */
export const REPORT_VIEW_TYPE = 'llmWorkbench.trainingReport';

/**
 * Opens the server's Markdown report of a task in VS Code's Markdown preview. The text goes into
 * an untitled Markdown document, which the preview renders; the document itself is not shown.
 */
export async function openMarkdownReport(
  api: TrainingApi,
  task: ApiTrainingTask,
): Promise<vscode.TextDocument> {
  const markdown = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Loading the report of {0}…', task.name),
    },
    () => api.reportText(task.id, 'md'),
  );
  const document = await vscode.workspace.openTextDocument({
    content: markdown,
    language: 'markdown',
  });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  return document;
}

/**
 * Opens the server's HTML report of a task in a webview without scripts. Its CSP allows only the
 * report's inline styles and data images, so nothing in it runs or loads.
 */
export async function openHtmlReport(
  api: TrainingApi,
  task: ApiTrainingTask,
  extensionUri: vscode.Uri,
): Promise<vscode.WebviewPanel> {
  const html = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Loading the report of {0}…', task.name),
    },
    () => api.reportText(task.id, 'html'),
  );
  const panel = vscode.window.createWebviewPanel(
    REPORT_VIEW_TYPE,
    vscode.l10n.t('Report: {0}', task.name),
    vscode.ViewColumn.Active,
    { enableScripts: false, localResourceRoots: [] },
  );
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'workbench.svg');
  panel.webview.html = withStrictCsp(html);
  return panel;
}

/** Puts a CSP that forbids scripts and remote content at the start of the report's head. */
export function withStrictCsp(html: string): string {
  const meta =
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; ' +
    "style-src 'unsafe-inline'; img-src data:\">";
  const head = /<head[^>]*>/i.exec(html);
  if (head === null) {
    return `<!doctype html><html><head>${meta}</head><body>${html}</body></html>`;
  }
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}${meta}${html.slice(at)}`;
}
