// Zod schemas of the /api/datasets routes: request parts, and response shapes for the OpenAPI
// document. The TypeScript types the clients use are in shared/src/api/datasets.ts.
import { z } from 'zod';
import { DATASET_FILE_TYPES } from '../../../shared/src/api/datasets.js';
import { queryInteger } from '../validation/query.js';
import { fileTypeSchema } from './fields.js';

export const datasetIdParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric dataset id')
    .transform(Number),
});

export const uploadIdParams = z.object({
  id: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'must be an upload id as POST /api/datasets/uploads returned it',
    ),
});

export const listQuery = z.object({
  q: z.string().max(200).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 200).default(50),
});

export const createUploadBody = z
  .object({
    fileName: z.string().max(1024),
    sizeBytes: z
      .number()
      .int('must be a whole number of bytes')
      .min(1, 'must be at least 1, because an empty file is not a dataset')
      .max(Number.MAX_SAFE_INTEGER),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits')
      .transform((digest) => digest.toLowerCase())
      .optional(),
    fileType: fileTypeSchema.optional(),
  })
  .strict();

const issueSchema = z.object({
  line: z.number().int(),
  column: z.number().int().optional(),
  record: z.number().int().nullable(),
  message: z.string(),
});

const reportSchema = z
  .object({
    errors: z.array(issueSchema),
    errorCount: z.number().int(),
    warnings: z.array(issueSchema.extend({ code: z.string() })),
    warningCount: z.number().int(),
    warningCounts: z.record(z.string(), z.number().int()),
    stats: z.record(z.string(), z.unknown()),
    preview: z.array(z.unknown()),
    columns: z.record(z.string(), z.string()),
  })
  .loose();

export const datasetSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  originalFileName: z.string(),
  fileType: z.enum(DATASET_FILE_TYPES),
  schema: z.enum(['alpaca', 'sharegpt', 'openai', 'pretraining', 'preference', 'unknown']),
  recordCount: z.number().int(),
  validCount: z.number().int(),
  invalidCount: z.number().int(),
  skippedCount: z.number().int(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const datasetDetailSchema = datasetSchema.extend({ report: reportSchema });

export const uploadedResponse = z.object({
  dataset: datasetDetailSchema,
  duplicate: z.boolean(),
});

const infoEntrySchema = z
  .object({ file_name: z.string(), formatting: z.enum(['alpaca', 'sharegpt']) })
  .loose();

export const datasetInfoResponse = z.object({
  datasetName: z.string(),
  fileName: z.string(),
  entry: infoEntrySchema,
  datasetInfo: z.record(z.string(), infoEntrySchema),
});

export const uploadSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  fileType: z.enum(DATASET_FILE_TYPES),
  sizeBytes: z.number().int(),
  receivedBytes: z.number().int(),
  sha256: z.string().nullable(),
  chunkSize: z.number().int(),
  maxChunkBytes: z.number().int(),
  expiresAt: z.string(),
  datasetId: z.number().int().nullable(),
});

export const uploadStatusResponse = z.object({
  upload: uploadSchema,
  uploadId: z.string(),
  chunkSize: z.number().int(),
});
