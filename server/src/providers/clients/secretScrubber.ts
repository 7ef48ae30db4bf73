// Removes a provider's API key and custom header values from the text it sends back. A provider
// or a proxy in front of it may echo the request's credentials in an error message, and that
// message is shown to users, stored as the provider's last error and logged.
import { ProviderError } from './types.js';

/** What stands in for a removed secret. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are left in place, because a header value such as `1` or `true`
 * would otherwise be cut out of ordinary words.
 */
const MIN_SECRET_LENGTH = 6;

/** Encodings of a secret shorter than this are not searched for inside longer base64 text. */
const MIN_BASE64_FRAGMENT_LENGTH = 12;

/** The most provider text, and of a message quoting it, that is returned or stored. */
export const MAX_PROVIDER_TEXT_LENGTH = 2000;

/** Replaces secrets and their common encodings in provider text. */
export class SecretScrubber {
  private readonly needles: string[];

  constructor(secrets: readonly string[]) {
    const needles = new Set<string>();
    for (const secret of secrets) {
      const value = secret.trim();
      if (value.length < MIN_SECRET_LENGTH) {
        continue;
      }
      for (const form of encodings(value)) {
        needles.add(form);
      }
    }
    // Longer forms go first, so a form that contains another is replaced whole.
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /** Returns the text with every secret replaced and cut to MAX_PROVIDER_TEXT_LENGTH. */
  scrub(text: string): string {
    let result = text;
    for (const needle of this.needles) {
      result = result.split(needle).join(REDACTED);
    }
    return clip(result);
  }

  /**
   * Returns a copy of the error with its message and provider text scrubbed. The cause is left
   * out, because SDK errors keep the raw response body and headers in it.
   */
  scrubError(error: ProviderError): ProviderError {
    const { status, providerMessage, retryAfterMs } = error.details;
    return new ProviderError(error.code, this.scrub(error.message), {
      ...(status === undefined ? {} : { status }),
      ...(providerMessage === undefined ? {} : { providerMessage: this.scrub(providerMessage) }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

function clip(text: string): string {
  if (text.length <= MAX_PROVIDER_TEXT_LENGTH) {
    return text;
  }
  return `${Array.from(text.slice(0, MAX_PROVIDER_TEXT_LENGTH)).slice(0, -1).join('')}…`;
}

/**
 * The forms a secret takes in echoed text: as is, percent-encoded, escaped inside a JSON string,
 * as hexadecimal, and base64 or base64url encoded on its own or as part of a longer encoded
 * value such as a whole `Authorization` header.
 */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('base64').replace(/=+$/, ''),
  ];
  // Inside a longer base64 text the secret starts at a byte offset of 0, 1 or 2 modulo 3, and
  // each offset encodes it differently. Only the characters that depend on the secret alone,
  // whole groups of four, are searched for.
  for (let offset = 0; offset < 3; offset += 1) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const end = Math.floor(padded.length / 3) * 4;
    for (const encoding of ['base64', 'base64url'] as const) {
      const fragment = padded.toString(encoding).slice(offset === 0 ? 0 : 4, end);
      if (fragment.length >= MIN_BASE64_FRAGMENT_LENGTH) {
        forms.push(fragment);
      }
    }
  }
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH);
}
