// Request and response schemas of the chat routes; the same schemas validate requests and
// describe the routes in the OpenAPI document.
import { z } from 'zod';
import { CHAT_EXPORT_FORMATS } from '../../../shared/src/api/chat.js';
import { findInvisibleControl, hasVisibleText } from '../validation/invisibleControls.js';
import { queryInteger } from '../validation/query.js';
import { isSingleLine } from '../validation/requestText.js';

/** The largest value of a signed 32-bit INTEGER column. */
const MAX_INTEGER = 2_147_483_647;

/** The length of the title column. */
export const MAX_TITLE_LENGTH = 191;

export const MAX_SYSTEM_PROMPT_LENGTH = 100_000;

export const MAX_MESSAGE_LENGTH = 1_000_000;

const recordId = (what: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `must be a numeric ${what} id`)
    .transform(Number);

export const sessionParams = z.object({ id: recordId('chat session') });

export const messageParams = z.object({
  id: recordId('chat session'),
  messageId: recordId('message'),
});

const idField = z.number().int('must be a whole number').min(1).max(MAX_INTEGER);

const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_TITLE_LENGTH, `must be at most ${MAX_TITLE_LENGTH} characters`)
  .refine(isSingleLine, 'must be one line: remove tabs and line breaks from the title')
  .superRefine((text, context) => {
    const control = findInvisibleControl(text);
    if (control !== undefined) {
      context.addIssue({
        code: 'custom',
        message:
          `must not contain the invisible control character ${control}; ` +
          'remove it from the title',
      });
    } else if (!hasVisibleText(text)) {
      context.addIssue({
        code: 'custom',
        message: 'must contain visible text, not only whitespace or zero-width characters',
      });
    }
  });

const systemPrompt = z
  .string()
  .max(
    MAX_SYSTEM_PROMPT_LENGTH,
    `must be at most ${MAX_SYSTEM_PROMPT_LENGTH} characters; shorten the system prompt`,
  );

export const createSessionBody = z
  .object({
    modelConfigId: idField,
    title: title.optional(),
    systemPromptId: idField.optional(),
    systemPrompt: systemPrompt.optional(),
  })
  .strict();

export const updateSessionBody = z
  .object({
    modelConfigId: idField,
    title,
    systemPromptId: idField.nullable(),
    systemPrompt: systemPrompt.nullable(),
  })
  .partial()
  .strict();

export const listSessionsQuery = z.object({
  q: z.string().max(MAX_TITLE_LENGTH).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 200).default(50),
});

export const sendMessageBody = z
  .object({
    content: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
      .refine(hasVisibleText, 'must contain text, not only whitespace or zero-width characters'),
    stream: z.boolean().optional(),
  })
  .strict();

export const regenerateBody = z.object({ stream: z.boolean().optional() }).strict();

export const exportQuery = z.object({
  format: z.enum(CHAT_EXPORT_FORMATS, { error: 'must be txt, md or json' }).default('md'),
});

const usageSchema = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  reasoningTokens: z.number().int(),
});

export const messageSchema = z.object({
  id: z.number().int(),
  sessionId: z.number().int(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  reasoning: z.string().nullable(),
  status: z.enum(['streaming', 'complete', 'stopped', 'error']),
  modelConfigId: z.number().int().nullable(),
  modelId: z.string().nullable(),
  streamed: z.boolean(),
  usage: usageSchema.nullable(),
  ttftMs: z.number().int().nullable(),
  ttfaMs: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  finishReason: z
    .enum(['stop', 'length', 'content_filter', 'tool_calls', 'aborted', 'error'])
    .nullable(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      status: z.number().int().optional(),
      providerMessage: z.string().optional(),
      retryAfterMs: z.number().optional(),
    })
    .nullable(),
  createdAt: z.string(),
});

export const sessionSchema = z.object({
  id: z.number().int(),
  title: z.string().nullable(),
  modelConfigId: z.number().int().nullable(),
  modelConfigName: z.string().nullable(),
  systemPromptId: z.number().int().nullable(),
  systemPrompt: z.string().nullable(),
  messageCount: z.number().int(),
  lastMessageAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const sessionResponse = z.object({ session: sessionSchema });

export const turnResponse = z.object({
  userMessage: messageSchema,
  assistantMessage: messageSchema,
  session: sessionSchema,
});
