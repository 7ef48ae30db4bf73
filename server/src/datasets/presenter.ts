import type {
  ApiDataset,
  ApiDatasetDetail,
  ApiDatasetReport,
  ApiDatasetUpload,
} from '../../../shared/src/api/datasets.js';
import type { DatasetReport } from '../../../shared/src/datasets/types.js';
import type { Dataset, DatasetUpload } from '../models/index.js';

/** Presents a dataset as lists return it, without its report. */
export function presentDataset(dataset: Dataset): ApiDataset {
  return {
    id: dataset.id,
    ownerId: dataset.ownerId,
    name: dataset.name,
    description: dataset.description,
    originalFileName: dataset.originalFileName,
    fileType: dataset.fileType,
    schema: dataset.recordSchema,
    recordCount: dataset.recordCount,
    validCount: dataset.validCount,
    invalidCount: dataset.invalidCount,
    // Reports made before skipped records were counted have none: valid + invalid = records.
    skippedCount: Math.max(0, dataset.recordCount - dataset.validCount - dataset.invalidCount),
    sha256: dataset.sha256,
    sizeBytes: dataset.sizeBytes,
    createdAt: dataset.createdAt.toISOString(),
    updatedAt: dataset.updatedAt.toISOString(),
  };
}

/** Presents a dataset with its validation report. */
export function presentDatasetDetail(dataset: Dataset): ApiDatasetDetail {
  return { ...presentDataset(dataset), report: presentReport(dataset.report) };
}

/** Returns the report without the fields that the dataset itself carries. */
export function presentReport(report: DatasetReport): ApiDatasetReport {
  const presented: ApiDatasetReport = {
    columns: report.columns,
    errors: report.errors,
    errorCount: report.errorCount,
    warnings: report.warnings,
    warningCount: report.warningCount,
    warningCounts: report.warningCounts,
    stats: report.stats,
    preview: report.preview,
    bomRemoved: report.bomRemoved,
  };
  if (report.preferenceFormat !== undefined) {
    presented.preferenceFormat = report.preferenceFormat;
  }
  if (report.textMode !== undefined) {
    presented.textMode = report.textMode;
  }
  if (report.tags !== undefined) {
    presented.tags = report.tags;
  }
  if (report.roles !== undefined) {
    presented.roles = report.roles;
  }
  return presented;
}

/** Presents a resumable upload, with the chunk sizes the server accepts. */
export function presentUpload(
  upload: DatasetUpload,
  chunks: { chunkSize: number; maxChunkBytes: number },
): ApiDatasetUpload {
  return {
    id: upload.id,
    fileName: upload.fileName,
    fileType: upload.fileType,
    sizeBytes: upload.sizeBytes,
    receivedBytes: upload.receivedBytes,
    sha256: upload.sha256,
    chunkSize: chunks.chunkSize,
    maxChunkBytes: chunks.maxChunkBytes,
    expiresAt: upload.expiresAt.toISOString(),
    datasetId: upload.datasetId,
  };
}
