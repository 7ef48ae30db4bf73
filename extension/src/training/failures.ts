import * as vscode from 'vscode';
import { ApiError, ServerUnreachableError, SignedOutError } from '../api/errors.js';

/**
 * Describes a failure in one sentence: the server's message for a rejected request, an
 * unreachable server or an ended session, and a pointer to the log for anything else.
 */
export function describeFailure(error: unknown): string {
  if (
    error instanceof ApiError ||
    error instanceof ServerUnreachableError ||
    error instanceof SignedOutError
  ) {
    return error.message;
  }
  return vscode.l10n.t('The request failed unexpectedly; the LLM Workbench log has the details.');
}
