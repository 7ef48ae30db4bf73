import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { Op } from 'sequelize';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';
import type { Config } from '../config.js';
import type { AppServices } from '../context.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { Dataset, DatasetUpload, type User } from '../models/index.js';
import { storeDataset, type StoredDataset } from './datasetStore.js';
import { cleanClientFileName, fileTypeFor } from './fileNames.js';
import { KeyedLock } from './keyedLock.js';
import type { ContentRange } from './contentRange.js';
import { DatasetScanner } from './scanner.js';
import { DatasetStorage, fileExists, removeFile } from './storage.js';
import { bodyCutOff, fileTooLarge, formatBytes, uploadLimitBytes } from './uploadErrors.js';

/** The chunk size the server suggests: 8 MiB. */
export const CHUNK_SIZE = 8 * 1024 * 1024;

/** The largest chunk one PUT may carry: 64 MiB. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * One request at a time per upload in this process: two PUTs to one upload would write over each
 * other's bytes, and a complete during a PUT would read a half-written chunk.
 */
const uploadLock = new KeyedLock();

/** One upload start at a time per user, so that two starts cannot both pass the user's limits. */
const startLock = new KeyedLock();

/** The fields a client sends to start a resumable upload. */
export interface UploadRequest {
  fileName: string;
  sizeBytes: number;
  sha256?: string | undefined;
  fileType?: DatasetFileType | undefined;
}

/**
 * Starts a resumable upload: checks the name, the size and the user's limits on open uploads
 * (UPLOAD_MAX_OPEN_PER_USER) and on the bytes they announce (UPLOAD_MAX_RESERVED_MB), then
 * creates the row and an empty file.
 */
export async function createUpload(
  services: AppServices,
  user: User,
  request: UploadRequest,
): Promise<DatasetUpload> {
  const { config } = services;
  const fileName = cleanClientFileName(request.fileName, 'fileName');
  const fileType = fileTypeFor(fileName, request.fileType, 'json');
  if (request.sizeBytes > uploadLimitBytes(config.maxUploadMb)) {
    throw fileTooLarge(config.maxUploadMb, request.sizeBytes);
  }
  return startLock.run(String(user.id), async () => {
    await assertUploadRoom(config, user, request.sizeBytes);
    return startUpload(config, user, { ...request, fileName, fileType });
  });
}

/** Lists the user's uploads that are neither completed nor expired, oldest first. */
export function listOpenUploads(user: User): Promise<DatasetUpload[]> {
  return DatasetUpload.findAll({
    where: { ownerId: user.id, datasetId: null, expiresAt: { [Op.gt]: new Date() } },
    order: [['createdAt', 'ASC']],
  });
}

/** Raises 409 when one more upload of `sizeBytes` would pass one of the user's limits. */
async function assertUploadRoom(config: Config, user: User, sizeBytes: number): Promise<void> {
  const open = await listOpenUploads(user);
  const hint =
    'complete or cancel one first (GET /api/datasets/uploads lists them, DELETE ' +
    '/api/datasets/uploads/<id> cancels one), or wait until they expire';
  if (open.length >= config.uploadMaxOpenPerUser) {
    throw conflict(
      'too_many_uploads',
      `You have ${open.length} uploads in progress, the most one user may have open ` +
        `(UPLOAD_MAX_OPEN_PER_USER=${config.uploadMaxOpenPerUser}); ${hint}.`,
      { openUploads: open.length, limit: config.uploadMaxOpenPerUser },
    );
  }
  const reservedBytes = open.reduce((sum, upload) => sum + upload.sizeBytes, 0);
  const limitBytes = uploadLimitBytes(config.uploadMaxReservedMb);
  if (reservedBytes + sizeBytes > limitBytes) {
    throw conflict(
      'upload_space_exhausted',
      `Your uploads in progress announce ${formatBytes(reservedBytes)}, and this one ` +
        `${formatBytes(sizeBytes)} more would pass the ${formatBytes(limitBytes)} one user may ` +
        `have open (UPLOAD_MAX_RESERVED_MB=${config.uploadMaxReservedMb}); ${hint}.`,
      { reservedBytes, sizeBytes, limitBytes },
    );
  }
}

async function startUpload(
  config: Config,
  user: User,
  request: UploadRequest & { fileType: DatasetFileType },
): Promise<DatasetUpload> {
  const { fileName, fileType } = request;
  const storage = DatasetStorage.for(config);
  await storage.ensureFolders();
  const upload = DatasetUpload.build({
    id: randomUUID(),
    ownerId: user.id,
    fileName,
    fileType,
    sizeBytes: request.sizeBytes,
    sha256: request.sha256 ?? null,
    datasetId: null,
    expiresAt: new Date(Date.now() + config.uploadExpiryMs),
  });
  await fs.promises.writeFile(storage.uploadPath(upload.id), new Uint8Array(0), {
    flag: 'wx',
    mode: 0o600,
  });
  try {
    await upload.save();
  } catch (error) {
    await removeFile(storage.uploadPath(upload.id));
    throw error;
  }
  return upload;
}

