// Helpers that the prompt commands share.
import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import { validatePrompt } from '../../../shared/src/prompts/index.js';
import { failureReason } from '../commands/commandSupport.js';
import { FORMAT_LABELS, PromptNode } from '../views/nodes/promptNode.js';
import type { PromptsView } from '../views/promptsView.js';
import type { DeclaredVariables } from './declaredVariables.js';
import { promptFormatOf } from './promptDiagnostics.js';

/**
 * Registers `llmWorkbench.prompts.<verb>`. A failure the command did not report itself, such as
 * an unreachable server, is shown as one sentence with Show Log.
 */
export function registerPromptCommand<Args extends unknown[]>(
  view: PromptsView,
  verb: string,
  title: string,
  run: (...args: Args) => Promise<unknown>,
): vscode.Disposable {
  return vscode.commands.registerCommand(`llmWorkbench.prompts.${verb}`, async (...args: Args) => {
    try {
      return await run(...args);
    } catch (error) {
      await view.prompts.showError(
        vscode.l10n.t('{0} failed: {1}', title, failureReason(error)),
        error,
      );
      return undefined;
    }
  });
}

/**
 * Returns the prompt of a tree item, or lets the user pick one when the command came from the
 * Command Palette. `filter` limits the choice, such as to the user's own prompts.
 */
export async function resolvePrompt(
  view: PromptsView,
  target: unknown,
  title: string,
  filter: (prompt: ApiPrompt) => boolean = () => true,
): Promise<ApiPrompt | undefined> {
  if (target instanceof PromptNode) {
    return target.prompt;
  }
  const prompts = (await view.api.listAll()).filter(filter);
  if (prompts.length === 0) {
    void view.prompts.notify('info', vscode.l10n.t('You have no prompts of your own yet.'));
    return undefined;
  }
  const result = await view.prompts.pick({
    title,
    step: 1,
    totalSteps: 1,
    placeholder: vscode.l10n.t('Choose a prompt'),
    items: prompts.map((prompt) => ({
      label: prompt.name,
      description: describePrompt(prompt),
      prompt,
    })),
  });
  return result?.action === 'next' ? result.value.prompt : undefined;
}

/** Returns "format · category · built-in" for lists of prompts. */
export function describePrompt(prompt: ApiPrompt): string {
  return [
    FORMAT_LABELS[prompt.format],
    ...(prompt.category === null ? [] : [prompt.category]),
    ...(prompt.isBuiltIn ? [vscode.l10n.t('built-in')] : []),
  ].join(' · ');
}

/** A prompt file open in an editor, with its format. */
export interface PromptFile {
  document: vscode.TextDocument;
  format: NonNullable<ReturnType<typeof promptFormatOf>>;
}

/**
 * Returns the prompt file a command acts on: the file it was run on from a menu, else the active
 * editor's document. Shows why and returns undefined when that is not a prompt file.
 */
export async function resolvePromptFile(
  view: PromptsView,
  uri: unknown,
): Promise<PromptFile | undefined> {
  const document =
    uri instanceof vscode.Uri
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
  if (document === undefined) {
    void view.prompts.notify(
      'info',
      vscode.l10n.t(
        'Open a prompt file first: *.prompt.json, Modelfile, *.modelfile or *.prompt.md.',
      ),
    );
    return undefined;
  }
  const format = promptFormatOf(document);
  if (format === undefined) {
    void view.prompts.notify(
      'warning',
      vscode.l10n.t(
        '{0} is not a prompt file; name it *.prompt.json, Modelfile, *.modelfile or *.prompt.md.',
        baseName(document.uri),
      ),
    );
    return undefined;
  }
  return { document, format };
}

/**
 * Shows the errors of a prompt file and returns false, or returns true when it has none. The
 * message offers the Problems panel, which lists each error.
 */
export function assertNoErrors(
  view: PromptsView,
  file: PromptFile,
  variables: DeclaredVariables,
): boolean {
  const declared = variables.listFor(file.document);
  const { diagnostics } = validatePrompt(file.format, file.document.getText(), {
    ...(declared === undefined ? {} : { variables: declared }),
  });
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const [first] = errors;
  if (first === undefined) {
    return true;
  }
  const showProblems = vscode.l10n.t('Show Problems');
  const name = baseName(file.document.uri);
  const message =
    errors.length === 1
      ? vscode.l10n.t(
          '{0} has 1 error; fix it first. Line {1}: {2}',
          name,
          first.line,
          first.message,
        )
      : vscode.l10n.t(
          '{0} has {1} errors; fix them first. Line {2}: {3}',
          name,
          errors.length,
          first.line,
          first.message,
        );
  void view.prompts.notify('error', message, showProblems).then(async (choice) => {
    if (choice === showProblems) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
  });
  return false;
}

/** Returns the last segment of a URI's path. */
export function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.path;
}
