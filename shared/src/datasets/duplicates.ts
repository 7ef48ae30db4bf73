/** Distinct records the duplicate check remembers by default: 3 × 2^18, so 12 MiB of table. */
export const DEFAULT_DUPLICATE_CHECK_LIMIT = 786_432;

const INITIAL_SLOTS = 1024;
const SLOT_WORDS = 3;
/** The table grows when more than 3/4 of its slots are used. */
const MAX_LOAD = 0.75;

/**
 * Finds records whose text exactly repeats an earlier record's, by a 64-bit hash of the text, in
 * bounded memory. An open-addressing table keeps two 32-bit hashes and the record's number per
 * distinct record, 12 bytes a slot. At most 3/4 of the slots are used, so the default limit
 * takes 12 MiB, and 6 MiB more while the table doubles for the last time.
 * Past `limit` distinct records, later records are still looked up but no longer added.
 *
 * Two different texts share a 64-bit hash with a chance of about n² / 2^65 over n records (under
 * one in ten million for a million records), so a reported duplicate is almost surely exact.
 */
export class DuplicateDetector {
  private slots = INITIAL_SLOTS;
  /**
   * Three words a slot: the two hashes and the record number, 0 marking an empty slot. One array
   * keeps a slot in one cache line, so a probe costs one memory access.
   */
  private table = new Uint32Array(INITIAL_SLOTS * SLOT_WORDS);
  private size = 0;

  constructor(readonly limit: number) {}

  /** Distinct records remembered so far. */
  get remembered(): number {
    return this.size;
  }

  /** Whether the limit has been reached, so new distinct records are no longer remembered. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /**
   * Returns the number of an earlier record with the same text, or 0 when there is none, and
   * remembers this text under `record` (a number from 1) while below the limit.
   */
  check(text: string, record: number): number {
    hashText(text);
    return this.checkHash(lanes[0] ?? 0, lanes[1] ?? 0, record);
  }

  /** Same as `check`, for a record whose two 32-bit hashes were computed elsewhere. */
  checkHash(first: number, second: number, record: number): number {
    const table = this.table;
    const mask = this.slots - 1;
    let slot = first & mask;
    for (;;) {
      const base = slot * SLOT_WORDS;
      const stored = table[base + 2] ?? 0;
      if (stored === 0) {
        break;
      }
      if (table[base] === first && table[base + 1] === second) {
        return stored;
      }
      slot = (slot + 1) & mask;
    }
    if (this.size >= this.limit) {
      return 0;
    }
    const base = slot * SLOT_WORDS;
    table[base] = first;
    table[base + 1] = second;
    table[base + 2] = record;
    this.size += 1;
    if (this.size > this.slots * MAX_LOAD) {
      this.grow();
    }
    return 0;
  }

  /** Drops the table, so its memory can be reclaimed before the detector itself is. */
  release(): void {
    this.slots = INITIAL_SLOTS;
    this.table = new Uint32Array(INITIAL_SLOTS * SLOT_WORDS);
    this.size = 0;
  }

  /** Doubles the table and moves every entry to its slot in the new one. */
  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Uint32Array(this.slots * SLOT_WORDS);
    const table = this.table;
    const mask = this.slots - 1;
    for (let oldBase = 0; oldBase < old.length; oldBase += SLOT_WORDS) {
      const record = old[oldBase + 2] ?? 0;
      if (record === 0) {
        continue;
      }
      const first = old[oldBase] ?? 0;
      let slot = first & mask;
      while ((table[slot * SLOT_WORDS + 2] ?? 0) !== 0) {
        slot = (slot + 1) & mask;
      }
      const base = slot * SLOT_WORDS;
      table[base] = first;
      table[base + 1] = old[oldBase + 1] ?? 0;
      table[base + 2] = record;
    }
  }
}

/** The two 32-bit hashes of the last text hashed, kept here to avoid allocating per record. */
const lanes = new Uint32Array(2);

/** Returns the two 32-bit hashes that `check` uses for a text. */
export function hashTextLanes(text: string): { first: number; second: number } {
  hashText(text);
  return { first: lanes[0] ?? 0, second: lanes[1] ?? 0 };
}

/** Starting values of the two hash lanes. */
export const FIRST_LANE_SEED = 0x811c9dc5;
export const SECOND_LANE_SEED = 0x2545f491;

/**
 * Adds a 32-bit word to the first lane: an FNV-1a step, a word at a time rather than a byte.
 * The two lanes use different multipliers, so together they make one 64-bit hash.
 */
export function mixFirstLane(hash: number, word: number): number {
  return Math.imul(hash ^ word, 0x01000193);
}

/** Adds a 32-bit word to the second lane: a multiply-rotate step, golden-ratio multiplier. */
export function mixSecondLane(hash: number, word: number): number {
  const mixed = Math.imul(hash + word, 0x9e3779b1);
  return (mixed << 15) | (mixed >>> 17);
}

/**
 * Hashes UTF-16 code units, two per 32-bit word, into `lanes`. Two code units a word make it
 * about a third faster than one, which matters because every valid record is hashed.
 */
function hashText(text: string): void {
  let first = FIRST_LANE_SEED;
  let second = SECOND_LANE_SEED;
  const pairsEnd = text.length - 1;
  let index = 0;
  for (; index < pairsEnd; index += 2) {
    const word = text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16);
    first = mixFirstLane(first, word);
    second = mixSecondLane(second, word);
  }
  if (index < text.length) {
    const word = text.charCodeAt(index);
    first = mixFirstLane(first, word);
    second = mixSecondLane(second, word);
  }
  lanes[0] = finishHash(first, text.length);
  lanes[1] = finishHash(second, ~text.length);
}

/**
 * Finishes a lane with the input length, then MurmurHash3's fmix32, so that every input bit
 * reaches every output bit.
 */
export function finishHash(lane: number, length: number): number {
  const hash = lane ^ length;
  let mixed = hash ^ (hash >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}
