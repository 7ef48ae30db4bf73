import * as vscode from 'vscode';
import {
  detectPromptFormat,
  validatePrompt,
  type PromptDiagnostic,
  type PromptFormat,
  type TextRange,
} from '../../../shared/src/prompts/index.js';
import type { Logger } from '../log.js';
import type { DeclaredVariables } from './declaredVariables.js';

/** The source every prompt diagnostic shows in the Problems panel. */
export const DIAGNOSTIC_SOURCE = 'LLM Workbench';

/** Time after the last keystroke before a changed document is checked again. */
const DEBOUNCE_MS = 250;

const SEVERITIES: Record<PromptDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The diagnostics of one version of a document, with the validator's output behind each. */
export interface CheckedDocument {
  version: number;
  entries: { diagnostic: vscode.Diagnostic; source: PromptDiagnostic }[];
}

/**
 * Checks prompt files (`*.prompt.json`, `Modelfile`, `*.modelfile`, `*.prompt.md`) with the
 * shared validator as they are opened and edited, and shows the problems in the Problems panel.
 * Everything runs locally, so it works without a server or a session.
 */
export class PromptDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('llmWorkbench.prompts');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly checked = new Map<string, CheckedDocument>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly variables: DeclaredVariables,
    private readonly log: Logger,
  ) {
    this.disposables = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.clear(document.uri)),
      variables.onDidChange(() => this.checkAll()),
    ];
    this.checkAll();
  }

  /** Returns the diagnostics last computed for a document, for its quick fixes. */
  checkedDocument(uri: vscode.Uri): CheckedDocument | undefined {
    return this.checked.get(uri.toString());
  }

  /** Checks a document now, cancelling a pending check; other documents are ignored. */
  check(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const format = promptFormatOf(document);
    if (format === undefined) {
      return;
    }
    const text = document.getText();
    let diagnostics: PromptDiagnostic[];
    try {
      const declared = this.variables.listFor(document);
      diagnostics = validatePrompt(format, text, {
        ...(declared === undefined ? {} : { variables: declared }),
      }).diagnostics;
    } catch (error) {
      this.log.error(`Checking ${document.uri.toString(true)} failed`, error);
      return;
    }
    // The validator's ranges skip a byte order mark, which VS Code normally strips on load.
    const bomShift = text.startsWith('\uFEFF') ? 1 : 0;
    const entries = diagnostics.map((source) => ({
      source,
      diagnostic: toDiagnostic(source, bomShift),
    }));
    this.checked.set(key, { version: document.version, entries });
    this.collection.set(
      document.uri,
      entries.map((entry) => entry.diagnostic),
    );
  }

  private schedule(document: vscode.TextDocument): void {
    if (promptFormatOf(document) === undefined) {
      return;
    }
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.check(document), DEBOUNCE_MS),
    );
  }

  private checkAll(): void {
    for (const document of vscode.workspace.textDocuments) {
      this.check(document);
    }
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.checked.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

/**
 * Schemes of documents that are checked: files on disk, remote or virtual workspaces, and
 * untitled documents. Others, such as the old side of a git diff, are copies of those.
 */
export const CHECKED_SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs'];

/** Returns the prompt format of a document by its file name, or undefined for other files. */
export function promptFormatOf(document: vscode.TextDocument): PromptFormat | undefined {
  if (!CHECKED_SCHEMES.includes(document.uri.scheme)) {
    return undefined;
  }
  return detectPromptFormat(document.uri.path);
}

/** Converts a 1-based, end-exclusive range to a VS Code range. */
export function toRange(range: TextRange, bomShift = 0): vscode.Range {
  const shift = (line: number) => (line === 1 ? bomShift : 0);
  return new vscode.Range(
    range.line - 1,
    range.column - 1 + shift(range.line),
    range.endLine - 1,
    range.endColumn - 1 + shift(range.endLine),
  );
}

function toDiagnostic(source: PromptDiagnostic, bomShift: number): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    toRange(source, bomShift),
    source.message,
    SEVERITIES[source.severity],
  );
  diagnostic.source = DIAGNOSTIC_SOURCE;
  if (source.code !== undefined) {
    diagnostic.code = source.code;
  }
  return diagnostic;
}
