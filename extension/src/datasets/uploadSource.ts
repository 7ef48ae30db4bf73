import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** The bytes of a file to upload, read a range at a time. */
export interface UploadSource {
  /** The file name sent to the server; its extension selects the file type. */
  readonly fileName: string;
  readonly sizeBytes: number;
  /** Reads `length` bytes from `offset`, or fewer at the end of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Returns the lowercase hex SHA-256 of the whole file. */
  sha256(signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

/** Bytes read per step while hashing a file: 1 MiB. */
const HASH_READ_BYTES = 1024 * 1024;

/** A file on the local disk, read through one open handle so a chunk never reads a newer file. */
export class LocalFileSource implements UploadSource {
  private constructor(
    readonly fileName: string,
    readonly sizeBytes: number,
    private readonly handle: fs.promises.FileHandle,
  ) {}

  static async open(filePath: string, fileName: string): Promise<LocalFileSource> {
    const handle = await fs.promises.open(filePath, 'r');
    try {
      const stat = await handle.stat();
      return new LocalFileSource(fileName, stat.size, handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(Math.max(0, Math.min(length, this.sizeBytes - offset)));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(
        buffer,
        filled,
        buffer.length - filled,
        offset + filled,
      );
      if (bytesRead === 0) {
        throw new Error(
          `${this.fileName} became shorter while it was uploaded: it ended at byte ` +
            `${offset + filled} of ${this.sizeBytes}. Upload it again once it is saved.`,
        );
      }
      filled += bytesRead;
    }
    return buffer;
  }

  async sha256(signal?: AbortSignal): Promise<string> {
    const hash = createHash('sha256');
    for (let offset = 0; offset < this.sizeBytes; offset += HASH_READ_BYTES) {
      signal?.throwIfAborted();
      hash.update(await this.read(offset, HASH_READ_BYTES));
    }
    return hash.digest('hex');
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A file already read into memory, such as one from a file system that is not on the disk. */
export class MemorySource implements UploadSource {
  readonly sizeBytes: number;

  constructor(
    readonly fileName: string,
    private readonly bytes: Uint8Array,
  ) {
    this.sizeBytes = bytes.length;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.bytes.subarray(offset, offset + length));
  }

  sha256(): Promise<string> {
    return Promise.resolve(createHash('sha256').update(this.bytes).digest('hex'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
