// Duplicate keys in a JSON record. JSON.parse, like Python's json module that LLaMA-Factory
// loads data with, keeps only the last value of a key that appears twice in one object, so the
// earlier value is lost without a word.

/** The end of a key: a quote not escaped by a backslash, then optional whitespace and a colon. */
const KEY_END = /(?<!\\)(?:\\\\)*"[ \t\n\r]*:/g;

/** A key that appears twice in one object, with the path of that object. */
export interface DuplicateKey {
  key: string;
  /** The path of the object in the record, such as `conversations[0]`, or empty for the record. */
  path: string;
}

/**
 * Returns the first key that appears twice in one object of the JSON text `text`, whose parsed
 * value is `value`, or undefined when there is none. A count of the keys in the text against the
 * keys of the parsed value answers the common case; the text is scanned for the key only when
 * the counts differ.
 */
export function findDuplicateKey(text: string, value: unknown): DuplicateKey | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const keysInText = text.match(KEY_END)?.length ?? 0;
  if (keysInText === countKeys(value)) {
    return undefined;
  }
  return scanForDuplicate(text);
}

/** Counts the keys of every object in a parsed JSON value. */
function countKeys(root: object): number {
  let count = 0;
  const pending: object[] = [root];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (Array.isArray(item)) {
      for (const child of item as unknown[]) {
        if (typeof child === 'object' && child !== null) {
          pending.push(child);
        }
      }
      continue;
    }
    for (const key in item) {
      count += 1;
      const child = (item as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
      }
    }
  }
  return count;
}

/** A container open at the scan position: its keys so far, or the index of an array element. */
interface OpenContainer {
  keys: Set<string> | undefined;
  index: number;
  /** The step from the parent to this container, such as `.messages` or `[2]`. */
  step: string;
}

/** Scans valid JSON text for the first key that appears twice in one object. */
function scanForDuplicate(text: string): DuplicateKey | undefined {
  const stack: OpenContainer[] = [];
  let lastString = '';
  let pendingStep = '';
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '"') {
      const end = stringEnd(text, index);
      lastString = JSON.parse(text.slice(index, end + 1)) as string;
      index = end;
    } else if (character === ':') {
      const top = stack.at(-1);
      if (top?.keys?.has(lastString) === true) {
        return { key: lastString, path: pathOf(stack) };
      }
      top?.keys?.add(lastString);
      pendingStep = /^[A-Za-z_$][\w$]*$/.test(lastString)
        ? `.${lastString}`
        : `[${JSON.stringify(lastString)}]`;
    } else if (character === '{' || character === '[') {
      const parent = stack.at(-1);
      const step = parent !== undefined && parent.keys === undefined ? `[${parent.index}]` : '';
      stack.push({
        keys: character === '{' ? new Set() : undefined,
        index: 0,
        step: step === '' ? pendingStep : step,
      });
      pendingStep = '';
    } else if (character === '}' || character === ']') {
      stack.pop();
    } else if (character === ',') {
      const top = stack.at(-1);
      if (top !== undefined) {
        top.index += 1;
      }
    }
  }
  return undefined;
}

/** Returns the index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === '\\' ? 2 : 1;
  }
  return index;
}

function pathOf(stack: OpenContainer[]): string {
  return stack
    .map((container) => container.step)
    .join('')
    .replace(/^\./, '');
}
