import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppServices } from '../context.js';
import { DatasetUpload } from '../models/index.js';
import { discardExpiredUploads } from './resumableUploads.js';
import { DatasetStorage, removeFile } from './storage.js';

/** The shortest time between two sweeps started by requests: one minute. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Files in tmp/ and uploads/ with no owner are removed once they are this old: one hour, far
 * longer than the server's five-minute limit on receiving one request.
 */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

const lastSweepAt = new WeakMap<AppServices, number>();

/** Counts of what a sweep removed. */
export interface SweepResult {
  expiredUploads: number;
  orphanFiles: number;
}

/**
 * Removes expired resumable uploads with their files, files that a crash or a lost row left in
 * tmp/ or uploads/, and stored files that no dataset references any more. Safe to run at any
 * time and on several instances at once.
 */
export async function sweepDatasetUploads(
  services: Pick<AppServices, 'config'>,
  now = new Date(),
): Promise<SweepResult> {
  const storage = DatasetStorage.for(services.config);
  const expiredUploads = await discardExpiredUploads(services.config, now);
  await storage.ensureFolders();
  const orphanFiles =
    (await removeOldFiles(storage.tmpDir, now, () => Promise.resolve(true))) +
    (await removeOldFiles(storage.uploadsDir, now, hasNoUploadRow)) +
    (await storage.releaseUnreferenced(now, ORPHAN_AGE_MS));
  return { expiredUploads, orphanFiles };
}

/**
 * Starts a sweep in the background unless one ran in the last minute. Requests that start
 * uploads call it, so abandoned uploads go away on a server that keeps receiving them.
 */
export function sweepSoon(services: AppServices, log: Logger): void {
  const now = Date.now();
  if (now - (lastSweepAt.get(services) ?? 0) < SWEEP_INTERVAL_MS) {
    return;
  }
  lastSweepAt.set(services, now);
  sweepDatasetUploads(services).then(
    (result) => {
      if (result.expiredUploads > 0 || result.orphanFiles > 0) {
        log.info(result, 'removed expired dataset uploads');
      }
    },
    (error: unknown) => log.error({ err: error }, 'dataset upload sweep failed'),
  );
}

async function hasNoUploadRow(fileName: string): Promise<boolean> {
  const id = fileName.replace(/\.part$/, '');
  return (await DatasetUpload.count({ where: { id } })) === 0;
}

/** Removes `.part` files older than ORPHAN_AGE_MS for which `isOrphan` holds; returns the count. */
async function removeOldFiles(
  dir: string,
  now: Date,
  isOrphan: (fileName: string) => Promise<boolean>,
): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((entry) => entry.endsWith('.part'))) {
    const filePath = path.join(dir, name);
    const stat = await fs.promises.stat(filePath).catch(() => undefined);
    if (stat?.isFile() && now.getTime() - stat.mtimeMs > ORPHAN_AGE_MS && (await isOrphan(name))) {
      await removeFile(filePath);
      removed += 1;
    }
  }
  return removed;
}
