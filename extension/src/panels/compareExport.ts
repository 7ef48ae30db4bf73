import os from 'node:os';
import * as vscode from 'vscode';
import type { CompareExportFormat, ComparisonSummary } from '../../../shared/src/api/compare.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { SessionStore } from '../auth/sessionStore.js';

/** The dialogs of the compare panel; the in-host tests replace them. */
export interface CompareDialogs {
  /** Asks where to save an export; resolves undefined when the user cancels. */
  pickExportTarget(defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined>;
  /** Asks which past comparison to open; resolves undefined when the user cancels. */
  pickComparison(comparisons: ComparisonSummary[]): Thenable<ComparisonSummary | undefined>;
}

export const vscodeCompareDialogs: CompareDialogs = {
  pickExportTarget(defaultUri) {
    return vscode.window.showSaveDialog({
      defaultUri,
      filters: { Markdown: ['md'], JSON: ['json'] },
      saveLabel: vscode.l10n.t('Export'),
      title: vscode.l10n.t('Export Comparison'),
    });
  },
  async pickComparison(comparisons) {
    const picked = await vscode.window.showQuickPick(
      comparisons.map((summary) => ({
        label: summary.prompt.split('\n', 1)[0] ?? '',
        description: summary.slots.map((slot) => slot.modelConfigName).join(' · '),
        detail: new Date(summary.createdAt).toLocaleString(),
        summary,
      })),
      {
        title: vscode.l10n.t('Comparison History'),
        placeHolder: vscode.l10n.t('Pick a comparison to open'),
        matchOnDescription: true,
      },
    );
    return picked?.summary;
  },
};

/** The client and session a download needs. */
export interface ExportServices {
  client: ApiClient;
  store: SessionStore;
}

/**
 * Asks where to save a comparison, then writes the server's export there. The file's extension
 * picks the format (md or json); any other extension gets `format`. Resolves with the file
 * written, or undefined when the user cancelled.
 */
export async function exportComparison(
  services: ExportServices,
  dialogs: CompareDialogs,
  comparisonId: number,
  format: CompareExportFormat,
): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const defaultUri = vscode.Uri.joinPath(folder, `comparison-${comparisonId}.${format}`);
  const target = await dialogs.pickExportTarget(defaultUri);
  if (target === undefined) {
    return undefined;
  }
  const extension = target.path.slice(target.path.lastIndexOf('.') + 1).toLowerCase();
  const chosen: CompareExportFormat =
    extension === 'json' || extension === 'md' ? extension : format;
  const bytes = await downloadExport(services, comparisonId, chosen);
  await vscode.workspace.fs.writeFile(target, bytes);
  return target;
}

/**
 * Downloads an export. ApiClient reads every answer as JSON, so the file is fetched here with the
 * session's access token. The comparison request before it refreshes the token when it has
 * expired.
 */
async function downloadExport(
  { client, store }: ExportServices,
  comparisonId: number,
  format: CompareExportFormat,
): Promise<Uint8Array> {
  await client.request('GET', `/api/compare/${comparisonId}`);
  const url = new URL(`/api/compare/${comparisonId}/export?format=${format}`, store.serverUrl());
  const token = store.accessToken();
  const response = await fetch(url, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      Partial<ApiErrorBody> | undefined;
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ??
        vscode.l10n.t(
          'The export of comparison {0} failed with HTTP {1}.',
          comparisonId,
          response.status,
        ),
      { requestId: response.headers.get('x-request-id') ?? undefined },
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}
