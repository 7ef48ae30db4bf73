import * as vscode from 'vscode';
import type { Logger } from '../log.js';
import type { PromptsView } from '../views/promptsView.js';
import { registerPromptCommand, resolvePromptFile } from './commandSupport.js';
import { convertFile } from './convertFile.js';
import { DeclaredVariables } from './declaredVariables.js';
import { registerLibraryCommands } from './libraryCommands.js';
import { DECLARE_VARIABLES_COMMAND, PromptCodeActions } from './promptCodeActions.js';
import { CHECKED_SCHEMES, PromptDiagnostics } from './promptDiagnostics.js';
import { PromptDocuments } from './promptDocuments.js';
import { saveToLibrary } from './saveToLibrary.js';

/**
 * Wires the prompt-file features: diagnostics and quick fixes, which work signed out, and the
 * prompt library commands of the Prompts view. Returns everything to dispose.
 */
export function registerPromptFeatures(view: PromptsView, log: Logger): vscode.Disposable[] {
  const variables = new DeclaredVariables();
  const diagnostics = new PromptDiagnostics(variables, log);
  const documents = new PromptDocuments(variables);
  // Prompt files are recognised by name, ignoring case, which a glob selector cannot do, so the
  // provider gets every document and returns fixes only for those the diagnostics checked.
  const selector = CHECKED_SCHEMES.map((scheme) => ({ scheme }));
  const fileDeps = { view, documents, variables, log };
  return [
    variables,
    diagnostics,
    documents,
    vscode.languages.registerCodeActionsProvider(
      selector,
      new PromptCodeActions(diagnostics),
      PromptCodeActions.metadata,
    ),
    registerPromptCommand(
      view,
      DECLARE_VARIABLES_COMMAND.slice('llmWorkbench.prompts.'.length),
      vscode.l10n.t('Declare Variables'),
      (uri: vscode.Uri, names: string[]) => variables.declare(uri, names),
    ),
    registerPromptCommand(
      view,
      'saveToLibrary',
      vscode.l10n.t('Save to Library'),
      async (uri?: unknown) => {
        const file = await resolvePromptFile(view, uri);
        return file === undefined ? undefined : saveToLibrary(fileDeps, file);
      },
    ),
    registerPromptCommand(
      view,
      'convert',
      vscode.l10n.t('Convert Prompt File'),
      async (uri?: unknown) => {
        const file = await resolvePromptFile(view, uri);
        return file === undefined ? undefined : convertFile(fileDeps, file);
      },
    ),
    ...registerLibraryCommands({ view, documents }),
  ];
}
