// Ways to cut a stream fixture into chunks, for tests of incremental decoders. Every helper works
// on strings (cuts between UTF-16 code units) and on Uint8Array (cuts between bytes, so a
// multi-byte UTF-8 character can land in two chunks).

/** A string or byte array: anything with a length that `slice` can cut. */
export type Sliceable = string | Uint8Array;

/**
 * Returns a random number generator (mulberry32) that yields floats in [0, 1). The same seed
 * always yields the same sequence, so a failing chunking can be replayed from its seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the input split into two chunks at `offset`. Either chunk may be empty. */
export function cutAt<T extends Sliceable>(input: T, offset: number): T[] {
  return [input.slice(0, offset) as T, input.slice(offset) as T];
}

/**
 * Lists every two-chunk cut of the input, from offset 0 (an empty first chunk) to `input.length`
 * (an empty last chunk), each with its offset for assertion messages.
 */
export function everyCut<T extends Sliceable>(input: T): { offset: number; chunks: T[] }[] {
  const cuts: { offset: number; chunks: T[] }[] = [];
  for (let offset = 0; offset <= input.length; offset++) {
    cuts.push({ offset, chunks: cutAt(input, offset) });
  }
  return cuts;
}

/** Returns the input cut into chunks of one unit each: one byte, or one UTF-16 code unit. */
export function singleUnits<T extends Sliceable>(input: T): T[] {
  const chunks: T[] = [];
  for (let index = 0; index < input.length; index++) {
    chunks.push(input.slice(index, index + 1) as T);
  }
  return chunks;
}

/** Chunk sizes for `randomChunks`, in bytes or code units, both ends included. */
export interface ChunkSizes {
  min: number;
  max: number;
}

/**
 * Cuts the input into chunks of random sizes between `sizes.min` and `sizes.max`, drawn from
 * `seededRandom(seed)`. The last chunk may be shorter than `sizes.min`.
 */
export function randomChunks<T extends Sliceable>(
  input: T,
  seed: number,
  sizes: ChunkSizes = { min: 1, max: 8 },
): T[] {
  if (!Number.isInteger(sizes.min) || sizes.min < 1 || sizes.max < sizes.min) {
    throw new RangeError(
      `Invalid chunk sizes ${JSON.stringify(sizes)}: min must be an integer of at least 1 and ` +
        'max at least min.',
    );
  }
  const random = seededRandom(seed);
  const chunks: T[] = [];
  let index = 0;
  while (index < input.length) {
    const size = sizes.min + Math.floor(random() * (sizes.max - sizes.min + 1));
    chunks.push(input.slice(index, index + size) as T);
    index += size;
  }
  return chunks;
}
