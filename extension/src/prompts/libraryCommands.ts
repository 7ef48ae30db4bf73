// Commands on the prompts of the library: open as a file, copy, set as default, delete, search.
import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import { FORMAT_LABELS } from '../views/nodes/promptNode.js';
import type { PromptsView } from '../views/promptsView.js';
import { registerPromptCommand, resolvePrompt } from './commandSupport.js';
import type { PromptDocuments } from './promptDocuments.js';
import { searchPrompts } from './searchPrompts.js';

export interface LibraryDependencies {
  view: PromptsView;
  documents: PromptDocuments;
}

const isOwn = (prompt: ApiPrompt) => !prompt.isBuiltIn;

/** Registers the commands of the Prompts view's items and of its title bar. */
export function registerLibraryCommands(deps: LibraryDependencies): vscode.Disposable[] {
  const { view } = deps;
  return [
    registerPromptCommand(view, 'open', vscode.l10n.t('Open Prompt as File'), (target?: unknown) =>
      openPrompt(deps, target),
    ),
    registerPromptCommand(view, 'copy', vscode.l10n.t('Copy to My Prompts'), (target?: unknown) =>
      copyPrompt(deps, target),
    ),
    registerPromptCommand(view, 'setDefault', vscode.l10n.t('Set as Default'), (target?: unknown) =>
      setDefault(deps, target),
    ),
    registerPromptCommand(view, 'delete', vscode.l10n.t('Delete Prompt'), (target?: unknown) =>
      deletePrompt(deps, target),
    ),
    registerPromptCommand(view, 'search', vscode.l10n.t('Search Prompts'), async () => {
      const prompt = await searchPrompts(view);
      return prompt === undefined ? undefined : deps.documents.openPrompt(prompt);
    }),
  ];
}

async function openPrompt(
  deps: LibraryDependencies,
  target: unknown,
): Promise<vscode.TextDocument | undefined> {
  const prompt = await resolvePrompt(deps.view, target, vscode.l10n.t('Open Prompt as File'));
  return prompt === undefined ? undefined : deps.documents.openPrompt(prompt);
}

async function copyPrompt(
  deps: LibraryDependencies,
  target: unknown,
): Promise<ApiPrompt | undefined> {
  const { view } = deps;
  const source = await resolvePrompt(view, target, vscode.l10n.t('Copy to My Prompts'));
  if (source === undefined) {
    return undefined;
  }
  const copy = await view.api.copy(source.id);
  view.refresh();
  const open = vscode.l10n.t('Open');
  void view.prompts
    .notify(
      'info',
      vscode.l10n.t('Copied "{0}" to your prompts as "{1}".', source.name, copy.name),
      open,
    )
    .then((choice) => (choice === open ? deps.documents.openPrompt(copy) : undefined));
  return copy;
}

/**
 * Makes a prompt the user's default of its format. A built-in template is copied first, after
 * the user agrees, because built-ins are read-only.
 */
async function setDefault(
  deps: LibraryDependencies,
  target: unknown,
): Promise<ApiPrompt | undefined> {
  const { view } = deps;
  const prompt = await resolvePrompt(view, target, vscode.l10n.t('Set as Default'));
  if (prompt === undefined) {
    return undefined;
  }
  const format = FORMAT_LABELS[prompt.format];
  let saved: ApiPrompt;
  if (prompt.isBuiltIn) {
    const action = vscode.l10n.t('Copy and Set as Default');
    const agreed = await view.prompts.confirm(
      vscode.l10n.t('Built-in prompt "{0}" is read-only.', prompt.name),
      vscode.l10n.t('Copy it to your prompts and make the copy your default {0} prompt?', format),
      action,
    );
    if (!agreed) {
      return undefined;
    }
    saved = await view.api.copy(prompt.id, { isDefault: true });
  } else {
    saved = (await view.api.update(prompt.id, { isDefault: true })).prompt;
  }
  view.refresh();
  void view.prompts.notify(
    'info',
    vscode.l10n.t('"{0}" is now your default {1} prompt.', saved.name, format),
  );
  return saved;
}

async function deletePrompt(deps: LibraryDependencies, target: unknown): Promise<boolean> {
  const { view } = deps;
  const prompt = await resolvePrompt(view, target, vscode.l10n.t('Delete Prompt'), isOwn);
  if (prompt === undefined) {
    return false;
  }
  if (prompt.isBuiltIn) {
    void view.prompts.notify(
      'warning',
      vscode.l10n.t('Built-in prompt "{0}" cannot be deleted.', prompt.name),
    );
    return false;
  }
  const action = vscode.l10n.t('Delete');
  const confirmed = await view.prompts.confirm(
    vscode.l10n.t('Delete prompt "{0}"?', prompt.name),
    vscode.l10n.t('This cannot be undone. Chat sessions that use it keep its text.'),
    action,
  );
  if (!confirmed) {
    return false;
  }
  await view.api.remove(prompt.id);
  deps.documents.unlinkPrompt(prompt.id);
  view.refresh();
  return true;
}
