import type { DiagnosticSink, OffsetEdit, OffsetFix } from './diagnostics.js';
import type { VariableDeclaration } from './types.js';

/**
 * A valid variable name: a letter or `_`, then letters, digits, `_`, `.` and `-`. Letters and
 * digits include non-ASCII ones, so `{{名前}}` is a valid variable.
 */
export const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

const NAME_CHARACTER = /[\p{L}\p{N}_.-]/u;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** One `{{name}}` in a text: the span of the braces and the span of the name inside them. */
export interface VariableUse {
  name: string;
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
}

/**
 * Finds the `{{name}}` variables in `text` from `from` to `to`. Spaces and tabs around the name
 * are allowed. A variable does not span lines. Unclosed `{{`, stray `}}` and invalid names are
 * reported to `sink` when one is given, and only valid uses are returned.
 */
export function scanVariables(
  text: string,
  from = 0,
  to = text.length,
  sink?: DiagnosticSink,
): VariableUse[] {
  const scan: ScanState = { text, to, uses: [], sink };
  let index = from;
  while (index < to - 1) {
    const char = text.charCodeAt(index);
    const next = text.charCodeAt(index + 1);
    if (char === CLOSE_BRACE && next === CLOSE_BRACE) {
      sink?.warning(
        'stray-closing-braces',
        { start: index, end: index + 2 },
        '"}}" closes no variable; remove it, or add "{{" before the variable name.',
        { title: 'Remove "}}"', edits: [{ start: index, end: index + 2, newText: '' }] },
      );
      index += 2;
    } else if (char === OPEN_BRACE && next === OPEN_BRACE) {
      index = readVariable(scan, index);
    } else {
      index++;
    }
  }
  return scan.uses;
}

interface ScanState {
  text: string;
  to: number;
  uses: VariableUse[];
  sink: DiagnosticSink | undefined;
}

/** Reads the variable whose `{{` is at `open` and returns the offset to continue from. */
function readVariable(scan: ScanState, open: number): number {
  const { text, to } = scan;
  let index = open + 2;
  while (index < to && text[index] !== '\n' && text[index] !== '\r') {
    if (text.startsWith('}}', index) && index + 2 <= to) {
      recordVariable(scan, open, index);
      return index + 2;
    }
    if (text.startsWith('{{', index)) {
      break;
    }
    index++;
  }
  reportUnclosed(text, open, to, scan.sink);
  return index;
}

function recordVariable(scan: ScanState, open: number, close: number): void {
  const { text, uses, sink } = scan;
  let nameStart = open + 2;
  let nameEnd = close;
  while (nameStart < nameEnd && isBlank(text[nameStart])) {
    nameStart++;
  }
  while (nameEnd > nameStart && isBlank(text[nameEnd - 1])) {
    nameEnd--;
  }
  const name = text.slice(nameStart, nameEnd);
  if (VARIABLE_NAME.test(name)) {
    uses.push({ name, start: open, end: close + 2, nameStart, nameEnd });
  } else if (name === '') {
    sink?.error(
      'invalid-variable-name',
      { start: open, end: close + 2 },
      'This variable has no name; write one between the braces, such as {{topic}}.',
    );
  } else {
    sink?.error(
      'invalid-variable-name',
      { start: nameStart, end: nameEnd },
      `Variable name "${name}" is invalid: a name starts with a letter or "_" and contains ` +
        'only letters, digits, "_", "." and "-".',
    );
  }
}

function reportUnclosed(text: string, open: number, to: number, sink?: DiagnosticSink): void {
  let nameStart = open + 2;
  while (nameStart < to && isBlank(text[nameStart])) {
    nameStart++;
  }
  let nameEnd = nameStart;
  while (nameEnd < to && NAME_CHARACTER.test(text[nameEnd] ?? '')) {
    nameEnd++;
  }
  const name = text.slice(nameStart, nameEnd);
  const valid = VARIABLE_NAME.test(name);
  const fix: OffsetFix | undefined = valid
    ? { title: 'Add "}}"', edits: [{ start: nameEnd, end: nameEnd, newText: '}}' }] }
    : undefined;
  sink?.error(
    'unclosed-variable',
    { start: open, end: valid ? nameEnd : open + 2 },
    valid
      ? `Variable "${name}" is not closed; add "}}" after its name.`
      : '"{{" opens a variable that is not closed on this line; close it with "}}".',
    fix,
  );
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** A declared variable, with the span of its declaration when the text itself declares it. */
export interface DeclaredVariable {
  name: string;
  start?: number;
  end?: number;
  /** Edit that deletes the declaration, offered as the fix for an unused variable. */
  removal?: OffsetEdit;
}

export interface DeclarationContext {
  declared: readonly DeclaredVariable[];
  /** The fix that declares `name`, offered for an undeclared variable. */
  declareFix: (name: string) => OffsetFix | undefined;
  /** The place a declaration belongs, for messages, such as `the prompt's declared variables`. */
  declarationPlace: string;
}

/** Reports used variables that are not declared, and declared ones that are never used. */
export function checkDeclarations(
  uses: readonly VariableUse[],
  context: DeclarationContext,
  sink: DiagnosticSink,
): void {
  const declaredNames = new Set(context.declared.map((variable) => variable.name));
  for (const use of uses) {
    if (!declaredNames.has(use.name)) {
      sink.warning(
        'undeclared-variable',
        use,
        `Variable "${use.name}" is used but not declared; add it to ${context.declarationPlace}.`,
        context.declareFix(use.name),
      );
    }
  }
  const usedNames = new Set(uses.map((use) => use.name));
  for (const variable of context.declared) {
    if (!usedNames.has(variable.name)) {
      const start = variable.start ?? 0;
      sink.warning(
        'unused-variable',
        { start: start, end: variable.end ?? start },
        `Variable "${variable.name}" is declared but never used; use {{${variable.name}}} in ` +
          'the prompt or remove the declaration.',
        variable.removal
          ? { title: `Remove "${variable.name}"`, edits: [variable.removal] }
          : undefined,
      );
    }
  }
}

/** Normalizes a caller's declared list of names and declarations. */
export function toDeclarations(
  variables: readonly (string | VariableDeclaration)[],
): VariableDeclaration[] {
  return variables.map((variable) =>
    typeof variable === 'string' ? { name: variable } : variable,
  );
}

/** Appends items one by one, since spreading a huge array into push() can overflow the stack. */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) {
    target.push(item);
  }
}

/**
 * Replaces each valid `{{name}}` in `text` with `lookup(name)`, leaving a variable whose lookup
 * returns undefined as it is.
 */
export function fillVariables(text: string, lookup: (name: string) => string | undefined): string {
  const uses = scanVariables(text);
  let result = '';
  let copied = 0;
  for (const use of uses) {
    const value = lookup(use.name);
    if (value !== undefined) {
      result += text.slice(copied, use.start) + value;
      copied = use.end;
    }
  }
  return result + text.slice(copied);
}
