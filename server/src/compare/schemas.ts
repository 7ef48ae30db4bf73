// Request and response schemas of the compare routes; the same schemas validate requests and
// describe the routes in the OpenAPI document.
import { z } from 'zod';
import {
  COMPARE_EXPORT_FORMATS,
  MAX_COMPARE_IMAGES,
  MAX_COMPARE_SLOTS,
} from '../../../shared/src/api/compare.js';
import { MAX_MESSAGE_LENGTH, MAX_SYSTEM_PROMPT_LENGTH, messageSchema } from '../chat/schemas.js';
import { queryInteger } from '../validation/query.js';

/** The largest value of a signed 32-bit INTEGER column. */
const MAX_INTEGER = 2_147_483_647;

/** Variables a request may fill, and the length of a name and of a value. */
const MAX_VARIABLES = 100;
const MAX_VARIABLE_NAME_LENGTH = 100;
const MAX_VARIABLE_VALUE_LENGTH = 100_000;

/** Characters of the prompt that a history search may contain. */
const MAX_SEARCH_LENGTH = 200;

/** An image as a base64 data URL of a format that vision models take. */
const IMAGE_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

const recordId = (what: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `must be a numeric ${what} id`)
    .transform(Number);

export const comparisonParams = z.object({ id: recordId('comparison') });

export const resultParams = z.object({
  id: recordId('comparison'),
  resultId: recordId('result'),
});

const idField = z.number().int('must be a whole number').min(1).max(MAX_INTEGER);

const slotSchema = z
  .object({
    modelConfigId: idField,
    systemPrompt: z
      .string()
      .max(
        MAX_SYSTEM_PROMPT_LENGTH,
        `must be at most ${MAX_SYSTEM_PROMPT_LENGTH} characters; shorten the system prompt`,
      )
      .optional(),
  })
  .strict();

const variablesSchema = z
  .record(
    z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_VARIABLE_NAME_LENGTH, `must be at most ${MAX_VARIABLE_NAME_LENGTH} characters`),
    z
      .string()
      .max(MAX_VARIABLE_VALUE_LENGTH, `must be at most ${MAX_VARIABLE_VALUE_LENGTH} characters`),
  )
  .refine(
    (variables) => Object.keys(variables).length <= MAX_VARIABLES,
    `must have at most ${MAX_VARIABLES} variables`,
  );

export const createComparisonBody = z
  .object({
    prompt: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
      .refine((text) => text.trim() !== '', 'must contain text, not only whitespace'),
    images: z
      .array(
        z
          .string()
          .regex(
            IMAGE_DATA_URL,
            'must be a data URL such as data:image/png;base64,... of a PNG, JPEG, GIF or WebP image',
          ),
      )
      .max(MAX_COMPARE_IMAGES, `must have at most ${MAX_COMPARE_IMAGES} images`)
      .optional(),
    variables: variablesSchema.optional(),
    slots: z
      .array(slotSchema)
      .min(1, 'must have at least one slot')
      .max(MAX_COMPARE_SLOTS, `must have at most ${MAX_COMPARE_SLOTS} slots`),
    stream: z.boolean().optional(),
  })
  .strict();

export const listComparisonsQuery = z.object({
  q: z.string().max(MAX_SEARCH_LENGTH).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 200).default(50),
});

export const stopBody = z
  .object({
    slot: z
      .number()
      .int('must be a whole number')
      .min(0)
      .max(MAX_COMPARE_SLOTS - 1)
      .optional(),
  })
  .strict();

export const pickBestBody = z.object({ resultId: idField.nullable() }).strict();

export const rateBody = z
  .object({
    rating: z
      .number()
      .int('must be a whole number from 1 to 5')
      .min(1, 'must be from 1 to 5')
      .max(5, 'must be from 1 to 5')
      .nullable(),
  })
  .strict();

export const exportQuery = z.object({
  format: z.enum(COMPARE_EXPORT_FORMATS, { error: 'must be md or json' }).default('md'),
});

const usageSchema = messageSchema.shape.usage;

export const resultSchema = z.object({
  id: z.number().int(),
  comparisonId: z.number().int(),
  slot: z.number().int(),
  modelConfigId: z.number().int().nullable(),
  modelConfigName: z.string(),
  modelId: z.string(),
  providerName: z.string(),
  systemPrompt: z.string().nullable(),
  content: z.string(),
  reasoning: z.string().nullable(),
  status: z.enum(['streaming', 'complete', 'stopped', 'error']),
  usage: usageSchema,
  answerTokens: z.number().int().nullable(),
  ttftMs: z.number().int().nullable(),
  ttfaMs: z.number().int().nullable(),
  answerMs: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  tokensPerSecond: z.number().nullable(),
  cost: z.number().nullable(),
  finishReason: messageSchema.shape.finishReason,
  providerFinishReason: z.string().nullable(),
  error: messageSchema.shape.error,
  rating: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const comparisonSchema = z.object({
  id: z.number().int(),
  prompt: z.string(),
  promptTemplate: z.string().nullable(),
  variables: z.record(z.string(), z.string()).nullable(),
  bestResultId: z.number().int().nullable(),
  results: z.array(resultSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const comparisonResponse = z.object({ comparison: comparisonSchema });

export const summarySchema = z.object({
  id: z.number().int(),
  prompt: z.string(),
  bestResultId: z.number().int().nullable(),
  slots: z.array(
    z.object({
      slot: z.number().int(),
      resultId: z.number().int(),
      modelConfigName: z.string(),
      status: resultSchema.shape.status,
      rating: z.number().int().nullable(),
    }),
  ),
  createdAt: z.string(),
});
