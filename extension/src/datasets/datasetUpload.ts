import type { UploadDatasetResponse } from '../../../shared/src/api/datasets.js';
import type { DatasetFields, DatasetsApi } from './datasetsApi.js';
import {
  sendResumable,
  UploadCancelledError,
  type RetryPolicy,
  type UploadLog,
  type UploadProgress,
} from './resumableUpload.js';
import type { UploadSettings } from './settings.js';
import type { UploadSource } from './uploadSource.js';

/** The way a file was sent: one multipart request, or a resumable upload in chunks. */
export type UploadMethod = 'form' | 'resumable';

/** A stored dataset, how it was sent, and the resumable upload it came from. */
export interface UploadResult extends UploadDatasetResponse {
  method: UploadMethod;
  uploadId?: string;
}

export interface UploadOptions {
  fields: DatasetFields;
  settings: UploadSettings;
  signal: AbortSignal;
  onProgress(progress: UploadProgress): void;
  log: UploadLog;
  retry?: RetryPolicy;
}

/**
 * Uploads a dataset file: in one multipart request below the chunked-upload threshold, else as a
 * resumable upload in chunks. Throws UploadCancelledError when `signal` aborts before the server
 * starts validating, and ApiError when the server rejects the file.
 */
export async function uploadDataset(
  api: DatasetsApi,
  source: UploadSource,
  options: UploadOptions,
): Promise<UploadResult> {
  try {
    if (source.sizeBytes >= options.settings.chunkedThresholdBytes) {
      const result = await sendResumable(api, source, {
        ...options,
        chunkBytes: options.settings.chunkBytes,
      });
      return { ...result, method: 'resumable' };
    }
    return { ...(await sendForm(api, source, options)), method: 'form' };
  } catch (error) {
    if (options.signal.aborted && !(error instanceof UploadCancelledError)) {
      // The user cancelled before a resumable upload existed or while the form was sent. The
      // server drops a form whose body breaks off, so nothing is stored.
      throw new UploadCancelledError(undefined, true);
    }
    throw error;
  }
}

async function sendForm(
  api: DatasetsApi,
  source: UploadSource,
  options: UploadOptions,
): Promise<UploadDatasetResponse> {
  const totalBytes = source.sizeBytes;
  options.onProgress({ phase: 'sending', sentBytes: 0, totalBytes });
  const bytes = await source.read(0, totalBytes);
  // The server validates the form as it arrives, so the response comes once both are done.
  return api.uploadForm({ fileName: source.fileName, bytes }, options.fields, options.signal);
}
