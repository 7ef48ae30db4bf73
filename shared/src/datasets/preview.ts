/** Limits on what a preview keeps of a record. */
const MAX_STRING_CHARS = 200;
const MAX_ITEMS = 10;
const MAX_KEYS = 20;
const MAX_DEPTH = 6;

/**
 * Returns a copy of a parsed record cut down for display: strings to 200 characters plus `…`,
 * lists to 10 items plus a `… N more` string, objects to 20 keys, nesting to 6 levels.
 */
export function previewValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING_CHARS ? `${cutString(value)}…` : value;
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => previewValue(item, depth + 1));
    if (value.length > MAX_ITEMS) {
      items.push(`… ${value.length - MAX_ITEMS} more`);
    }
    return items;
  }
  const entries = Object.entries(value);
  const kept = entries
    .slice(0, MAX_KEYS)
    .map(([key, item]) => [key, previewValue(item, depth + 1)] as const);
  if (entries.length > MAX_KEYS) {
    kept.push(['…', `${entries.length - MAX_KEYS} more keys`]);
  }
  return Object.fromEntries(kept);
}

/** Cuts a string to MAX_STRING_CHARS code units, or one fewer not to split a surrogate pair. */
function cutString(text: string): string {
  const last = text.charCodeAt(MAX_STRING_CHARS - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return text.slice(0, splitsPair ? MAX_STRING_CHARS - 1 : MAX_STRING_CHARS);
}
