import type { PromptDiagnostic } from './types.js';

/** Stable codes of the errors that prompt functions throw. */
export type PromptErrorCode =
  | 'unsupported_format'
  | 'invalid_model'
  | 'invalid_prompt'
  | 'missing_variables'
  | 'invalid_variable_value'
  | 'unrepresentable_value';

/** An error from a prompt function, with a stable code and the details behind it. */
export class PromptError extends Error {
  override name = 'PromptError';

  constructor(
    readonly code: PromptErrorCode,
    message: string,
    readonly details: {
      /** The error diagnostics of an invalid prompt. */
      diagnostics?: PromptDiagnostic[];
      /** Variables that have neither a value nor a default. */
      missing?: string[];
    } = {},
  ) {
    super(message);
  }
}
