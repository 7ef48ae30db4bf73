// Checks of the content of a prompt that is saved to the library, and the variables stored with it.
import {
  parsePrompt,
  validatePrompt,
  type PromptDiagnostic,
  type PromptFormat,
  type VariableDeclaration,
} from '../../../shared/src/prompts/index.js';
import { badRequest, HttpError } from '../errors.js';
import { runPromptFunction } from './promptErrors.js';

/** Every problem is returned on save, so the limit is only a guard against runaway output. */
const MAX_SAVED_DIAGNOSTICS = 200;

/** The content of a prompt to save, checked, with the variables to store beside it. */
export interface CheckedContent {
  variables: VariableDeclaration[];
  /** Warnings and notes of the validator; a prompt with errors is never saved. */
  diagnostics: PromptDiagnostic[];
}

/** The sources of the declared variables of content without front matter. */
export interface VariableSource {
  /** The list the request sent; rejected for a custom file with front matter. */
  given?: readonly (string | VariableDeclaration)[];
  /** The stored list, used when the request sent none. */
  stored?: readonly VariableDeclaration[];
}

/**
 * Validates prompt content with the shared validator and works out its declared variables: the
 * front matter's list for a custom file with front matter, else the given list, else the stored
 * one, else every variable the content uses. Throws 400 `invalid_prompt` with the error
 * diagnostics in `details.diagnostics` when the content has errors, and 400 when a list is
 * given for a file with front matter.
 */
export function checkContent(
  format: PromptFormat,
  content: string,
  { given, stored }: VariableSource = {},
): CheckedContent {
  const declared = given === undefined ? stored && [...stored] : toDeclarations(given);
  const result = runPromptFunction(() =>
    validatePrompt(format, content, {
      ...(declared === undefined ? {} : { variables: declared }),
      maxDiagnostics: MAX_SAVED_DIAGNOSTICS,
    }),
  );
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) {
    throw invalidPrompt(format, errors);
  }
  // Custom front matter is in the document's metadata, even when it declares nothing.
  const metadata = format === 'custom' ? parsePrompt(format, content).metadata : undefined;
  if (metadata !== undefined && given !== undefined) {
    throw badRequest(
      'validation_failed',
      'Invalid body.variables: a custom prompt with front matter declares its variables there; ' +
        'remove "variables" from the request or list them in the front matter.',
      {
        issues: [{ field: 'body.variables', message: 'must be absent when there is front matter' }],
      },
    );
  }
  const variables =
    metadata !== undefined
      ? (metadata.variables ?? [])
      : (declared ?? usedVariableNames(format, content).map((name) => ({ name })));
  return { variables, diagnostics: result.diagnostics };
}

function invalidPrompt(format: PromptFormat, errors: PromptDiagnostic[]): HttpError {
  const [first] = errors;
  const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
  const where = first ? ` Line ${first.line}, column ${first.column}: ${first.message}` : '';
  return new HttpError(
    400,
    'invalid_prompt',
    `The ${format} prompt has ${count}; fix ${errors.length === 1 ? 'it' : 'them'} and save again.${where}`,
    { details: { diagnostics: errors } },
  );
}

/** Returns declarations for names and entries alike, without empty fields. */
export function toDeclarations(
  variables: readonly (string | VariableDeclaration)[],
): VariableDeclaration[] {
  return variables.map((variable) =>
    typeof variable === 'string'
      ? { name: variable }
      : {
          name: variable.name,
          ...(variable.description === undefined ? {} : { description: variable.description }),
          ...(variable.default === undefined ? {} : { default: variable.default }),
        },
  );
}

/**
 * Returns the variables a prompt uses, in order of first use. Checked against an empty declared
 * list, each used variable gets an `undeclared-variable` diagnostic whose fix names it.
 */
export function usedVariableNames(format: PromptFormat, content: string): string[] {
  const { diagnostics } = validatePrompt(format, content, {
    variables: [],
    maxDiagnostics: Number.MAX_SAFE_INTEGER,
  });
  const names = diagnostics
    .filter((diagnostic) => diagnostic.code === 'undeclared-variable')
    .flatMap((diagnostic) => diagnostic.fix?.declareVariables ?? []);
  return [...new Set(names)];
}
