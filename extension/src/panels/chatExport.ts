import os from 'node:os';
import * as vscode from 'vscode';
import {
  CHAT_EXPORT_FORMATS,
  type ApiChatSession,
  type ChatExportFormat,
} from '../../../shared/src/api/chat.js';
import type { ChatApi } from './chatApi.js';

/** The dialogs of the chat panel; the in-host tests replace them. */
export interface ChatDialogs {
  /** Asks before a session is deleted; resolves true to delete. */
  confirmDelete(title: string): Thenable<boolean>;
  /** Asks where to save an export; resolves undefined when the user cancels. */
  pickExportTarget(defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined>;
}

const FILTERS: Record<string, string[]> = {
  Markdown: ['md'],
  'Plain text': ['txt'],
  JSON: ['json'],
};

export const vscodeDialogs: ChatDialogs = {
  async confirmDelete(title) {
    const remove = vscode.l10n.t('Delete');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the chat "{0}" and all its messages?', title),
      { modal: true },
      remove,
    );
    return choice === remove;
  },
  pickExportTarget(defaultUri) {
    return vscode.window.showSaveDialog({
      defaultUri,
      filters: FILTERS,
      saveLabel: vscode.l10n.t('Export'),
      title: vscode.l10n.t('Export Chat'),
    });
  },
};

/**
 * Exports a session: shows a save dialog, then writes the server's export to the chosen file. The file's
 * extension picks the format (txt, md or json); any other extension gets `format`. Resolves with
 * the file written, or undefined when the user cancelled.
 */
export async function exportChat(
  api: ChatApi,
  dialogs: ChatDialogs,
  session: ApiChatSession,
  format: ChatExportFormat,
): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const defaultUri = vscode.Uri.joinPath(folder, `${exportBaseName(session)}.${format}`);
  const target = await dialogs.pickExportTarget(defaultUri);
  if (target === undefined) {
    return undefined;
  }
  const extension = target.path.slice(target.path.lastIndexOf('.') + 1).toLowerCase();
  const chosen = (CHAT_EXPORT_FORMATS as readonly string[]).includes(extension)
    ? (extension as ChatExportFormat)
    : format;
  const file = await api.downloadExport(session.id, chosen);
  await vscode.workspace.fs.writeFile(target, file.bytes);
  return target;
}

/** Builds a file name from the session's title, without characters that file systems reject. */
export function exportBaseName(session: ApiChatSession): string {
  const cleaned = (session.title ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are invalid in file names
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
    .trim();
  return cleaned === '' ? `chat-${session.id}` : cleaned;
}
