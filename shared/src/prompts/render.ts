import type { AnalyzedPrompt } from './analyze.js';
import { readValidPrompt } from './convert.js';
import { PromptError } from './errors.js';
import type { PromptFormat, RenderOptions, VariableDeclaration } from './types.js';
import { formatModelfileValue } from './modelfileQuote.js';
import { fillVariables, toDeclarations, type VariableUse } from './variables.js';

type Lookup = (name: string) => string | undefined;

/**
 * Fills the `{{variables}}` of a prompt with `values`, falling back to the defaults declared in
 * a custom file's front matter or in `options.variables`, and returns the prompt in the same
 * format. A custom file loses its front matter and the blank lines after it, because the front
 * matter describes the template rather than the prompt.
 *
 * Throws a PromptError with code `missing_variables` naming every variable without a value,
 * `invalid_variable_value` for a value that is not a string, `unrepresentable_value` for a
 * Modelfile value that no quoting can hold, or `invalid_prompt` when the prompt has errors.
 */
export function renderPrompt(
  format: PromptFormat,
  content: string,
  values: Readonly<Record<string, string>>,
  options: RenderOptions = {},
): string {
  const prompt = readValidPrompt(format, content);
  checkValues(values);
  const defaults = new Map<string, string>();
  const declarations: readonly (string | VariableDeclaration)[] =
    prompt.document.metadata?.variables ?? options.variables ?? [];
  for (const declaration of toDeclarations(declarations)) {
    if (declaration.default !== undefined) {
      defaults.set(declaration.name, declaration.default);
    }
  }
  const lookup: Lookup = (name) =>
    Object.hasOwn(values, name) ? values[name] : defaults.get(name);
  const missing = [...new Set(prompt.uses.map((use) => use.name))].filter(
    (name) => lookup(name) === undefined,
  );
  if (missing.length > 0) {
    throw new PromptError(
      'missing_variables',
      `No value for ${missing.length > 1 ? 'variables' : 'variable'} ${missing.join(', ')}; ` +
        'pass a value for each, or declare a default.',
      { missing },
    );
  }
  return fill(prompt, lookup);
}

function checkValues(values: Readonly<Record<string, string>>): void {
  if (typeof values !== 'object' || values === null) {
    throw new PromptError(
      'invalid_variable_value',
      'Variable values must be an object of names to text.',
    );
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') {
      throw new PromptError(
        'invalid_variable_value',
        `The value of variable "${name}" must be text, not ` +
          `${value === null ? 'null' : typeof value}.`,
      );
    }
  }
}

function fill(prompt: AnalyzedPrompt, lookup: Lookup): string {
  const { text } = prompt;
  if (prompt.openai) {
    const edits = prompt.openai.variableNodes.map((node) => ({
      start: node.offset,
      end: node.offset + node.length,
      newText: JSON.stringify(fillVariables(String(node.value), lookup)),
    }));
    return splice(text, 0, edits);
  }
  if (prompt.modelfile) {
    return splice(text, 0, modelfileEdits(prompt, lookup));
  }
  const bodyStart = prompt.custom?.bodyStart ?? 0;
  const body = splice(
    text,
    bodyStart,
    prompt.uses.map((use) => useEdit(use, lookup)),
  );
  return bodyStart > 0 ? body.replace(/^(?:[ \t]*(?:\r\n|\r|\n))+/, '') : body;
}

/** Rewrites each SYSTEM and MESSAGE value that contains variables, quoting the filled text anew. */
function modelfileEdits(prompt: AnalyzedPrompt, lookup: Lookup): Edit[] {
  const edits: Edit[] = [];
  for (const instruction of prompt.modelfile?.variableInstructions ?? []) {
    const { value } = instruction;
    if (!value) {
      continue;
    }
    const filled = fillVariables(value.text, lookup);
    const quoted = formatModelfileValue(filled);
    if (quoted === undefined) {
      throw new PromptError(
        'unrepresentable_value',
        `The filled ${instruction.keyword.text.toUpperCase()} value on line ` +
          `${prompt.sink.lineOf(value.start)} contains """, which no Modelfile value can hold; ` +
          'change the variable values.',
      );
    }
    edits.push({ start: value.start, end: value.end, newText: quoted });
  }
  return edits;
}

interface Edit {
  start: number;
  end: number;
  newText: string;
}

function useEdit(use: VariableUse, lookup: Lookup): Edit {
  return { start: use.start, end: use.end, newText: lookup(use.name) ?? '' };
}

/** Applies edits, sorted and not overlapping, to the text from `from` on. */
function splice(text: string, from: number, edits: readonly Edit[]): string {
  let result = '';
  let copied = from;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    result += text.slice(copied, edit.start) + edit.newText;
    copied = edit.end;
  }
  return result + text.slice(copied);
}
