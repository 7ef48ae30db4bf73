import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppServices } from '../context.js';
import { DatasetUpload } from '../models/index.js';
import { discardExpiredUploads } from './resumableUploads.js';
import { DatasetStorage, removeFile } from './storage.js';

/** The shortest time between two sweeps started by requests: one minute. */
const SWEEP_INTERVAL_MS = 60_000;

/** How often a running server sweeps on its own, so that an idle server also cleans up: 1 hour. */
const SCHEDULED_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

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
  void sweepAndLog(services, log);
}

/** The sweeps a server runs on a timer. */
export interface UploadSweeps {
  /** Stops the timer and waits for a sweep in progress, so the database can close after it. */
  stop(): Promise<void>;
}

/**
 * Sweeps once now and then every `intervalMs` on a timer that does not keep the process alive.
 * A tick is skipped while the previous sweep still runs. Failures are logged, never thrown.
 */
export function scheduleUploadSweeps(
  services: Pick<AppServices, 'config' | 'logger'>,
  intervalMs = SCHEDULED_SWEEP_INTERVAL_MS,
): UploadSweeps {
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= sweepAndLog(services, services.logger).finally(() => {
      running = undefined;
    });
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** Runs one sweep and logs what it removed or why it failed. */
async function sweepAndLog(services: Pick<AppServices, 'config'>, log: Logger): Promise<void> {
  try {
    const result = await sweepDatasetUploads(services);
    if (result.expiredUploads > 0 || result.orphanFiles > 0) {
      log.info(result, 'removed expired dataset uploads');
    }
  } catch (error) {
    log.error({ err: error }, 'dataset upload sweep failed');
  }
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
