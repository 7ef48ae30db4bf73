import * as vscode from 'vscode';

/** The settings section of the dataset features. */
export const DATASETS_SECTION = 'llmWorkbench.datasets';

const MEGABYTE = 1024 * 1024;
/** The smallest chunk an upload sends, whatever the setting: 64 KiB. */
const MIN_CHUNK_BYTES = 64 * 1024;

/** The upload options of the `llmWorkbench.datasets.*` settings. */
export interface UploadSettings {
  /** Files of this size or larger go as a resumable upload in chunks; smaller ones in one request. */
  chunkedThresholdBytes: number;
  /** The size of each chunk; the server's maximum chunk size still applies. */
  chunkBytes: number;
}

/** Reads the upload settings, falling back to the defaults for values out of range. */
export function uploadSettings(): UploadSettings {
  const config = vscode.workspace.getConfiguration(DATASETS_SECTION);
  const thresholdMb = config.get<number>('chunkedUploadThresholdMb', 8);
  const chunkMb = config.get<number>('uploadChunkSizeMb', 8);
  return {
    chunkedThresholdBytes: Math.round(
      (Number.isFinite(thresholdMb) && thresholdMb >= 0 ? thresholdMb : 8) * MEGABYTE,
    ),
    chunkBytes: Math.max(
      MIN_CHUNK_BYTES,
      Math.round((Number.isFinite(chunkMb) && chunkMb > 0 ? chunkMb : 8) * MEGABYTE),
    ),
  };
}

/** Reports whether open dataset files get validated into the Problems panel. */
export function validateOpenFilesEnabled(): boolean {
  return vscode.workspace
    .getConfiguration(DATASETS_SECTION)
    .get<boolean>('validateOpenFiles', true);
}
