import type { PromptFormat } from './types.js';

/**
 * Returns the prompt format a file name implies: `*.prompt.json` is openai, `Modelfile` and
 * `*.modelfile` are ollama, and `*.prompt.md` is custom. Returns undefined for other names.
 * Directories in the name are ignored, and so is letter case.
 */
export function detectPromptFormat(fileName: string): PromptFormat | undefined {
  const baseName = (fileName.split(/[\\/]/).pop() ?? '').toLowerCase();
  if (baseName.endsWith('.prompt.json')) {
    return 'openai';
  }
  if (baseName === 'modelfile' || baseName.endsWith('.modelfile')) {
    return 'ollama';
  }
  if (baseName.endsWith('.prompt.md')) {
    return 'custom';
  }
  return undefined;
}
