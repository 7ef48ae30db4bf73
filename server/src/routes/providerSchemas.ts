// Request and response schemas of the `/api/providers` routes.
import { z } from 'zod';
import {
  MODEL_CAPABILITIES,
  MODEL_TYPES,
  PROVIDER_KINDS,
} from '../../../shared/src/api/providers.js';
import { normalizeProviderName, providerNameProblem } from '../providers/providerNames.js';

/**
 * Headers the HTTP client sets itself, hop-by-hop headers that would change the connection, and
 * credentials of other schemes (cookies, proxy authorization) that Node's fetch rejects.
 */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
  'proxy-authorization',
  'proxy-authenticate',
  'cookie',
]);

/** A header name: an RFC 9110 token. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

/** A header value: visible ASCII characters, spaces and tabs (RFC 9110 field-value). */
const HEADER_VALUE = /^[\x20-\x7E\t]*$/;

/** An API key: printable ASCII, as every provider issues them and HTTP headers carry them. */
const API_KEY = /^[\x20-\x7E]*$/;

const MAX_HEADERS = 20;
const MAX_HEADER_VALUE_LENGTH = 4096;

/**
 * Headers are stored as encrypted JSON in a TEXT column, which takes up to 65,535 bytes in MySQL.
 * 8,192 characters of names and values take at most about 25,000 bytes as JSON in UTF-8, and
 * about 33,000 once encrypted and base64url encoded.
 */
const MAX_HEADERS_TEXT_LENGTH = 8192;

/** Custom headers; which names may carry the API key depends on the kind (see providerStore). */
export const headersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  const seen = new Map<string, string>();
  let textLength = 0;
  for (const [name, value] of Object.entries(headers)) {
    textLength += name.length + value.length;
    const problem = headerProblem(name, value, seen.get(name.toLowerCase()));
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    seen.set(name.toLowerCase(), name);
  }
  if (seen.size > MAX_HEADERS) {
    ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_HEADERS} headers` });
  }
  if (textLength > MAX_HEADERS_TEXT_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      message: `must have at most ${MAX_HEADERS_TEXT_LENGTH} characters of names and values in all`,
    });
  }
});

function headerProblem(
  name: string,
  value: string,
  earlier: string | undefined,
): string | undefined {
  if (!HEADER_NAME.test(name)) {
    return 'is not a header name: use 1 to 64 letters, digits and - (an RFC 9110 token)';
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    return `is set by the HTTP client or changes the connection; remove the ${name} header`;
  }
  if (earlier !== undefined) {
    return `repeats the header ${earlier}, because header names ignore case; keep one of them`;
  }
  if (value.length > MAX_HEADER_VALUE_LENGTH) {
    return `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`;
  }
  if (!HEADER_VALUE.test(value)) {
    return 'must contain only visible ASCII characters, spaces and tabs; line breaks and other characters cannot be sent in an HTTP header';
  }
  return undefined;
}

const nameSchema = z
  .string()
  .transform(normalizeProviderName)
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .superRefine((name, ctx) => {
        const problem = providerNameProblem(name);
        if (problem !== undefined) {
          ctx.addIssue({ code: 'custom', message: problem });
        }
      }),
  );

/** An API key is sent in an HTTP header, so it must be printable ASCII on one line. */
const apiKeySchema = z
  .string()
  .max(4096)
  .refine(
    (key) => key.trim() !== '',
    'must not be blank; leave apiKey out, or send null to remove the key',
  )
  .refine(
    (key) => API_KEY.test(key),
    'must contain only printable ASCII characters; copy the key again from the provider',
  );

export const createBody = z
  .object({
    kind: z.enum(PROVIDER_KINDS),
    name: nameSchema,
    baseUrl: z.string().max(512).optional(),
    apiKey: apiKeySchema.optional(),
    headers: headersSchema.optional(),
    shared: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const updateBody = z
  .object({
    kind: z.enum(PROVIDER_KINDS).optional(),
    name: nameSchema.optional(),
    baseUrl: z
      .string()
      .trim()
      .min(1, 'must not be empty; leave baseUrl out to keep the current URL')
      .max(512)
      .optional(),
    apiKey: apiKeySchema.nullable().optional(),
    headers: headersSchema.nullable().optional(),
    shared: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a provider id; use the numeric id from GET /api/providers`,
    })
    .transform(Number),
});

export const deleteQuery = z.object({
  force: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((text) => text === 'true')
    .optional(),
});

export const providerSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int(),
  name: z.string(),
  kind: z.enum(PROVIDER_KINDS),
  baseUrl: z.string(),
  apiKeyMasked: z.string().nullable(),
  headerNames: z.array(z.string()),
  shared: z.boolean(),
  enabled: z.boolean(),
  status: z.enum(['unknown', 'ok', 'error']),
  lastError: z.string().nullable(),
  lastCheckedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const savedResponse = z.object({
  provider: providerSchema,
  urlChanges: z.array(z.string()),
});

export const deleteResponse = z.object({
  deleted: z.object({
    providerId: z.number().int(),
    models: z.number().int(),
    modelConfigs: z.number().int(),
  }),
});

export const modelSchema = z.object({
  id: z.number().int(),
  modelId: z.string(),
  displayName: z.string(),
  type: z.enum(MODEL_TYPES),
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)),
  contextLength: z.number().int().nullable(),
});

const configReference = { id: z.number().int(), displayName: z.string(), modelId: z.string() };

export const syncResponse = z.object({
  models: z.array(modelSchema),
  added: z.number().int(),
  removed: z.number().int(),
  orphanedConfigs: z.array(z.object(configReference)),
  configsOverLimit: z.array(
    z.object({
      ...configReference,
      maxTokens: z.number().int(),
      contextLength: z.number().int(),
    }),
  ),
  skippedCount: z.number().int(),
  skipped: z.array(z.object({ modelId: z.string(), reason: z.string() })),
});

export const testResponse = z.object({
  ok: z.boolean(),
  latencyMs: z.number().int(),
  modelCount: z.number().int().nullable(),
  skippedCount: z.number().int().nullable(),
  statusUpdated: z.boolean(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      providerMessage: z.string().optional(),
      status: z.number().int().optional(),
    })
    .optional(),
});

/** The error body every failure has, for the documented error statuses. */
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
