import * as vscode from 'vscode';
import type { ApiDataset, ApiDatasetDetail } from '../../../shared/src/api/datasets.js';
import { renderReport, type ReportSubject } from './reportMarkdown.js';
import type { DatasetSourceFiles } from './sourceFiles.js';

/** The scheme of the read-only report documents. */
export const REPORT_SCHEME = 'llm-workbench-report';
/** Opens a file at a line and column: `(uri: string, line: number, column?: number)`, 1-based. */
export const OPEN_FILE_AT_LINE_COMMAND = 'llmWorkbench.datasets.openFileAtLine';

/** A Markdown link to a file, with an optional `#L<line>` or `#L<line>,<column>` anchor. */
const FILE_LINK = /\[([^\]\n]*)\]\((file:[^)\s]+)\)/g;
const LINE_ANCHOR = /^L(\d+)(?:,(\d+))?$/;

/**
 * The validation reports, as read-only Markdown documents under the `llm-workbench-report`
 * scheme. A stored dataset's report is loaded from the server when the document opens, so a
 * report tab restored in a new window still shows. In the editor, each issue's line links to the
 * local file the dataset was uploaded from, through OPEN_FILE_AT_LINE_COMMAND.
 */
export class ReportDocuments
  implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Reports of files the server did not store, by document path; they live for this window. */
  private readonly rejected = new Map<string, ReportSubject>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly loadDetail: (datasetId: number) => Promise<ApiDatasetDetail>,
    private readonly sources: DatasetSourceFiles,
  ) {
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this),
      vscode.languages.registerDocumentLinkProvider({ scheme: REPORT_SCHEME }, this),
      vscode.commands.registerCommand(OPEN_FILE_AT_LINE_COMMAND, openFileAtLine),
    ];
  }

  /** Returns the URI of a stored dataset's report. */
  uriOf(dataset: Pick<ApiDataset, 'id' | 'name'>): vscode.Uri {
    return vscode.Uri.from({
      scheme: REPORT_SCHEME,
      path: `/datasets/${dataset.id}/${fileNameOf(dataset.name)}.md`,
    });
  }

  /** Opens the report of a stored dataset, reloaded so it shows the current local file. */
  async showDataset(dataset: Pick<ApiDataset, 'id' | 'name'>): Promise<vscode.TextEditor> {
    await this.loadDetail(dataset.id);
    return this.show(this.uriOf(dataset));
  }

  /** Opens the report of a file the server rejected; it lasts as long as this window. */
  showRejected(subject: ReportSubject): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({
      scheme: REPORT_SCHEME,
      path: `/rejected/${this.rejected.size + 1}/${fileNameOf(subject.fileName)}.md`,
    });
    this.rejected.set(uri.path, subject);
    return this.show(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const rejected = this.rejected.get(uri.path);
    if (rejected !== undefined) {
      return renderReport(rejected);
    }
    const match = /^\/datasets\/(\d+)\//.exec(uri.path);
    if (match === null) {
      return vscode.l10n.t(
        'This report belonged to an upload in an earlier window; upload the file again to see it.',
      );
    }
    const detail = await this.loadDetail(Number(match[1]));
    return renderReport({
      dataset: detail,
      fileName: detail.originalFileName,
      report: detail.report,
      source: this.sources.get(detail.id),
    });
  }

  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const links: vscode.DocumentLink[] = [];
    for (let line = 0; line < document.lineCount; line += 1) {
      const text = document.lineAt(line).text;
      for (const match of text.matchAll(FILE_LINK)) {
        const start = match.index;
        const range = new vscode.Range(line, start, line, start + match[0].length);
        links.push(new vscode.DocumentLink(range, commandTarget(match[2] as string)));
      }
    }
    return links;
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private async show(uri: vscode.Uri): Promise<vscode.TextEditor> {
    // An open report document keeps its text until the provider announces a change.
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: false });
  }
}

/** Returns the command URI that opens a `file:` link at its line anchor. */
function commandTarget(link: string): vscode.Uri {
  const fileUri = vscode.Uri.parse(link, true);
  const anchor = LINE_ANCHOR.exec(fileUri.fragment);
  const args: [string, number, number?] = [fileUri.with({ fragment: '' }).toString(), 1];
  if (anchor !== null) {
    args[1] = Number(anchor[1]);
    if (anchor[2] !== undefined) {
      args[2] = Number(anchor[2]);
    }
  }
  return vscode.Uri.parse(
    `command:${OPEN_FILE_AT_LINE_COMMAND}?${encodeURIComponent(JSON.stringify(args))}`,
  );
}

/** Opens a file with the cursor at a 1-based line and column, clamped to the file's text. */
async function openFileAtLine(
  uri: string,
  line: number,
  column = 1,
): Promise<vscode.TextEditor | undefined> {
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true));
  } catch (error) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'Could not open {0}: {1}',
        uri,
        error instanceof Error ? error.message : String(error),
      ),
    );
    return undefined;
  }
  const lineIndex = Math.min(Math.max(line, 1), document.lineCount) - 1;
  const position = document.validatePosition(
    new vscode.Position(lineIndex, Math.max(column, 1) - 1),
  );
  return vscode.window.showTextDocument(document, {
    selection: new vscode.Range(position, position),
    preview: false,
  });
}

/** Makes a dataset or file name safe as the last part of a report's path. */
function fileNameOf(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are invalid in file names
  const cleaned = name.replace(/[\\/:*?"<>|#%\u0000-\u001f]+/g, ' ').trim();
  return cleaned === '' ? 'dataset' : cleaned.slice(0, 100);
}
