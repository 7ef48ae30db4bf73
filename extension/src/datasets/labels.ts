import * as vscode from 'vscode';
import type { DatasetSchema } from '../../../shared/src/datasets/types.js';

/** Returns the display name of a record layout. */
export function schemaLabel(schema: DatasetSchema): string {
  switch (schema) {
    case 'alpaca':
      return 'Alpaca';
    case 'sharegpt':
      return 'ShareGPT';
    case 'openai':
      return vscode.l10n.t('OpenAI messages');
    case 'pretraining':
      return vscode.l10n.t('pretraining text');
    case 'preference':
      return vscode.l10n.t('preference');
    default:
      return vscode.l10n.t('unknown schema');
  }
}

/** Formats a byte count the way the Explorer does: 512 B, 1.5 KB, 12.3 MB (units of 1,024). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Formats a count with the user's digit grouping, such as 12,345. */
export function formatCount(count: number): string {
  return count.toLocaleString();
}