/** Returns the user's upload; raises 404 for another user's upload or one that has expired. */
export async function findOwnUpload(user: User, id: string): Promise<DatasetUpload> {
  const upload = await DatasetUpload.findByPk(id);
  if (upload === null || upload.ownerId !== user.id || upload.expiresAt.getTime() <= Date.now()) {
    throw notFound('Upload', id);
  }
  return upload;
}

/**
 * Appends one chunk, read from the request body, at the upload's offset. The chunk is stored
 * whole or not at all: when the body breaks off or has the wrong length, the file is cut back to
 * the old offset. Raises 409 `upload_offset_mismatch` for a chunk that does not start where the
 * last one ended, and 409 `upload_busy` while another request works on the same upload.
 */
export async function appendChunk(
  services: AppServices,
  user: User,
  chunk: { uploadId: string; range: ContentRange; body: IncomingMessage },
): Promise<DatasetUpload> {
  const { uploadId: id, range, body } = chunk;
  return withUploadLock(id, 'append', async () => {
    const upload = await findOwnUpload(user, id);
    assertOpen(upload);
    assertRangeFits(upload, range);

    const storage = DatasetStorage.for(services.config);
    const filePath = storage.uploadPath(upload.id);
    const start = upload.receivedBytes;
    // A chunk that failed before a restart may have left bytes past the offset.
    await fs.promises.truncate(filePath, start);
    try {
      await pipeline(
        body,
        exactLength(range.last - range.first + 1),
        fs.createWriteStream(filePath, { flags: 'r+', start }),
      );
    } catch (error) {
      await fs.promises.truncate(filePath, start);
      throw error instanceof HttpError ? error : bodyCutOff();
    }
    return commitChunk(services.config, upload, start, range.last + 1);
  });
}

async function commitChunk(
  config: Config,
  upload: DatasetUpload,
  start: number,
  end: number,
): Promise<DatasetUpload> {
  const expiresAt = new Date(Date.now() + config.uploadExpiryMs);
  // The offset condition keeps two server instances from both committing a chunk at one offset.
  const [updated] = await DatasetUpload.update(
    { receivedBytes: end, expiresAt },
    { where: { id: upload.id, receivedBytes: start } },
  );
  if (updated !== 1) {
    throw conflict(
      'upload_busy',
      `Upload ${upload.id} changed during this request; GET it and resume.`,
    );
  }
  await upload.reload();
  return upload;
}

/** Raises 416 for a range that does not fit the upload and 409 for one at the wrong offset. */
function assertRangeFits(upload: DatasetUpload, range: ContentRange): void {
  const details = { expectedOffset: upload.receivedBytes, sizeBytes: upload.sizeBytes };
  if (range.total !== upload.sizeBytes) {
    throw new HttpError(
      416,
      'invalid_content_range',
      `Content-Range names a total of ${range.total} bytes, but upload ${upload.id} is ` +
        `${upload.sizeBytes} bytes; send bytes <first>-<last>/${upload.sizeBytes}.`,
      { details },
    );
  }
  if (range.last >= upload.sizeBytes) {
    throw new HttpError(
      416,
      'invalid_content_range',
      `Content-Range ends at byte ${range.last}, past the last byte ${upload.sizeBytes - 1}.`,
      { details },
    );
  }
  if (range.last - range.first + 1 > MAX_CHUNK_BYTES) {
    throw new HttpError(
      413,
      'chunk_too_large',
      `The chunk has ${range.last - range.first + 1} bytes, more than the ${MAX_CHUNK_BYTES} ` +
        `bytes one request may carry; send chunks of ${CHUNK_SIZE} bytes.`,
      { details },
    );
  }
  if (range.first !== upload.receivedBytes) {
    const what =
      range.first < upload.receivedBytes ? 'overlaps bytes already stored' : 'leaves a gap';
    throw new HttpError(
      409,
      'upload_offset_mismatch',
      `The chunk starts at byte ${range.first} and ${what}; the upload has ` +
        `${upload.receivedBytes} bytes, so send the chunk that starts at byte ${upload.receivedBytes}.`,
      { details, headers: { 'Upload-Offset': String(upload.receivedBytes) } },
    );
  }
}

function assertOpen(upload: DatasetUpload): void {
  if (upload.datasetId !== null) {
    throw conflict(
      'upload_completed',
      `Upload ${upload.id} is already complete as dataset ${upload.datasetId}; start a new upload ` +
        'for another file.',
      { datasetId: upload.datasetId },
    );
  }
}

/** Passes exactly `length` bytes; a body with more or fewer raises 400. */
function exactLength(length: number): Transform {
  let seen = 0;
  const mismatch = (count: string) =>
    new HttpError(
      400,
      'chunk_length_mismatch',
      `The request body has ${count} bytes, but Content-Range announces ${length}; send as many ` +
        'bytes as the range covers.',
    );
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > length ? mismatch(`more than ${length}`) : null, chunk);
    },
    flush(callback) {
      callback(seen < length ? mismatch(String(seen)) : null);
    },
  });
}

