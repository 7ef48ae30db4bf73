import { readValidPrompt } from './convert.js';
import type { PromptDocument } from './document.js';
import type { PromptFormat } from './types.js';

/**
 * Reads a prompt into its messages, plus its Modelfile settings or front matter, for callers
 * that send it to a model. Throws a PromptError with code `invalid_prompt` when it has errors.
 */
export function parsePrompt(format: PromptFormat, content: string): PromptDocument {
  return readValidPrompt(format, content).document;
}
