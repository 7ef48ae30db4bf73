import { z } from 'zod';
import { TRAINING_STATUSES } from '../../../shared/src/api/training.js';
import { isSingleLine } from '../validation/requestText.js';
import { parametersSchema } from './parameters.js';

// Request and response schemas of the /api/training routes.

const nameSchema = z
  .string()
  .max(200, 'must be at most 200 characters')
  .refine((name) => name.trim() !== '', 'must not be empty');

const idSchema = (kind: string) =>
  z
    .number({ error: `must be a numeric ${kind} id` })
    .int(`must be a numeric ${kind} id`)
    .positive();

export const createBody = z
  .object({
    name: nameSchema,
    baseModel: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(512, 'must be at most 512 characters')
      .refine(isSingleLine, 'must not contain tabs or line breaks'),
    datasetId: idSchema('dataset'),
    gpuHostId: idSchema('GPU host'),
    parameters: parametersSchema.optional(),
  })
  .strict();

export const updateBody = createBody.partial().strict();

export const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric training task id')
    .transform(Number),
});

export const listQuery = z.object({ status: z.enum(TRAINING_STATUSES).optional() }).strict();

export const deleteQuery = z
  .object({ removeRunDir: z.enum(['true', 'false']).optional() })
  .strict();

export const logsQuery = z
  .object({
    tailBytes: z
      .string()
      .regex(/^\d{1,7}$/, 'must be a whole number of bytes from 1 to 1048576')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 1_048_576, 'must be a whole number of bytes from 1 to 1048576')
      .optional(),
  })
  .strict();

export const reportQuery = z
  .object({
    format: z.enum(['md', 'html', 'json'], { error: 'must be md, html or json' }).optional(),
  })
  .strict();

export const taskResponse = z.object({ task: z.record(z.string(), z.unknown()) });
