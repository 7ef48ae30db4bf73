/** Keys shorter than this show no trailing characters: four of eleven would be too many. */
const MIN_LENGTH_FOR_TAIL = 16;

/** A vendor prefix such as `sk-`, `gsk-` or `xai-`, which names the key's issuer, not the key. */
const VENDOR_PREFIX = /^[A-Za-z]{1,3}-/;

/**
 * Masks an API key for display: the vendor prefix, an ellipsis and, for a key of 16 characters or
 * more, its last 4 characters, such as `sk-…c3f9`. Shorter keys show only the prefix (`sk-…`) or
 * `…`. Keys are printable ASCII, so each character is one UTF-16 code unit.
 */
export function maskApiKey(key: string): string {
  const prefix = VENDOR_PREFIX.exec(key)?.[0] ?? '';
  if (key.length < MIN_LENGTH_FOR_TAIL) {
    return `${prefix}…`;
  }
  return `${prefix}…${key.slice(-4)}`;
}
