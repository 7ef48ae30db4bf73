import { auditRequest } from '../audit.js';
import type { AppContext } from '../context.js';
import type { Dataset } from '../models/index.js';

/** How a dataset arrived: in one multipart request, or as a completed resumable upload. */
export type DatasetUploadKind = 'form' | 'resumable';

/**
 * Records `dataset.create` for a dataset the request created. Callers skip duplicate uploads,
 * which return a dataset that already existed.
 */
export async function auditDatasetCreate(
  ctx: AppContext,
  dataset: Dataset,
  upload: DatasetUploadKind,
): Promise<void> {
  await auditRequest(ctx, {
    action: 'dataset.create',
    targetType: 'dataset',
    targetId: dataset.id,
    details: {
      name: dataset.name,
      fileType: dataset.fileType,
      schema: dataset.recordSchema,
      recordCount: dataset.recordCount,
      sizeBytes: dataset.sizeBytes,
      sha256: dataset.sha256,
      upload,
    },
  });
}

/** Records `dataset.delete`, with the owner, because an admin may delete any user's dataset. */
export async function auditDatasetDelete(ctx: AppContext, dataset: Dataset): Promise<void> {
  await auditRequest(ctx, {
    action: 'dataset.delete',
    targetType: 'dataset',
    targetId: dataset.id,
    details: {
      name: dataset.name,
      ownerId: dataset.ownerId,
      fileType: dataset.fileType,
      sizeBytes: dataset.sizeBytes,
      sha256: dataset.sha256,
    },
  });
}
