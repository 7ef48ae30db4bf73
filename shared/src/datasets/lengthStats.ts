import type { LengthStats } from './types.js';

/** Values below this get one histogram bucket each, so their percentiles are exact. */
const EXACT_LIMIT = 1024;
/** Above EXACT_LIMIT, each bucket's upper bound is 1% above its lower bound. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to 2^31: 1,024 exact ones and about 1,460 of 1% each. */
const BUCKET_COUNT = EXACT_LIMIT + Math.ceil(Math.log(2 ** 31 / EXACT_LIMIT) / LOG_GROWTH) + 1;

/**
 * Collects min, mean, max and an approximate 95th percentile of non-negative lengths in constant
 * memory (about 20 KiB): a histogram with one bucket per value below 1,024 and buckets 1% wide
 * above. The result depends only on the values added, not on how the input was chunked.
 */
export class LengthAccumulator {
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;
  private readonly buckets = new Float64Array(BUCKET_COUNT);

  add(value: number): void {
    this.count += 1;
    this.sum += value;
    if (value < this.min) {
      this.min = value;
    }
    if (value > this.max) {
      this.max = value;
    }
    const bucket = bucketOf(value);
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
  }

  result(): LengthStats {
    if (this.count === 0) {
      return { count: 0, min: 0, mean: 0, max: 0, p95: 0 };
    }
    return {
      count: this.count,
      min: this.min,
      mean: Math.round((this.sum / this.count) * 10) / 10,
      max: this.max,
      p95: this.percentile(0.95),
    };
  }

  /** Returns the upper bound of the bucket holding the percentile, kept within [min, max]. */
  private percentile(fraction: number): number {
    const rank = Math.ceil(fraction * this.count);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket += 1) {
      seen += this.buckets[bucket] ?? 0;
      if (seen >= rank) {
        return Math.min(this.max, Math.max(this.min, bucketUpperBound(bucket)));
      }
    }
    return this.max;
  }
}

function bucketOf(value: number): number {
  if (value < EXACT_LIMIT) {
    return Math.floor(value);
  }
  const bucket = EXACT_LIMIT + Math.floor(Math.log(value / EXACT_LIMIT) / LOG_GROWTH);
  return Math.min(bucket, BUCKET_COUNT - 1);
}

function bucketUpperBound(bucket: number): number {
  if (bucket < EXACT_LIMIT) {
    return bucket;
  }
  return Math.ceil(EXACT_LIMIT * GROWTH ** (bucket - EXACT_LIMIT + 1));
}
