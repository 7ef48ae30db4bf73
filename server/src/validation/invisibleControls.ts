// Invisible control characters: characters that show nothing themselves but change how the text
// around them displays. They are the C1 control characters (U+0080 to U+009F), the line and
// paragraph separators (U+2028, U+2029) and the bidirectional formatting characters, which can
// make a name read in another order than it is stored. Names and titles reject them, and
// generated titles and file names drop them.

const INVISIBLE_CONTROL = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const INVISIBLE_CONTROLS = new RegExp(INVISIBLE_CONTROL.source, 'g');

/** Zero-width characters: zero-width space, non-joiner and joiner, word joiner, and U+FEFF. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

const NAMES: Record<number, string> = {
  0x061c: 'Arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
};

/**
 * Returns the first invisible control character in `text` as `U+XXXX (name)`, for an error
 * message, or undefined when there is none.
 */
export function findInvisibleControl(text: string): string | undefined {
  const match = INVISIBLE_CONTROL.exec(text);
  if (match === null) {
    return undefined;
  }
  const code = match[0].charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${hex} (${NAMES[code] ?? 'C1 control character'})`;
}

/** Returns `text` without its invisible control characters. */
export function removeInvisibleControls(text: string): string {
  return text.replace(INVISIBLE_CONTROLS, '');
}

/** Returns `text` without zero-width characters. */
export function removeZeroWidth(text: string): string {
  return text.replace(ZERO_WIDTH, '');
}

/** Reports whether `text` has a character other than whitespace and zero-width characters. */
export function hasVisibleText(text: string): boolean {
  return removeZeroWidth(text).trim() !== '';
}
