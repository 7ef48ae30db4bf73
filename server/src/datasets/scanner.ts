import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import {
  createDatasetValidator,
  type DatasetValidator,
} from '../../../shared/src/datasets/index.js';
import type { DatasetFileType, DatasetReport } from '../../../shared/src/datasets/types.js';

/** The outcome of one pass over a dataset's bytes. */
export interface ScanResult {
  fileType: DatasetFileType;
  sha256: string;
  sizeBytes: number;
  /** False when the bytes are not UTF-8; the report's errors then give the position. */
  utf8: boolean;
  report: DatasetReport;
}

/** Raised when more bytes arrive than the scanner's limit allows. */
export class ScanLimitError extends Error {
  override name = 'ScanLimitError';

  constructor(readonly limitBytes: number) {
    super(`The file is larger than ${limitBytes} bytes.`);
  }
}

/**
 * Computes a dataset's SHA-256, size and validation report in one pass over its bytes, chunk by
 * chunk, so the file is never held in memory. With `limitBytes`, the byte that goes over it raises
 * ScanLimitError.
 */
export class DatasetScanner {
  private readonly hash: Hash = createHash('sha256');
  private readonly validator: DatasetValidator;
  // The validator stops at the first invalid UTF-8 sequence and explains it in its report. This
  // check only records whether that happened, so that the server can reject the file.
  private readonly utf8 = new Utf8Check();
  private sizeBytes = 0;

  constructor(
    readonly fileType: DatasetFileType,
    private readonly limitBytes = Number.POSITIVE_INFINITY,
  ) {
    this.validator = createDatasetValidator({ fileType });
  }

  push(chunk: Uint8Array): void {
    this.sizeBytes += chunk.length;
    if (this.sizeBytes > this.limitBytes) {
      throw new ScanLimitError(this.limitBytes);
    }
    this.hash.update(chunk);
    this.validator.push(chunk);
    this.utf8.push(chunk);
  }

  finish(): ScanResult {
    return {
      fileType: this.fileType,
      sha256: this.hash.digest('hex'),
      sizeBytes: this.sizeBytes,
      utf8: this.utf8.end(),
      report: this.validator.end(),
    };
  }

  /** Returns a stream that scans the bytes passing through it and forwards them unchanged. */
  passThrough(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        try {
          this.push(chunk);
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }

  /** Returns a stream that scans the bytes written to it and keeps nothing. */
  sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        try {
          this.push(chunk);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }
}

/**
 * Checks that a byte stream cut into chunks anywhere is UTF-8, without decoding it. The bytes of
 * a character cut by the end of a chunk are carried over to the next one.
 */
export class Utf8Check {
  private valid = true;
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): void {
    if (!this.valid) {
      return;
    }
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const cut = bytes.length - incompleteTailStart(bytes);
    this.valid = isUtf8(bytes.subarray(0, bytes.length - cut));
    this.carry = Buffer.from(bytes.subarray(bytes.length - cut));
  }

  /** Ends the stream; returns whether every byte was UTF-8. */
  end(): boolean {
    return this.valid && this.carry.length === 0;
  }
}

/**
 * Returns where a multi-byte character that the end of `bytes` cuts short starts, or
 * `bytes.length` when the bytes end on a character boundary. Only the last 3 bytes can start
 * such a character, because UTF-8 characters have at most 4 bytes.
 */
function incompleteTailStart(bytes: Uint8Array): number {
  for (let index = bytes.length - 1; index >= Math.max(0, bytes.length - 3); index -= 1) {
    const byte = bytes[index] as number;
    if ((byte & 0xc0) !== 0x80) {
      return index + sequenceLength(byte) > bytes.length ? index : bytes.length;
    }
  }
  return bytes.length;
}

/** Returns the length of the UTF-8 sequence that a lead byte starts. */
function sequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) {
    return 4;
  }
  if (leadByte >= 0xe0) {
    return 3;
  }
  return leadByte >= 0xc0 ? 2 : 1;
}
