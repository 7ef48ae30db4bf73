// Save to Library: stores the prompt file in the editor as a new library prompt, or as the new
// content of the library prompt it was opened from.
import * as vscode from 'vscode';
import type { ApiPrompt, SavedPromptResponse } from '../../../shared/src/api/prompts.js';
import {
  parsePrompt,
  type PromptMetadata,
  type VariableDeclaration,
} from '../../../shared/src/prompts/index.js';
import type { FieldCheck } from '../commands/providerFields.js';
import type { PromptsView } from '../views/promptsView.js';
import { assertNoErrors, baseName, type PromptFile } from './commandSupport.js';
import type { DeclaredVariables } from './declaredVariables.js';
import { FORMAT_EXTENSIONS, type PromptDocuments } from './promptDocuments.js';

/** The server's limits on a prompt's name and category. */
const MAX_NAME_LENGTH = 191;
const MAX_CATEGORY_LENGTH = 64;

export interface SaveDependencies {
  view: PromptsView;
  documents: PromptDocuments;
  variables: DeclaredVariables;
}

/**
 * Saves a prompt file to the library and returns the saved prompt, or undefined when the file has
 * errors or the user cancelled. A file opened from one of the user's prompts can update it.
 */
export async function saveToLibrary(
  deps: SaveDependencies,
  file: PromptFile,
): Promise<ApiPrompt | undefined> {
  const { view, documents } = deps;
  if (!assertNoErrors(view, file, deps.variables)) {
    return undefined;
  }

  const metadata = frontMatterOf(file);
  const link = documents.linkOf(file.document.uri);
  const update =
    link !== undefined && !link.isBuiltIn ? await chooseUpdate(view, link.name) : false;
  if (update === undefined) {
    return undefined;
  }

  const saved =
    update && link !== undefined
      ? await view.api.update(link.id, {
          format: file.format,
          content: file.document.getText(),
          ...variablesField(deps, file, metadata),
        })
      : await createFromFile(deps, file, { metadata, linkedName: link?.name });
  if (saved === undefined) {
    return undefined;
  }

  documents.link(file.document.uri, saved.prompt);
  view.refresh();
  reportSaved(view, saved);
  return saved.prompt;
}

/** Asks for the new prompt's name and category, then creates it; undefined when cancelled. */
async function createFromFile(
  deps: SaveDependencies,
  file: PromptFile,
  { metadata, linkedName }: { metadata: PromptMetadata | undefined; linkedName?: string },
): Promise<SavedPromptResponse | undefined> {
  const labels = await askLabels(deps.view, defaultName(file, metadata, linkedName), metadata);
  if (labels === undefined) {
    return undefined;
  }
  return deps.view.api.create({
    ...labels,
    format: file.format,
    content: file.document.getText(),
    ...(metadata?.description === undefined ? {} : { description: metadata.description }),
    ...variablesField(deps, file, metadata),
  });
}

/** Asks whether to update the linked prompt or save a new one; undefined when cancelled. */
async function chooseUpdate(view: PromptsView, name: string): Promise<boolean | undefined> {
  const update = { label: vscode.l10n.t('Update "{0}"', name), update: true };
  const create = { label: vscode.l10n.t('Save as New Prompt'), update: false };
  const result = await view.prompts.pick({
    title: vscode.l10n.t('Save to Library'),
    step: 1,
    totalSteps: 1,
    placeholder: vscode.l10n.t('This file was opened from "{0}"', name),
    items: [update, create],
    activeItem: update,
  });
  return result?.action === 'next' ? result.value.update : undefined;
}

/** Asks for the name and the category of a new prompt; Back on the category returns to the name. */
async function askLabels(
  view: PromptsView,
  name: string,
  metadata: PromptMetadata | undefined,
): Promise<{ name: string; category: string | null } | undefined> {
  const title = vscode.l10n.t('Save to Library');
  for (;;) {
    const named = await view.prompts.input({
      title,
      step: 1,
      totalSteps: 2,
      prompt: vscode.l10n.t('Name of the prompt in your library'),
      value: name,
      validate: (value) => checkLabel(value, MAX_NAME_LENGTH, false),
    });
    if (named?.action !== 'next') {
      return undefined;
    }
    name = named.value.trim();
    const category = await view.prompts.input({
      title,
      step: 2,
      totalSteps: 2,
      prompt: vscode.l10n.t('Category, such as Engineering; leave it empty for none'),
      value: metadata?.category ?? '',
      validate: (value) => checkLabel(value, MAX_CATEGORY_LENGTH, true),
    });
    if (category === undefined) {
      return undefined;
    }
    if (category.action === 'next') {
      const trimmed = category.value.trim();
      return { name, category: trimmed === '' ? null : trimmed };
    }
  }
}

function checkLabel(value: string, maxLength: number, optional: boolean): FieldCheck | undefined {
  const trimmed = value.trim();
  if (trimmed === '' && !optional) {
    return { severity: 'error', message: vscode.l10n.t('Enter a name.') };
  }
  if (trimmed.length > maxLength) {
    return {
      severity: 'error',
      message: vscode.l10n.t('Use at most {0} characters.', maxLength),
    };
  }
  return undefined;
}

/** Returns the name a new prompt starts with: the front matter's, the linked one, or the file's. */
function defaultName(
  file: PromptFile,
  metadata: PromptMetadata | undefined,
  linkedName: string | undefined,
): string {
  if (metadata?.name !== undefined) {
    return metadata.name;
  }
  if (linkedName !== undefined) {
    return linkedName;
  }
  const fileName = baseName(file.document.uri);
  const suffix = FORMAT_EXTENSIONS[file.format];
  return fileName.toLowerCase().endsWith(suffix) ? fileName.slice(0, -suffix.length) : fileName;
}

function frontMatterOf(file: PromptFile): PromptMetadata | undefined {
  return file.format === 'custom'
    ? parsePrompt(file.format, file.document.getText()).metadata
    : undefined;
}

/**
 * Returns the `variables` field for the request: none for a file with front matter, which
 * declares them itself, else the file's declared list when it has one. Without a list the server
 * declares the variables the content uses.
 */
function variablesField(
  deps: SaveDependencies,
  file: PromptFile,
  metadata: PromptMetadata | undefined,
): { variables?: VariableDeclaration[] } {
  if (metadata !== undefined) {
    return {};
  }
  const declared = deps.variables.listFor(file.document);
  return declared === undefined ? {} : { variables: [...declared] };
}

function reportSaved(view: PromptsView, saved: SavedPromptResponse): void {
  const warnings = saved.diagnostics.filter((diagnostic) => diagnostic.severity === 'warning');
  if (warnings.length === 0) {
    void view.prompts.notify(
      'info',
      vscode.l10n.t('Saved "{0}" to the prompt library.', saved.prompt.name),
    );
    return;
  }
  void view.prompts.notify(
    'warning',
    vscode.l10n.t(
      'Saved "{0}" to the prompt library with {1} warnings; the Problems panel lists them.',
      saved.prompt.name,
      warnings.length,
    ),
  );
}
