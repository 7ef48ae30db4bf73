// Helpers for the dataset validator tests: feed bytes in chosen chunkings and collect reports.
import { everyCut, randomChunks, singleUnits } from '../../testing/chunking.js';
import type { DatasetReport, DatasetValidatorOptions } from '../types.js';
import { createDatasetValidator } from '../validator.js';

const encoder = new TextEncoder();

/** Encodes text as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Validates bytes fed as the given chunks and returns the report. */
export function validateChunks(
  chunks: Uint8Array[],
  options: DatasetValidatorOptions,
): DatasetReport {
  const validator = createDatasetValidator(options);
  for (const chunk of chunks) {
    validator.push(chunk);
  }
  return validator.end();
}

/** Validates bytes (or text, encoded as UTF-8) fed as one chunk. */
export function validateWhole(
  input: Uint8Array | string,
  options: DatasetValidatorOptions,
): DatasetReport {
  return validateChunks([typeof input === 'string' ? utf8(input) : input], options);
}

/** One way of cutting an input, named for assertion messages. */
export interface Chunking {
  name: string;
  chunks: Uint8Array[];
}

/** Seeds of the random chunkings every fixture is fed in; fixed so a failure can be replayed. */
export const CHUNKING_SEEDS = [1, 2, 3, 42, 1234];

/**
 * Lists chunkings of the input: random chunk sizes from each seed (1 to 64 bytes, and 1 to 4 KiB),
 * plus, for inputs up to `exhaustiveLimit` bytes, every two-chunk cut and one byte per chunk.
 */
export function chunkings(bytes: Uint8Array, exhaustiveLimit = 4096): Chunking[] {
  const list: Chunking[] = [];
  for (const seed of CHUNKING_SEEDS) {
    list.push({
      name: `seed ${seed}, 1-64 bytes`,
      chunks: randomChunks(bytes, seed, { min: 1, max: 64 }),
    });
    list.push({
      name: `seed ${seed}, 1-4096 bytes`,
      chunks: randomChunks(bytes, seed, { min: 1, max: 4096 }),
    });
  }
  if (bytes.length <= exhaustiveLimit) {
    for (const cut of everyCut(bytes)) {
      list.push({ name: `cut at byte ${cut.offset}`, chunks: cut.chunks });
    }
    list.push({ name: 'one byte per chunk', chunks: singleUnits(bytes) });
  }
  return list;
}
