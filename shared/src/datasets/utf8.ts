/** The first invalid UTF-8 sequence of a byte stream: its offset and bytes. */
export interface Utf8Failure {
  /** 0-based offset in the whole stream of the first byte of the invalid sequence. */
  byteOffset: number;
  /** The bytes of the invalid (or cut-off) sequence, written like `0xE2 0x82`. */
  bytes: string;
  /** True when the stream ends inside a multi-byte character rather than containing bad bytes. */
  truncated: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes a UTF-8 byte stream cut into chunks anywhere, with TextDecoder in fatal mode. A
 * character cut between two chunks is decoded whole. At the first invalid sequence, `decode`
 * returns the text before it and sets `failure`; every later call then returns ''. A byte-order
 * mark is kept in the text as U+FEFF, so the caller can report that it removed one.
 */
export class Utf8StreamDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Bytes in all chunks decoded so far. */
  private byteCount = 0;
  /** The last bytes decoded, when they start a character that the next chunk completes. */
  private pending: Uint8Array = EMPTY;
  failure: Utf8Failure | undefined;

  decode(chunk: Uint8Array): string {
    if (this.failure !== undefined) {
      return '';
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      return this.fail(chunk);
    }
    this.pending = incompleteTail(this.pending, chunk);
    this.byteCount += chunk.length;
    return text;
  }

  /** Returns what is left at the end of the stream: '' unless it failed to end a character. */
  end(): string {
    if (this.failure !== undefined) {
      return '';
    }
    try {
      return this.decoder.decode();
    } catch {
      this.failure = {
        byteOffset: this.byteCount - this.pending.length,
        bytes: hexBytes(this.pending),
        truncated: true,
      };
      return '';
    }
  }

  /** Finds the invalid sequence that made TextDecoder throw and returns the text before it. */
  private fail(chunk: Uint8Array): string {
    const combined = new Uint8Array(this.pending.length + chunk.length);
    combined.set(this.pending, 0);
    combined.set(chunk, this.pending.length);
    const found = findInvalidUtf8(combined);
    // TextDecoder and findInvalidUtf8 follow the same rules, so -1 means a bug here: blame the
    // start of the combined bytes rather than report nothing.
    const offset = found === -1 ? 0 : found;
    const length = invalidSequenceLength(combined, offset);
    this.failure = {
      byteOffset: this.byteCount - this.pending.length + offset,
      bytes: hexBytes(combined.subarray(offset, offset + length)),
      truncated: false,
    };
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(combined.subarray(0, offset));
  }
}

/**
 * Returns the offset of the first byte of the first invalid UTF-8 sequence, or -1 when there is
 * none. A character cut off by the end of the bytes is not invalid here. The rules are those of
 * the WHATWG decoder, which TextDecoder follows: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    const length = sequenceLength(lead);
    if (length === 0) {
      return index;
    }
    // The second byte has a narrower range after E0, ED, F0 and F4; the others take 80 to BF.
    const [low, high] = secondByteRange(lead);
    for (let offset = 1; offset < length; offset += 1) {
      if (index + offset >= bytes.length) {
        return -1;
      }
      const byte = bytes[index + offset] ?? 0;
      const min = offset === 1 ? low : 0x80;
      const max = offset === 1 ? high : 0xbf;
      if (byte < min || byte > max) {
        return index;
      }
    }
    index += length;
  }
  return -1;
}

/**
 * Returns the length of the invalid sequence at `offset`: the lead byte and the continuation bytes
 * that fit it before the byte that broke it, so 1 for a stray byte and 2 for `0xE2 0x82 0x41`.
 */
function invalidSequenceLength(bytes: Uint8Array, offset: number): number {
  const lead = bytes[offset] ?? 0;
  const length = sequenceLength(lead);
  const [low, high] = secondByteRange(lead);
  let fitting = 1;
  while (fitting < length) {
    const byte = bytes[offset + fitting] ?? 0;
    const min = fitting === 1 ? low : 0x80;
    const max = fitting === 1 ? high : 0xbf;
    if (byte < min || byte > max) {
      break;
    }
    fitting += 1;
  }
  return fitting;
}

/** Returns the byte length that a lead byte announces, or 0 for a byte that cannot lead. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) {
    return 2;
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    return 4;
  }
  return 0;
}

function secondByteRange(lead: number): [number, number] {
  switch (lead) {
    case 0xe0:
      return [0xa0, 0xbf];
    case 0xed:
      return [0x80, 0x9f];
    case 0xf0:
      return [0x90, 0xbf];
    case 0xf4:
      return [0x80, 0x8f];
    default:
      return [0x80, 0xbf];
  }
}

/**
 * Returns the bytes at the end of `previous` + `chunk` that start a character the next chunk must
 * complete. Both were accepted by TextDecoder, so such a tail is a valid, incomplete prefix.
 */
function incompleteTail(previous: Uint8Array, chunk: Uint8Array): Uint8Array {
  let tail = chunk;
  if (chunk.length < 3 && previous.length > 0) {
    tail = new Uint8Array(previous.length + chunk.length);
    tail.set(previous, 0);
    tail.set(chunk, previous.length);
  }
  const end = tail.length;
  for (let back = 1; back <= Math.min(3, end); back += 1) {
    const byte = tail[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) {
      continue;
    }
    return sequenceLength(byte) > back ? tail.slice(end - back) : EMPTY;
  }
  return EMPTY;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(
    ' ',
  );
}
