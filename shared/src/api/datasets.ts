// Fine-tuning datasets: request and response shapes of /api/datasets. The extension's Datasets
// view builds on these; fields are only ever added, never renamed or retyped.
import type { DatasetInfoEntry } from '../datasets/datasetInfo.js';
import type { DatasetFileType, DatasetReport, DatasetSchema } from '../datasets/types.js';

/** The file types the server accepts, by file name extension. */
export const DATASET_FILE_TYPES = [
  'json',
  'jsonl',
  'csv',
  'txt',
] as const satisfies readonly DatasetFileType[];

/** A dataset as lists return it. */
export interface ApiDataset {
  id: number;
  ownerId: number;
  name: string;
  description: string | null;
  /** The file name the client uploaded, for display only; the server stores the file under another name. */
  originalFileName: string;
  fileType: DatasetFileType;
  schema: DatasetSchema;
  recordCount: number;
  /** Records without errors that LLaMA-Factory trains on. */
  validCount: number;
  invalidCount: number;
  /**
   * Records without errors that LLaMA-Factory skips when it loads the file (see the report's
   * `turn_order` warnings): `recordCount - validCount - invalidCount`.
   */
  skippedCount: number;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256: string;
  sizeBytes: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The validation report of a dataset: up to 100 errors and 100 warnings (with the full counts),
 * length statistics and the first 5 records. An error is `{line, column?, record, message}`, where
 * `record` is the 1-based record number or null for a problem with the whole file.
 */
export type ApiDatasetReport = Omit<
  DatasetReport,
  | 'fileType'
  | 'schema'
  | 'recordCount'
  | 'validCount'
  | 'invalidCount'
  | 'skippedCount'
  | 'byteCount'
>;

/** A dataset with its validation report, as the detail, upload and complete requests return it. */
export interface ApiDatasetDetail extends ApiDataset {
  report: ApiDatasetReport;
}

/**
 * `POST /api/datasets` takes multipart/form-data with the dataset in a part named `file`, whose
 * file name ends in .json, .jsonl, .csv or .txt. Optional text parts are `name` (the file name
 * without extension by default), `description`, and `fileType` for a file name without such an
 * extension. A `fileType` part must come before the file. The file may be up to MAX_UPLOAD_MB megabytes,
 * and larger files get 413. A file that is empty, not UTF-8, or without a valid record gets 400
 * or 422, and nothing is stored. The whole request must arrive within the server's request time
 * limit (5 minutes), so send large files with the resumable upload below.
 *
 * Returns 201 with the new dataset. When the same user already uploaded the same bytes as the
 * same file type, returns 200 with `duplicate: true` and the existing dataset, whose name and
 * description are kept.
 */
export interface UploadDatasetResponse {
  dataset: ApiDatasetDetail;
  duplicate: boolean;
}

/** `GET /api/datasets/:id`. */
export interface DatasetResponse {
  dataset: ApiDatasetDetail;
}

/** `GET /api/datasets?q=&page=&pageSize=`: own datasets, every user's for admins, newest first. */
export interface ListDatasetsQuery {
  /** Part of the name, matched without regard to case. */
  q?: string;
  /** From 1; 1 when left out. */
  page?: number;
  /** 1 to 200; 50 when left out. */
  pageSize?: number;
}

export interface ListDatasetsResponse {
  datasets: ApiDataset[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * `GET /api/datasets/:id/dataset-info`: what LLaMA-Factory needs to load the dataset. Save the
 * file (from `GET /api/datasets/:id/download`) as `fileName` next to a dataset_info.json that
 * contains `datasetInfo`, and name `datasetName` in the training configuration's `dataset` key.
 */
export interface DatasetInfoResponse {
  datasetName: string;
  fileName: string;
  entry: DatasetInfoEntry;
  /** `{ [datasetName]: entry }`, ready to merge into dataset_info.json. */
  datasetInfo: Record<string, DatasetInfoEntry>;
}

/**
 * `POST /api/datasets/uploads` starts a resumable upload of a file of `sizeBytes` bytes. Send the
 * bytes in order with `PUT /api/datasets/uploads/:id`, each request carrying
 * `Content-Type: application/octet-stream` and `Content-Range: bytes <first>-<last>/<sizeBytes>`.
 * After a dropped connection, `GET` (or `HEAD`) the upload to read `receivedBytes`, and continue
 * from there: a chunk is stored whole or not at all. Finish with
 * `POST /api/datasets/uploads/:id/complete`, which validates the file and creates the dataset.
 * An upload that receives no chunk for the expiry period (24 hours by default) is deleted.
 */
export interface CreateUploadRequest {
  fileName: string;
  sizeBytes: number;
  /** Lowercase hex SHA-256 of the whole file; complete rejects a file with another digest. */
  sha256?: string;
  /** For a file name without a .json, .jsonl, .csv or .txt extension. */
  fileType?: DatasetFileType;
}

/** A resumable upload in progress. */
export interface ApiDatasetUpload {
  id: string;
  fileName: string;
  fileType: DatasetFileType;
  sizeBytes: number;
  /** Bytes stored so far: the offset of the next chunk. */
  receivedBytes: number;
  sha256: string | null;
  /** The chunk size the server suggests, in bytes; chunks may be smaller, up to maxChunkBytes. */
  chunkSize: number;
  maxChunkBytes: number;
  /** When the upload is deleted unless another request comes first. */
  expiresAt: string;
  /** The dataset the upload became, once completed. */
  datasetId: number | null;
}

/**
 * `GET /api/datasets/uploads`: the caller's uploads that are neither completed nor expired,
 * oldest first, to resume or cancel. Each user may have UPLOAD_MAX_OPEN_PER_USER uploads open
 * (5 by default) announcing at most UPLOAD_MAX_RESERVED_MB in all (twice MAX_UPLOAD_MB by
 * default). Past either limit, starting another upload gets 409 `too_many_uploads` or
 * `upload_space_exhausted`.
 */
export interface ListUploadsResponse {
  uploads: ApiDatasetUpload[];
  total: number;
}

/** `POST /api/datasets/uploads` (201) and `GET`/`PUT /api/datasets/uploads/:id` (200). */
export interface UploadStatusResponse {
  upload: ApiDatasetUpload;
  uploadId: string;
  chunkSize: number;
}

/**
 * The body of 409 `upload_offset_mismatch` (a chunk that does not start at `receivedBytes`) and
 * of 416 `invalid_content_range` errors, in `error.details`.
 */
export interface UploadOffsetDetails {
  expectedOffset: number;
  sizeBytes: number;
}

/**
 * `POST /api/datasets/uploads/:id/complete`. Returns what `POST /api/datasets` returns; a repeated
 * complete of the same upload returns the same dataset with status 200.
 */
export interface CompleteUploadRequest {
  name?: string;
  description?: string;
}
