// Prompt names and categories: how they are cleaned and compared.

/**
 * Characters a name or category must not contain: controls, format characters (bidirectional
 * overrides, zero-width characters, the byte order mark) and line or paragraph separators. They
 * are invisible or reorder text, so two names that look alike would differ.
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Returns a name or category as it is stored: NFC, without surrounding white space. */
export function normalizeLabel(text: string): string {
  return text.normalize('NFC').trim();
}

/** Returns what is wrong with a label, as the end of a "must ..." sentence, or undefined. */
export function labelProblem(text: string): string | undefined {
  const match = FORBIDDEN_CHARACTER.exec(text);
  if (match === null) {
    return undefined;
  }
  const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain control, invisible or bidirectional formatting characters such as U+${code}; retype it`;
}

/**
 * Returns the key two prompt names of one owner are compared by: lowercase NFC. It is stored in
 * `system_prompts.name_key`, whose unique index compares it on every database.
 */
export function promptNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}
