import * as vscode from 'vscode';
import type { PromptDiagnostic } from '../../../shared/src/prompts/index.js';
import { DIAGNOSTIC_SOURCE, toRange, type PromptDiagnostics } from './promptDiagnostics.js';

/** The internal command that a "Declare" quick fix runs: (uri, names). */
export const DECLARE_VARIABLES_COMMAND = 'llmWorkbench.prompts.declareVariables';

/**
 * Offers the validator's fixes as quick fixes: replace a misspelt role or parameter, add a
 * missing FROM line, declare a variable in the front matter, and so on. A fix that only adds to
 * the declared variables list runs DECLARE_VARIABLES_COMMAND instead of editing the file.
 */
export class PromptCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly diagnostics: PromptDiagnostics) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const checked = this.diagnostics.checkedDocument(document.uri);
    // Fixes of an older version would edit text that has moved; the next check brings new ones.
    if (checked === undefined || checked.version !== document.version) {
      return [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const shown of context.diagnostics) {
      if (shown.source !== DIAGNOSTIC_SOURCE) {
        continue;
      }
      const entry = checked.entries.find((candidate) =>
        sameDiagnostic(candidate.diagnostic, shown),
      );
      const fix = entry?.source.fix;
      if (entry !== undefined && fix !== undefined) {
        actions.push(toAction(document, entry.source, shown));
      }
    }
    return actions;
  }
}

function toAction(
  document: vscode.TextDocument,
  source: PromptDiagnostic,
  shown: vscode.Diagnostic,
): vscode.CodeAction {
  const fix = source.fix!;
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [shown];
  action.isPreferred = true;
  if (fix.edits.length > 0) {
    const bomShift = document.getText().startsWith('\uFEFF') ? 1 : 0;
    const edit = new vscode.WorkspaceEdit();
    for (const change of fix.edits) {
      edit.replace(document.uri, toRange(change.range, bomShift), change.newText);
    }
    action.edit = edit;
  }
  if (fix.declareVariables !== undefined && fix.declareVariables.length > 0) {
    action.command = {
      title: fix.title,
      command: DECLARE_VARIABLES_COMMAND,
      arguments: [document.uri, fix.declareVariables],
    };
  }
  return action;
}

function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return (
    a.range.isEqual(b.range) &&
    a.message === b.message &&
    codeValue(a.code) === codeValue(b.code) &&
    a.severity === b.severity
  );
}

function codeValue(code: vscode.Diagnostic['code']): string | number | undefined {
  return typeof code === 'object' ? code.value : code;
}
