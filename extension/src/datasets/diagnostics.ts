import * as vscode from 'vscode';
import { createDatasetValidator, MAX_LISTED_ISSUES } from '../../../shared/src/datasets/index.js';
import type {
  DatasetFileType,
  DatasetIssue,
  DatasetReport,
  DatasetWarning,
} from '../../../shared/src/datasets/types.js';
import type { Logger } from '../log.js';
import { DATASETS_SECTION, validateOpenFilesEnabled } from './settings.js';

/** The source the Problems panel shows for these diagnostics. */
export const DIAGNOSTIC_SOURCE = 'LLM Workbench';
/** The pause after the last edit before a document is validated again. */
const DEBOUNCE_MS = 300;
/** Text handed to the validator between yields to the extension host's event loop. */
const SLICE_CHARS = 512 * 1024;
/** Schemes of documents to validate. Others, such as git's in diff views, show copies. */
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote']);

/**
 * Validates the dataset files open in the editor with the same streaming validator the server
 * uses, and shows the first 100 errors and 100 warnings in the Problems panel. Validation runs on
 * the document's text (UTF-8 encoded, as the file would be uploaded), in slices with pauses so a
 * file of a few MB does not block the extension host, and again 300 ms after the last edit.
 */
export class DatasetDiagnostics implements vscode.Disposable {
  private readonly collection =
    vscode.languages.createDiagnosticCollection('llmWorkbench.datasets');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The document version each running validation started from, by URI. */
  private readonly running = new Map<string, number>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly log: Logger) {
    this.disposables = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) =>
        this.schedule(event.document, DEBOUNCE_MS),
      ),
      vscode.workspace.onDidCloseTextDocument((document) => this.clear(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${DATASETS_SECTION}.validateOpenFiles`)) {
          this.revalidateAll();
        }
      }),
    ];
    this.revalidateAll();
  }

  dispose(): void {
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private revalidateAll(): void {
    if (!validateOpenFilesEnabled()) {
      this.collection.clear();
      return;
    }
    for (const document of vscode.workspace.textDocuments) {
      this.schedule(document, 0);
    }
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!validateOpenFilesEnabled() || !SCHEMES.has(document.uri.scheme)) {
      return;
    }
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(document);
      }, delayMs),
    );
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.delete(key);
    this.collection.delete(uri);
  }

  private async validate(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const fileType = datasetFileTypeOf(document);
    if (fileType === undefined || document.isClosed) {
      this.collection.delete(document.uri);
      return;
    }
    const version = document.version;
    this.running.set(key, version);
    const started = Date.now();
    let report: DatasetReport | undefined;
    try {
      report = await validateText(document.getText(), fileType, () => {
        return this.running.get(key) !== version || document.version !== version;
      });
    } catch (error) {
      this.running.delete(key);
      this.log.error(`Validating ${document.uri.toString()} failed`, error);
      return;
    }
    if (report === undefined || this.running.get(key) !== version || !validateOpenFilesEnabled()) {
      // A newer edit, a close or the setting came first; a newer validation replaces this one.
      return;
    }
    this.running.delete(key);
    this.collection.set(document.uri, diagnosticsOf(document, report));
    this.log.debug(
      `Validated ${document.uri.fsPath} as ${fileType.toUpperCase()} in ${Date.now() - started} ms: ` +
        `${report.errorCount} errors, ${report.warningCount} warnings`,
    );
  }
}

/**
 * Top-level keys of dataset records in LLaMA-Factory's Alpaca, ShareGPT, OpenAI-messages,
 * pretraining and preference layouts. A prompt file's `{role, content}` messages have none of them.
 */
const DATASET_ARRAY_START =
  /^\uFEFF?\s*\[\s*\{[^]*?"(?:instruction|output|conversations|messages|text|chosen|rejected)"\s*:/;
/** How much of a JSON document's start is searched for those keys. */
const JSON_SNIFF_CHARS = 4096;

/**
 * Returns the dataset file type of a document, or undefined when it is not a dataset. JSONL and
 * CSV files count by name, and untitled files by the JSON Lines language. A JSON file counts only
 * when its text starts as an array of objects with a dataset key, and never when it is a prompt
 * file (`*.prompt.json`), which the prompt diagnostics check.
 */
export function datasetFileTypeOf(document: vscode.TextDocument): DatasetFileType | undefined {
  const name = document.uri.path.toLowerCase();
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || document.languageId === 'jsonl') {
    return 'jsonl';
  }
  if (name.endsWith('.csv')) {
    return 'csv';
  }
  if (!name.endsWith('.json') || name.endsWith('.prompt.json')) {
    return undefined;
  }
  const start = document.getText(
    new vscode.Range(new vscode.Position(0, 0), document.positionAt(JSON_SNIFF_CHARS)),
  );
  return DATASET_ARRAY_START.test(start) ? 'json' : undefined;
}

/**
 * Validates text in slices, yielding to the event loop between them. Resolves undefined when
 * `stale` reports that the text changed meanwhile.
 */
async function validateText(
  text: string,
  fileType: DatasetFileType,
  stale: () => boolean,
): Promise<DatasetReport | undefined> {
  const validator = createDatasetValidator({ fileType });
  const encoder = new TextEncoder();
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + SLICE_CHARS, text.length);
    // Keeps a surrogate pair in one slice, so each slice encodes to whole UTF-8 characters.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) {
      end += 1;
    }
    validator.push(encoder.encode(text.slice(start, end)));
    start = end;
    if (start < text.length) {
      await new Promise((resolve) => setImmediate(resolve));
      if (stale()) {
        return undefined;
      }
    }
  }
  return validator.end();
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Returns the first 100 errors and warnings, and a note on line 1 about any left out. */
function diagnosticsOf(document: vscode.TextDocument, report: DatasetReport): vscode.Diagnostic[] {
  const errors = report.errors.slice(0, MAX_LISTED_ISSUES);
  const warnings = report.warnings.slice(0, MAX_LISTED_ISSUES);
  const diagnostics = [
    ...errors.map((issue) => diagnosticOf(document, issue, vscode.DiagnosticSeverity.Error)),
    ...warnings.map((warning: DatasetWarning) => {
      const diagnostic = diagnosticOf(document, warning, vscode.DiagnosticSeverity.Warning);
      diagnostic.code = warning.code;
      return diagnostic;
    }),
  ];
  const unlisted = report.errorCount - errors.length + (report.warningCount - warnings.length);
  if (unlisted > 0) {
    const note = new vscode.Diagnostic(
      document.lineAt(0).range,
      vscode.l10n.t(
        'The file has {0} errors and {1} warnings; only the first {2} of each are listed.',
        report.errorCount,
        report.warningCount,
        MAX_LISTED_ISSUES,
      ),
      vscode.DiagnosticSeverity.Information,
    );
    note.source = DIAGNOSTIC_SOURCE;
    diagnostics.push(note);
  }
  return diagnostics;
}

/** Places an issue from its column to the end of its line, or on the whole line's text. */
function diagnosticOf(
  document: vscode.TextDocument,
  issue: DatasetIssue,
  severity: vscode.DiagnosticSeverity,
): vscode.Diagnostic {
  const lineIndex = Math.min(Math.max(issue.line, 1), document.lineCount) - 1;
  const line = document.lineAt(lineIndex);
  const startColumn =
    issue.column === undefined
      ? line.firstNonWhitespaceCharacterIndex
      : Math.min(issue.column - 1, line.text.length);
  // An issue at the end of a line still gets a squiggle: on the line's last character.
  const start = startColumn < line.text.length ? startColumn : Math.max(0, line.text.length - 1);
  const range = new vscode.Range(lineIndex, start, lineIndex, line.text.length);
  const diagnostic = new vscode.Diagnostic(range, issue.message, severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}
