import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';
import type { Config } from '../config.js';
import { Dataset } from '../models/index.js';
import { KeyedLock } from './keyedLock.js';

/** A stored file name: the SHA-256 of the bytes in hex, then the file type as extension. */
const STORED_FILE = /^[0-9a-f]{64}\.(json|jsonl|csv|txt)$/;

/** Stored file names looked up in one query by releaseUnreferenced. */
const REFERENCE_BATCH = 500;

/** An upload id: a random UUID, as `randomUUID` writes it. */
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Serializes every change to one stored file: moving a new file in, and removing a file that no
 * dataset references any more. Without it a delete could remove the file that a concurrent upload
 * of the same bytes has just linked to its new dataset.
 * NOTE: the lock is per process. Several server instances sharing one DATA_DIR can still race here.
 */
const storedFileLock = new KeyedLock();

/**
 * The folders of the dataset store under DATA_DIR/datasets: finished files at the top,
 * `tmp/` for single-request uploads in progress and `uploads/` for resumable uploads.
 */
export class DatasetStorage {
  readonly root: string;
  readonly tmpDir: string;
  readonly uploadsDir: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'datasets');
    this.tmpDir = path.join(this.root, 'tmp');
    this.uploadsDir = path.join(this.root, 'uploads');
  }

  static for(config: Config): DatasetStorage {
    return new DatasetStorage(config.dataDir);
  }

  /** Creates the store's folders, readable only by the server's user. */
  async ensureFolders(): Promise<void> {
    for (const dir of [this.root, this.tmpDir, this.uploadsDir]) {
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }

  /** Returns a new path in `tmp/` for a file being received. */
  newTempPath(): string {
    return path.join(this.tmpDir, `${randomUUID()}.part`);
  }

  /** Returns the path of a finished file; throws on a name that is not `<sha256>.<type>`. */
  storedPath(storedFile: string): string {
    if (!STORED_FILE.test(storedFile)) {
      throw new Error(`Invalid stored dataset file name ${JSON.stringify(storedFile)}`);
    }
    return path.join(this.root, storedFile);
  }

  /** Returns the path of a resumable upload's partial file; throws on an id that is no UUID. */
  uploadPath(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) {
      throw new Error(`Invalid upload id ${JSON.stringify(uploadId)}`);
    }
    return path.join(this.uploadsDir, `${uploadId}.part`);
  }

  /**
   * Moves a received file into the store under its content address and runs `link` (which
   * creates the dataset row) while holding the file's lock. When the store already has the same
   * bytes, the received copy is removed instead. If `link` throws, a file this call moved in and
   * no dataset references is removed again.
   */
  async commit<T>(
    receivedPath: string,
    sha256: string,
    fileType: DatasetFileType,
    link: (storedFile: string) => Promise<T>,
  ): Promise<T> {
    const storedFile = storedFileName(sha256, fileType);
    const target = this.storedPath(storedFile);
    return storedFileLock.run(storedFile, async () => {
      const existed = await fileExists(target);
      if (existed) {
        await removeFile(receivedPath);
      } else {
        await fs.promises.rename(receivedPath, target);
      }
      try {
        return await link(storedFile);
      } catch (error) {
        if (!existed) {
          await this.removeIfUnreferenced(storedFile);
        }
        throw error;
      }
    });
  }

  /** Removes a stored file once no dataset row references it; returns whether it did. */
  release(storedFile: string): Promise<boolean> {
    return storedFileLock.run(storedFile, () => this.removeIfUnreferenced(storedFile));
  }

  /**
   * Removes stored files older than `minAgeMs` that no dataset references, such as the files of
   * a deleted user's datasets, which the database deletes without the server. Returns the count.
   */
  async releaseUnreferenced(now: Date, minAgeMs: number): Promise<number> {
    const names = (await fs.promises.readdir(this.root)).filter((name) => STORED_FILE.test(name));
    let removed = 0;
    for (let start = 0; start < names.length; start += REFERENCE_BATCH) {
      const batch = names.slice(start, start + REFERENCE_BATCH);
      const referenced = await Dataset.findAll({
        attributes: ['storedFile'],
        where: { storedFile: batch },
      });
      const kept = new Set(referenced.map((dataset) => dataset.storedFile));
      for (const name of batch.filter((candidate) => !kept.has(candidate))) {
        const stat = await fs.promises.stat(this.storedPath(name)).catch(() => undefined);
        if (stat !== undefined && now.getTime() - stat.mtimeMs > minAgeMs) {
          removed += (await this.release(name)) ? 1 : 0;
        }
      }
    }
    return removed;
  }

  private async removeIfUnreferenced(storedFile: string): Promise<boolean> {
    const references = await Dataset.count({ where: { storedFile } });
    if (references > 0) {
      return false;
    }
    await removeFile(this.storedPath(storedFile));
    return true;
  }
}

/** Returns the content address of a file: `<sha256>.<file type>`. */
export function storedFileName(sha256: string, fileType: DatasetFileType): string {
  return `${sha256}.${fileType}`;
}

/** Removes a file; a file that is already gone is not an error. */
export async function removeFile(filePath: string): Promise<void> {
  await fs.promises.rm(filePath, { force: true });
}

/** Reports whether a file exists. */
export async function fileExists(filePath: string): Promise<boolean> {
  try {
    await fs.promises.access(filePath);
    return true;
  } catch {
    return false;
  }
}
