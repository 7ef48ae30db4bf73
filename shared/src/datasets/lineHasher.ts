import {
  FIRST_LANE_SEED,
  SECOND_LANE_SEED,
  finishHash,
  mixFirstLane,
  mixSecondLane,
} from './duplicates.js';

const LF = 0x0a;
const CR = 0x0d;
const NO_BYTE = -1;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Hashes each line of a UTF-8 byte stream, cut into chunks anywhere, for the duplicate check of
 * JSONL files. A line's two 32-bit hashes cover its bytes without the line ending (LF, or CRLF)
 * and without a byte-order mark at the start of the stream. It reads the bytes four at a time
 * with a DataView, about three times faster than hashing the decoded text with charCodeAt, and
 * holds only the hashes of lines whose records the reader has not taken yet.
 */
export class LineHasher {
  private lineNumber = 1;
  private first = FIRST_LANE_SEED;
  private second = SECOND_LANE_SEED;
  private lineBytes = 0;
  /** Bytes of the line not yet mixed in as a whole word, little-endian, and how many. */
  private partial = 0;
  private partialCount = 0;
  /** The last byte seen, held back because it may be the CR of a CRLF ending. */
  private held = NO_BYTE;
  /** The stream's first bytes while they may still be a byte-order mark. */
  private prefix: number[] | undefined = [];
  /** Finished lines not taken yet: their numbers and hashes, from `head` on. */
  private readonly lines: number[] = [];
  private readonly firsts: number[] = [];
  private readonly seconds: number[] = [];
  private head = 0;
  /** The hashes of the line `take` last found. */
  takenFirst = 0;
  takenSecond = 0;

  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.prefix !== undefined) {
      start = this.skipByteOrderMark(chunk);
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let newline = chunk.indexOf(LF, start);
    while (newline !== -1) {
      this.endLine(chunk, view, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      this.flushHeld();
      this.addBytes(chunk, view, start, chunk.length - 1);
      this.held = chunk[chunk.length - 1] ?? NO_BYTE;
    }
  }

  /** Finishes a last line that has no newline. */
  end(): void {
    if (this.prefix !== undefined && this.prefix.length > 0) {
      const bytes = Uint8Array.from(this.prefix);
      this.prefix = undefined;
      this.push(bytes);
    }
    if (this.lineBytes > 0 || this.partialCount > 0 || this.held !== NO_BYTE) {
      const empty = new Uint8Array(0);
      this.endLine(empty, new DataView(empty.buffer), 0, 0);
    }
  }

  /**
   * Finds the hashes of line `lineNumber` and puts them in takenFirst and takenSecond; returns
   * false when that line was not hashed. Earlier lines are dropped, as the reader skipped them.
   */
  take(lineNumber: number): boolean {
    while (this.head < this.lines.length && (this.lines[this.head] ?? 0) < lineNumber) {
      this.head += 1;
    }
    if (this.lines[this.head] !== lineNumber) {
      return false;
    }
    this.takenFirst = this.firsts[this.head] ?? 0;
    this.takenSecond = this.seconds[this.head] ?? 0;
    this.head += 1;
    if (this.head === this.lines.length) {
      this.lines.length = 0;
      this.firsts.length = 0;
      this.seconds.length = 0;
      this.head = 0;
    }
    return true;
  }

  /** Ends the line whose bytes run to `end`: its LF's index in `chunk`, or the chunk's end. */
  private endLine(chunk: Uint8Array, view: DataView, start: number, end: number): void {
    let last = end;
    if (last > start) {
      if (chunk[last - 1] === CR) {
        last -= 1;
      }
      this.flushHeld();
    } else if (this.held === CR) {
      this.held = NO_BYTE;
    } else {
      this.flushHeld();
    }
    this.addBytes(chunk, view, start, last);
    if (this.partialCount > 0) {
      this.first = mixFirstLane(this.first, this.partial);
      this.second = mixSecondLane(this.second, this.partial);
    }
    this.lines.push(this.lineNumber);
    this.firsts.push(finishHash(this.first, this.lineBytes));
    this.seconds.push(finishHash(this.second, ~this.lineBytes));
    this.lineNumber += 1;
    this.first = FIRST_LANE_SEED;
    this.second = SECOND_LANE_SEED;
    this.lineBytes = 0;
    this.partial = 0;
    this.partialCount = 0;
  }

  private addBytes(chunk: Uint8Array, view: DataView, start: number, end: number): void {
    let index = start;
    while (this.partialCount > 0 && index < end) {
      this.addByte(chunk[index] ?? 0);
      index += 1;
    }
    const wordsStart = index;
    let first = this.first;
    let second = this.second;
    for (; index + 4 <= end; index += 4) {
      const word = view.getUint32(index, true) | 0;
      first = mixFirstLane(first, word);
      second = mixSecondLane(second, word);
    }
    this.first = first;
    this.second = second;
    this.lineBytes += index - wordsStart;
    for (; index < end; index += 1) {
      this.addByte(chunk[index] ?? 0);
    }
  }

  /** Adds one byte to the partial word, mixing the word in once it has four. */
  private addByte(byte: number): void {
    this.partial |= byte << (8 * this.partialCount);
    this.partialCount += 1;
    this.lineBytes += 1;
    if (this.partialCount === 4) {
      this.first = mixFirstLane(this.first, this.partial | 0);
      this.second = mixSecondLane(this.second, this.partial | 0);
      this.partial = 0;
      this.partialCount = 0;
    }
  }

  private flushHeld(): void {
    if (this.held !== NO_BYTE) {
      this.addByte(this.held);
      this.held = NO_BYTE;
    }
  }

  /**
   * Consumes the stream's first bytes while they match a UTF-8 byte-order mark, and returns where
   * the rest of the chunk starts. Bytes that turn out not to be a BOM are hashed as usual.
   */
  private skipByteOrderMark(chunk: Uint8Array): number {
    const prefix = this.prefix ?? [];
    let index = 0;
    while (index < chunk.length && prefix.length < BOM.length) {
      const byte = chunk[index] ?? 0;
      if (byte !== BOM[prefix.length]) {
        this.prefix = undefined;
        this.push(Uint8Array.from(prefix));
        return index;
      }
      prefix.push(byte);
      index += 1;
    }
    if (prefix.length === BOM.length) {
      this.prefix = undefined;
    }
    return index;
  }
}
