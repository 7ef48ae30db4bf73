import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../../shared/src/api/prompts.js';
import type { PromptFormat } from '../../../../shared/src/prompts/index.js';
import { escapeMarkdown } from '../markdown.js';

/** The name of each prompt format in the UI. */
export const FORMAT_LABELS: Record<PromptFormat, string> = {
  openai: 'OpenAI messages',
  ollama: 'Ollama Modelfile',
  custom: 'Custom Markdown',
};

/**
 * A prompt under its category in the Prompts view; selecting it opens it as a file. The context
 * value is `prompt.builtIn` for built-in templates, else `prompt.own` or `prompt.ownDefault`.
 */
export class PromptNode extends vscode.TreeItem {
  readonly kind = 'prompt';

  constructor(readonly prompt: ApiPrompt) {
    super(prompt.name, vscode.TreeItemCollapsibleState.None);
    this.id = `prompt:${prompt.id}`;
    const notes = [
      FORMAT_LABELS[prompt.format],
      ...(prompt.isBuiltIn ? [vscode.l10n.t('built-in')] : []),
      ...(prompt.isDefault ? [vscode.l10n.t('default')] : []),
    ];
    this.description = notes.join(' · ');
    this.tooltip = promptTooltip(prompt);
    this.iconPath = new vscode.ThemeIcon(promptIcon(prompt));
    this.contextValue = promptContext(prompt);
    this.command = {
      title: vscode.l10n.t('Open Prompt as File'),
      command: 'llmWorkbench.prompts.open',
      arguments: [this],
    };
  }
}

function promptIcon(prompt: ApiPrompt): string {
  if (prompt.isDefault) {
    return 'star-full';
  }
  return prompt.isBuiltIn ? 'library' : 'note';
}

function promptContext(prompt: ApiPrompt): string {
  if (prompt.isBuiltIn) {
    return 'prompt.builtIn';
  }
  return prompt.isDefault ? 'prompt.ownDefault' : 'prompt.own';
}

function promptTooltip(prompt: ApiPrompt): vscode.MarkdownString {
  const lines = [`**${escapeMarkdown(prompt.name)}** · ${FORMAT_LABELS[prompt.format]}`];
  if (prompt.description !== null) {
    lines.push('', escapeMarkdown(prompt.description));
  }
  lines.push('');
  if (prompt.isBuiltIn) {
    lines.push(vscode.l10n.t('Built-in template: copy it to change it'));
  }
  if (prompt.isDefault) {
    lines.push(vscode.l10n.t('Your default {0} prompt', FORMAT_LABELS[prompt.format]));
  }
  if (prompt.variables.length > 0) {
    const names = prompt.variables.map((variable) => escapeMarkdown(variable.name)).join(', ');
    lines.push(vscode.l10n.t('Variables: {0}', names));
  }
  return new vscode.MarkdownString(lines.join('  \n'));
}
