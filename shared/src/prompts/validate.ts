import { analyzePrompt } from './analyze.js';
import type { PromptFormat, ValidateOptions, ValidationResult } from './types.js';

/**
 * Checks a prompt file and returns its problems, each with an exact range, a stable code and,
 * where the fix is clear, quick-fix edits. Throws a PromptError for an unknown format.
 */
export function validatePrompt(
  format: PromptFormat,
  content: string,
  options: ValidateOptions = {},
): ValidationResult {
  const { sink } = analyzePrompt(format, content, options.variables);
  return sink.toResult(options.maxDiagnostics);
}