/** A completed upload's dataset, and whether this request created it. */
export interface CompletedUpload extends StoredDataset {
  /** True when an earlier complete request already created the dataset. */
  repeated: boolean;
}

/**
 * Completes an upload: checks that every byte arrived and the SHA-256 the client announced,
 * validates the file by streaming it through the validator once, and stores the dataset. A
 * second complete returns the same dataset. A file that fails a check is deleted with its upload,
 * because no further chunk can fix it.
 */
export async function completeUpload(
  services: AppServices,
  user: User,
  id: string,
  fields: { name?: string | undefined; description?: string | undefined },
): Promise<CompletedUpload> {
  return withUploadLock(id, 'complete', async () => {
    const upload = await findOwnUpload(user, id);
    if (upload.datasetId !== null) {
      const dataset = await Dataset.findByPk(upload.datasetId);
      if (dataset !== null) {
        return { dataset, duplicate: false, repeated: true };
      }
    }
    if (upload.receivedBytes !== upload.sizeBytes) {
      throw conflict(
        'upload_incomplete',
        `Upload ${upload.id} has ${upload.receivedBytes} of ${upload.sizeBytes} bytes; send the ` +
          `chunk that starts at byte ${upload.receivedBytes}, then complete it.`,
        { expectedOffset: upload.receivedBytes, sizeBytes: upload.sizeBytes },
      );
    }

    const filePath = DatasetStorage.for(services.config).uploadPath(upload.id);
    if (!(await fileExists(filePath))) {
      // The upload became a dataset that was deleted since.
      await upload.destroy();
      throw notFound('Upload', id);
    }
    try {
      await fs.promises.truncate(filePath, upload.sizeBytes);
      const scanner = new DatasetScanner(upload.fileType);
      await pipeline(fs.createReadStream(filePath), scanner.sink());
      const scan = scanner.finish();
      assertDigest(upload, scan.sha256);
      const stored = await storeDataset(services, user, {
        receivedPath: filePath,
        scan,
        fileName: upload.fileName,
        ...fields,
      });
      await upload.update({ datasetId: stored.dataset.id });
      return { ...stored, repeated: false };
    } catch (error) {
      if (error instanceof HttpError && error.status < 500) {
        await discardUpload(services.config, upload);
      }
      throw error;
    }
  });
}

function assertDigest(upload: DatasetUpload, sha256: string): void {
  if (upload.sha256 !== null && upload.sha256 !== sha256) {
    throw new HttpError(
      422,
      'checksum_mismatch',
      `The uploaded file's SHA-256 is ${sha256}, not ${upload.sha256} as announced; the bytes ` +
        'changed on the way. Start a new upload.',
      { details: { expected: upload.sha256, actual: sha256 } },
    );
  }
}

/** Deletes an upload and its file; for the client that gives up, and for expired uploads. */
export async function discardUpload(config: Config, upload: DatasetUpload): Promise<void> {
  await upload.destroy();
  await removeFile(DatasetStorage.for(config).uploadPath(upload.id));
}

/** Deletes an upload of the user, unless a request is working on it. */
export function cancelUpload(services: AppServices, user: User, id: string): Promise<void> {
  return withUploadLock(id, 'cancel', async () => {
    const upload = await findOwnUpload(user, id);
    await discardUpload(services.config, upload);
  });
}

/** The work a request does on an upload while it holds the upload's lock. */
type UploadOperation = 'append' | 'complete' | 'cancel';

/** The operation of the request holding each upload's lock, for the message to a second one. */
const lockHolders = new Map<string, UploadOperation>();

/**
 * Runs `task` with the upload's lock. While another request holds it, rejects at once with 409
 * `upload_busy`, whose message names that request's operation and what to do next.
 */
function withUploadLock<T>(
  id: string,
  operation: UploadOperation,
  task: () => Promise<T>,
): Promise<T> {
  if (uploadLock.isHeld(id)) {
    const holder = lockHolders.get(id);
    const message =
      holder === 'complete'
        ? `Upload ${id} is being completed by another request; send complete again to get its ` +
          'dataset once that request has finished.'
        : `Another request is working on upload ${id}; wait for it to finish, then GET the ` +
          'upload to resume.';
    return Promise.reject(conflict('upload_busy', message, { operation: holder ?? null }));
  }
  return uploadLock.run(id, async () => {
    lockHolders.set(id, operation);
    try {
      return await task();
    } finally {
      lockHolders.delete(id);
    }
  });
}

/**
 * Deletes the uploads whose time ran out by `now`, with their files, except one that a request
 * is working on. Returns how many were deleted.
 */
export async function discardExpiredUploads(config: Config, now: Date): Promise<number> {
  const expired = await DatasetUpload.findAll({ where: { expiresAt: { [Op.lte]: now } } });
  let discarded = 0;
  for (const upload of expired) {
    if (!uploadLock.isHeld(upload.id)) {
      await uploadLock.run(upload.id, () => discardUpload(config, upload));
      discarded += 1;
    }
  }
  return discarded;
}
