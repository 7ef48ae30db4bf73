import type { UploadDatasetResponse } from '../../../shared/src/api/datasets.js';
import { ApiError, ServerUnreachableError } from '../api/errors.js';
import type { DatasetFields, DatasetsApi } from './datasetsApi.js';
import type { UploadSource } from './uploadSource.js';

/** How often and after what pause a failed chunk is sent again. */
export interface RetryPolicy {
  /** Retries after a failure before the upload gives up; any chunk that is stored resets the count. */
  maxRetries: number;
  /** The pause before retry number `attempt` (from 1), in milliseconds. */
  delayMs(attempt: number): number;
}

/** Four retries, 0.5, 1, 2 and 4 s after the failure. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  delayMs: (attempt) => 500 * 2 ** (attempt - 1),
};

/** The state of an upload, for the progress notification. */
export interface UploadProgress {
  phase: 'hashing' | 'sending' | 'validating';
  sentBytes: number;
  totalBytes: number;
}

/** The log lines of an upload: retries and cancellations. */
export interface UploadLog {
  info(message: string): void;
  warn(message: string, ...details: unknown[]): void;
}

export interface ResumableUploadOptions {
  fields: DatasetFields;
  chunkBytes: number;
  signal: AbortSignal;
  onProgress(progress: UploadProgress): void;
  log: UploadLog;
  retry?: RetryPolicy;
}

/**
 * The user cancelled an upload. `discarded` is true when the server confirmed that it deleted the
 * bytes received. Otherwise the partial upload stays on the server until it expires.
 */
export class UploadCancelledError extends Error {
  override name = 'UploadCancelledError';

  constructor(
    readonly uploadId: string | undefined,
    readonly discarded: boolean,
  ) {
    super('The upload was cancelled.');
  }
}

/**
 * Sends a file as a resumable upload: start, chunks in order, complete. A chunk that fails on
 * the network or with a status worth retrying is sent again from the offset the server reports,
 * after a growing pause. Cancelling aborts the chunk in flight and sends
 * `DELETE /api/datasets/uploads/:id`, so the server deletes what it received.
 */
export async function sendResumable(
  api: DatasetsApi,
  source: UploadSource,
  options: ResumableUploadOptions,
): Promise<UploadDatasetResponse & { uploadId: string }> {
  const { signal } = options;
  const totalBytes = source.sizeBytes;
  options.onProgress({ phase: 'hashing', sentBytes: 0, totalBytes });
  const sha256 = await source.sha256(signal);
  const started = await api.startUpload(
    { fileName: source.fileName, sizeBytes: totalBytes, sha256 },
    signal,
  );
  const { uploadId } = started;
  try {
    const chunkBytes = Math.min(options.chunkBytes, started.upload.maxChunkBytes);
    options.log.info(
      `Upload ${uploadId} of ${source.fileName} started: ${totalBytes} bytes in chunks of ` +
        `${chunkBytes} bytes`,
    );
    await sendChunks(
      api,
      source,
      { ...options, uploadId, chunkBytes },
      started.upload.receivedBytes,
    );
  } catch (error) {
    if (signal.aborted) {
      throw new UploadCancelledError(uploadId, await discard(api, uploadId, options.log));
    }
    throw error;
  }
  // Validation on the server cannot be cancelled, so the request does not take the signal.
  options.onProgress({ phase: 'validating', sentBytes: totalBytes, totalBytes });
  const completed = await api.completeUpload(uploadId, options.fields);
  return { ...completed, uploadId };
}

async function sendChunks(
  api: DatasetsApi,
  source: UploadSource,
  options: ResumableUploadOptions & { uploadId: string; chunkBytes: number },
  startOffset: number,
): Promise<void> {
  const { signal, uploadId } = options;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const upload = { uploadId, sizeBytes: source.sizeBytes };
  let offset = startOffset;
  let failures = 0;
  options.onProgress({ phase: 'sending', sentBytes: offset, totalBytes: source.sizeBytes });
  while (offset < source.sizeBytes) {
    signal.throwIfAborted();
    const bytes = await source.read(offset, options.chunkBytes);
    try {
      const status = await api.sendChunk(upload, offset, bytes, signal);
      offset = status.upload.receivedBytes;
      failures = 0;
      options.onProgress({ phase: 'sending', sentBytes: offset, totalBytes: source.sizeBytes });
      continue;
    } catch (error) {
      if (signal.aborted || !isRetryable(error) || failures >= retry.maxRetries) {
        throw error;
      }
      failures += 1;
      options.log.warn(
        `Chunk at byte ${offset} of upload ${uploadId} failed; retry ${failures} of ` +
          `${retry.maxRetries} in ${retry.delayMs(failures)} ms`,
        error,
      );
    }
    offset = await resumeOffset(api, uploadId, { retry, failures, signal, log: options.log });
  }
}

/**
 * Waits the retry pause and reads the offset the server stored, which shows whether the failed
 * chunk arrived after all. A failed read counts as another failure and is tried again.
 */
async function resumeOffset(
  api: DatasetsApi,
  uploadId: string,
  state: { retry: RetryPolicy; failures: number; signal: AbortSignal; log: UploadLog },
): Promise<number> {
  let { failures } = state;
  for (;;) {
    await pause(state.retry.delayMs(failures), state.signal);
    try {
      const status = await api.uploadStatus(uploadId, state.signal);
      return status.upload.receivedBytes;
    } catch (error) {
      if (state.signal.aborted || !isRetryable(error) || failures >= state.retry.maxRetries) {
        throw error;
      }
      failures += 1;
      state.log.warn(`Reading the offset of upload ${uploadId} failed; retry ${failures}`, error);
    }
  }
}

/** Asks the server to delete a cancelled upload; resolves whether it did. */
async function discard(api: DatasetsApi, uploadId: string, log: UploadLog): Promise<boolean> {
  try {
    await api.cancelUpload(uploadId);
    log.info(`Upload ${uploadId} cancelled; the server deleted the bytes it received`);
    return true;
  } catch (error) {
    log.warn(
      `Upload ${uploadId} was cancelled, but the request to delete it failed; the server ` +
        'deletes it when it expires',
      error,
    );
    return false;
  }
}

/**
 * Reports whether a failed chunk or offset read is worth sending again: the server was not
 * reached, returned 5xx, 408 or 429, or saw the body break off or the offset move.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ServerUnreachableError) {
    return true;
  }
  if (!(error instanceof ApiError)) {
    return false;
  }
  if (error.status >= 500 || error.status === 408 || error.status === 429) {
    return true;
  }
  return [
    'upload_offset_mismatch',
    'upload_busy',
    'request_aborted',
    'chunk_length_mismatch',
  ].includes(error.code);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
