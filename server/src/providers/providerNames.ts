// Provider names: how they are cleaned, checked and compared for duplicates.

/**
 * Characters a name must not contain: C0 and C1 controls, DEL, format characters (bidirectional
 * overrides such as U+202E, zero-width spaces and joiners, the byte-order mark) and the line and
 * paragraph separators. They are invisible or reorder text, so two names that look alike would
 * differ.
 */
const FORBIDDEN_NAME_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Returns the name as it is stored: NFC, without surrounding white space. */
export function normalizeProviderName(name: string): string {
  return name.normalize('NFC').trim();
}

/** Returns what is wrong with a normalized name, as the end of a "must ..." sentence, or undefined. */
export function providerNameProblem(name: string): string | undefined {
  const match = FORBIDDEN_NAME_CHARACTER.exec(name);
  if (match === null) {
    return undefined;
  }
  const code = match[0].codePointAt(0) ?? 0;
  const label = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `must not contain control, invisible or bidirectional formatting characters such as ${label}; retype the name`;
}

/**
 * Returns the key two names are compared by: lowercase NFC. It is stored in `providers.name_key`,
 * whose unique index compares bytes on every database, so "Claude" and "claude" are one name
 * everywhere while "Café" and "Cafe" are two.
 */
export function providerNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}
