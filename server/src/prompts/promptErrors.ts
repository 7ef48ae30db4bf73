import { PromptError, type PromptErrorCode } from '../../../shared/src/prompts/index.js';
import { HttpError } from '../errors.js';

/**
 * HTTP status of each PromptError code. Input the request itself gets wrong is a 400; a
 * well-formed request that the prompt cannot honour (missing values, a value no Modelfile
 * quoting can hold) is a 422.
 */
const STATUS_BY_CODE: Record<PromptErrorCode, number> = {
  unsupported_format: 400,
  invalid_model: 400,
  invalid_prompt: 400,
  invalid_variable_value: 400,
  missing_variables: 422,
  unrepresentable_value: 422,
};

/** Turns a PromptError into the API error with the same code and details. */
export function promptHttpError(error: PromptError): HttpError {
  const { diagnostics, missing } = error.details;
  const details =
    diagnostics === undefined && missing === undefined
      ? undefined
      : { ...(diagnostics ? { diagnostics } : {}), ...(missing ? { missing } : {}) };
  return new HttpError(STATUS_BY_CODE[error.code], error.code, error.message, { details });
}

/** Runs a shared prompt function and throws its PromptError as the matching API error. */
export function runPromptFunction<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw error instanceof PromptError ? promptHttpError(error) : error;
  }
}
