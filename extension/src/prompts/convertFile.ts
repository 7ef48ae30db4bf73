// Convert Prompt File: converts the prompt file in the editor to another format with the shared
// converter and opens the result in a new untitled editor beside it.
import * as vscode from 'vscode';
import {
  convertPrompt,
  PROMPT_FORMATS,
  PromptError,
  type ConversionWarning,
  type PromptFormat,
} from '../../../shared/src/prompts/index.js';
import type { Logger } from '../log.js';
import { FORMAT_LABELS } from '../views/nodes/promptNode.js';
import type { PromptsView } from '../views/promptsView.js';
import { assertNoErrors, baseName, type PromptFile } from './commandSupport.js';
import type { DeclaredVariables } from './declaredVariables.js';
import { FORMAT_EXTENSIONS, type PromptDocuments } from './promptDocuments.js';

export interface ConvertDependencies {
  view: PromptsView;
  documents: PromptDocuments;
  variables: DeclaredVariables;
  log: Logger;
}

/** The converted document and what the target format could not hold. */
export interface ConvertedFile {
  document: vscode.TextDocument;
  warnings: ConversionWarning[];
}

/**
 * Converts a prompt file after asking for the target format, and for a Modelfile its base model.
 * Returns undefined when the file has errors or the user cancelled.
 */
export async function convertFile(
  deps: ConvertDependencies,
  file: PromptFile,
): Promise<ConvertedFile | undefined> {
  const { view } = deps;
  if (!assertNoErrors(view, file, deps.variables)) {
    return undefined;
  }
  const target = await askTarget(view, file.format);
  if (target === undefined) {
    return undefined;
  }
  let result;
  try {
    result = convertPrompt(file.format, target.format, file.document.getText(), {
      ...(target.model === undefined ? {} : { model: target.model }),
    });
  } catch (error) {
    if (error instanceof PromptError) {
      void view.prompts.notify('error', error.message);
      return undefined;
    }
    throw error;
  }
  const declared = deps.variables.listFor(file.document);
  const document = await deps.documents.openNew(
    stripExtension(baseName(file.document.uri), file.format),
    target.format,
    result.content,
    declared,
  );
  reportWarnings(deps, target.format, result.warnings);
  return { document, warnings: result.warnings };
}

async function askTarget(
  view: PromptsView,
  from: PromptFormat,
): Promise<{ format: PromptFormat; model?: string } | undefined> {
  const title = vscode.l10n.t('Convert Prompt File');
  const items = PROMPT_FORMATS.filter((format) => format !== from).map((format) => ({
    label: FORMAT_LABELS[format],
    description: `*${FORMAT_EXTENSIONS[format]}`,
    format,
  }));
  for (;;) {
    const picked = await view.prompts.pick({
      title,
      step: 1,
      totalSteps: 2,
      placeholder: vscode.l10n.t('Convert {0} to', FORMAT_LABELS[from]),
      items,
    });
    if (picked?.action !== 'next') {
      return undefined;
    }
    const { format } = picked.value;
    if (format !== 'ollama') {
      return { format };
    }
    const model = await view.prompts.input({
      title,
      step: 2,
      totalSteps: 2,
      prompt: vscode.l10n.t('Base model for the FROM line, such as llama3.2; empty leaves <model>'),
      validate: (value) =>
        /[\r\n]/.test(value)
          ? { severity: 'error', message: vscode.l10n.t('Enter the model on one line.') }
          : undefined,
    });
    if (model === undefined) {
      return undefined;
    }
    if (model.action === 'next') {
      const trimmed = model.value.trim();
      return trimmed === '' ? { format } : { format, model: trimmed };
    }
  }
}

function reportWarnings(
  deps: ConvertDependencies,
  to: PromptFormat,
  warnings: readonly ConversionWarning[],
): void {
  const [first] = warnings;
  if (first === undefined) {
    return;
  }
  for (const warning of warnings) {
    deps.log.warn(`Conversion to ${to}: ${warning.code}: ${warning.message}`);
  }
  const showLog = vscode.l10n.t('Show Log');
  const message =
    warnings.length === 1
      ? vscode.l10n.t('Converted to {0} with a warning: {1}', FORMAT_LABELS[to], first.message)
      : vscode.l10n.t(
          'Converted to {0} with {1} warnings, the first: {2}',
          FORMAT_LABELS[to],
          warnings.length,
          first.message,
        );
  void deps.view.prompts.notify('warning', message, showLog).then((choice) => {
    if (choice === showLog) {
      deps.log.show();
    }
  });
}

function stripExtension(fileName: string, format: PromptFormat): string {
  const suffix = FORMAT_EXTENSIONS[format];
  if (fileName.toLowerCase().endsWith(suffix)) {
    return fileName.slice(0, -suffix.length);
  }
  return fileName.toLowerCase() === 'modelfile' ? 'Modelfile' : fileName;
}
