/** A string in a request that the server rejects before any schema or query gets it. */
export interface TextProblem {
  /** Keys and indexes from the part's root to the bad value. */
  path: (string | number)[];
  message: string;
}

/**
 * Reports whether a string is well-formed UTF-16, that is, has no unpaired surrogate. Such a
 * string cannot be encoded as UTF-8: Node replaces each unpaired surrogate with U+FFFD, so two
 * different strings would be stored, hashed or compared as the same bytes.
 */
export function isWellFormedUnicode(text: string): boolean {
  // String.prototype.isWellFormed exists from Node 20; the ES2023 lib this project compiles
  // against does not declare it.
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Reports whether text has no tab, line feed or carriage return, for single-line fields. */
export function isSingleLine(text: string): boolean {
  return !/[\t\n\r]/.test(text);
}

/**
 * Returns the first C0 control character (U+0000 to U+001F) in `text`, or undefined. With
 * `allowLineBreaks`, tab, line feed and carriage return are allowed, as free text may contain them.
 */
function firstControlCharacter(text: string, allowLineBreaks: boolean): number | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0x1f) {
      continue;
    }
    const isLineBreak = code === 0x09 || code === 0x0a || code === 0x0d;
    if (!(allowLineBreaks && isLineBreak)) {
      return code;
    }
  }
  return undefined;
}

function codePointName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Returns what is wrong with one string, as the end of a "must ..." sentence, or undefined. */
function stringProblem(text: string, allowLineBreaks: boolean): string | undefined {
  const control = firstControlCharacter(text, allowLineBreaks);
  if (control !== undefined) {
    return `must not contain the control character ${codePointName(control)}`;
  }
  if (!isWellFormedUnicode(text)) {
    return 'must be well-formed Unicode, without unpaired surrogates';
  }
  return undefined;
}

/** A value met during the walk, linked to its parent so that a path is built only on failure. */
interface Visit {
  value: unknown;
  key?: string | number;
  parent?: Visit;
}

function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let node: Visit | undefined = visit; node?.key !== undefined; node = node.parent) {
    path.push(node.key);
  }
  return path.reverse();
}

/**
 * Finds the first string in a parsed request part (query, path parameters or JSON body) that
 * contains a C0 control character or an unpaired surrogate, in values and in object keys.
 * NUL in particular makes SQLite fail the query. With `allowLineBreaks`, values (not keys) may
 * contain tab, line feed and carriage return; schemas of single-line fields reject those.
 * The walk keeps its own stack, so a deeply nested body cannot overflow the call stack.
 */
export function findTextProblem(
  root: unknown,
  options: { allowLineBreaks: boolean },
): TextProblem | undefined {
  const pending: Visit[] = [{ value: root }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      const message = stringProblem(value, options.allowLineBreaks);
      if (message !== undefined) {
        return { path: pathOf(visit), message };
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    for (const [key] of entries) {
      const keyProblem = typeof key === 'string' ? stringProblem(key, false) : undefined;
      if (keyProblem !== undefined) {
        return { path: pathOf(visit), message: `field name ${JSON.stringify(key)} ${keyProblem}` };
      }
    }
    // Pushed last to first, so the walk visits values in document order.
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const [key, item] = entries[index] as [string | number, unknown];
      pending.push({ value: item, key, parent: visit });
    }
  }
  return undefined;
}
