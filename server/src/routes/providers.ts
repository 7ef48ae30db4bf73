import { z } from 'zod';
import { PROVIDER_KINDS } from '../../../shared/src/api/providers.js';
import { recordAudit } from '../audit.js';
import type { AppContext } from '../context.js';
import { HttpError, unauthorized } from '../errors.js';
import { Provider, ProviderModel } from '../models/index.js';
import { assertCanRead, assertCanWrite, readableProviders } from '../policies/providers.js';
import { presentProvider, presentProviderModel } from '../presenters/provider.js';
import { testProviderConnection } from '../providers/connectionTest.js';
import { assertCanSync, syncProviderModels } from '../providers/modelSync.js';
import { createProvider, updateProvider } from '../providers/providerStore.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { isSingleLine } from '../validation/requestText.js';

/** Headers that the HTTP client sets itself or that would break the connection. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'content-type',
]);

/**
 * Headers are stored as encrypted JSON in a TEXT column, which takes up to 65,535 bytes in MySQL.
 * 8,192 characters of names and values take at most about 25,000 bytes as JSON in UTF-8, and
 * about 33,000 once encrypted and base64url encoded.
 */
const MAX_HEADERS_TEXT_LENGTH = 8192;

function headersTextLength(headers: Record<string, string>): number {
  let length = 0;
  for (const [name, value] of Object.entries(headers)) {
    length += name.length + value.length;
  }
  return length;
}

const headersSchema = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'must be a header name of letters, digits and -')
      .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'is set by the server itself'),
    z
      .string()
      .max(4096)
      .regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
  )
  .refine((headers) => Object.keys(headers).length <= 20, 'must have at most 20 headers')
  .refine(
    (headers) => headersTextLength(headers) <= MAX_HEADERS_TEXT_LENGTH,
    `must have at most ${MAX_HEADERS_TEXT_LENGTH} characters of names and values in all`,
  );

const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine(isSingleLine, 'must not contain tabs or line breaks');

/** An API key is sent in an HTTP header, where a line break would end the header. */
const apiKeySchema = z
  .string()
  .max(4096)
  .refine(isSingleLine, 'must not contain tabs or line breaks');

const createBody = z.object({
  kind: z.enum(PROVIDER_KINDS),
  name: nameSchema,
  baseUrl: z.string().max(512).optional(),
  apiKey: apiKeySchema.optional(),
  headers: headersSchema.optional(),
  shared: z.boolean().optional(),
  enabled: z.boolean().optional(),
});

const updateBody = z
  .object({
    kind: z.enum(PROVIDER_KINDS).optional(),
    name: nameSchema.optional(),
    baseUrl: z.string().max(512).optional(),
    apiKey: apiKeySchema.nullable().optional(),
    headers: headersSchema.nullable().optional(),
    shared: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric provider id')
    .transform(Number),
});

const providerSchema = z.object({
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

const savedResponse = z.object({ provider: providerSchema, urlChanges: z.array(z.string()) });

const modelSchema = z.object({
  id: z.number().int(),
  modelId: z.string(),
  displayName: z.string(),
  type: z.enum(['chat', 'embedding', 'vision', 'reasoning']),
  capabilities: z.array(z.string()),
  contextLength: z.number().int().nullable(),
});

const syncResponse = z.object({
  models: z.array(modelSchema),
  added: z.number().int(),
  removed: z.number().int(),
  orphanedConfigs: z.array(
    z.object({ id: z.number().int(), displayName: z.string(), modelId: z.string() }),
  ),
});

const testResponse = z.object({
  ok: z.boolean(),
  latencyMs: z.number().int(),
  modelCount: z.number().int().nullable(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      providerMessage: z.string().optional(),
      status: z.number().int().optional(),
    })
    .optional(),
});

/** Registers `/api/providers` CRUD, the model list of a provider, its sync and its test. */
export function registerProviderRoutes(target: RouteTarget): void {
  defineList(target);
  defineCreate(target);
  defineGet(target);
  defineUpdate(target);
  defineDelete(target);
  defineListModels(target);
  defineSyncModels(target);
  defineTest(target);
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/providers',
      summary: 'List your providers and the shared ones',
      tag: 'providers',
      access: 'user',
      responses: {
        200: {
          description: 'Providers',
          schema: z.object({ providers: z.array(providerSchema), total: z.number() }),
        },
      },
    },
    async (ctx) => {
      const providers = await Provider.findAll({
        where: readableProviders(signedIn(ctx)),
        order: [
          ['name', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      ctx.body = { providers: providers.map(presentProvider), total: providers.length };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/providers',
      summary: 'Connect a provider; the base URL is normalized and the key stored encrypted',
      tag: 'providers',
      access: 'user',
      body: createBody,
      responses: { 201: { description: 'Created', schema: savedResponse } },
    },
    async (ctx, { body }) => {
      const user = signedIn(ctx);
      const saved = await createProvider(ctx.services, user, body);
      await audit(ctx, 'provider.create', saved.provider.id);
      ctx.status = 201;
      ctx.body = { provider: presentProvider(saved.provider), urlChanges: saved.urlChanges };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/providers/:id',
      summary: 'One provider',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: {
        200: { description: 'The provider', schema: z.object({ provider: providerSchema }) },
      },
    },
    async (ctx, { params }) => {
      const provider = assertCanRead(signedIn(ctx), await Provider.findByPk(params.id), params.id);
      ctx.body = { provider: presentProvider(provider) };
    },
  );
}

function defineUpdate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'patch',
      path: '/api/providers/:id',
      summary: 'Change a provider; send apiKey null to clear the key',
      tag: 'providers',
      access: 'user',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'Changed', schema: savedResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const provider = assertCanRead(user, await Provider.findByPk(params.id), params.id);
      assertCanWrite(user, provider);
      const saved = await updateProvider(ctx.services, user, provider, body);
      await audit(ctx, 'provider.update', provider.id, { fields: Object.keys(body) });
      ctx.body = { provider: presentProvider(saved.provider), urlChanges: saved.urlChanges };
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/providers/:id',
      summary: 'Delete a provider and its synced models',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const user = signedIn(ctx);
      const provider = assertCanRead(user, await Provider.findByPk(params.id), params.id);
      assertCanWrite(user, provider);
      await provider.destroy();
      await audit(ctx, 'provider.delete', provider.id, { name: provider.name });
      ctx.status = 204;
    },
  );
}

function defineListModels(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/providers/:id/models',
      summary: 'Models of a provider as of its last sync',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: {
        200: {
          description: 'Models',
          schema: z.object({ models: z.array(modelSchema), total: z.number() }),
        },
      },
    },
    async (ctx, { params }) => {
      const provider = assertCanRead(signedIn(ctx), await Provider.findByPk(params.id), params.id);
      const models = await ProviderModel.findAll({
        where: { providerId: provider.id },
        order: [['modelId', 'ASC']],
      });
      ctx.body = { models: models.map(presentProviderModel), total: models.length };
    },
  );
}

function defineSyncModels(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/providers/:id/sync-models',
      summary:
        'Replace the stored model list with what the provider lists now; configs of models ' +
        'that are gone are kept and flagged modelMissing. A provider failure is a 502.',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'The new model list', schema: syncResponse } },
    },
    async (ctx, { params }) => {
      const user = signedIn(ctx);
      const provider = assertCanRead(user, await Provider.findByPk(params.id), params.id);
      assertCanSync(user, provider);
      try {
        const result = await syncProviderModels(ctx.services, user, provider);
        await audit(ctx, 'provider.sync_models', provider.id, {
          ok: true,
          added: result.added,
          removed: result.removed,
          total: result.models.length,
        });
        ctx.body = result;
      } catch (error) {
        if (error instanceof HttpError && error.status === 502) {
          await audit(ctx, 'provider.sync_models', provider.id, { ok: false, code: error.code });
        }
        throw error;
      }
    },
  );
}

function defineTest(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/providers/:id/test',
      summary:
        "List the provider's models to check its address and key; returns 200 with ok false " +
        'and the reason when the provider call fails',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'The outcome and latency', schema: testResponse } },
    },
    async (ctx, { params }) => {
      const provider = assertCanRead(signedIn(ctx), await Provider.findByPk(params.id), params.id);
      ctx.body = await testProviderConnection(ctx.services, provider);
    },
  );
}

function signedIn(ctx: AppContext) {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}

function audit(
  ctx: AppContext,
  action: 'provider.create' | 'provider.update' | 'provider.delete' | 'provider.sync_models',
  providerId: number,
  details?: Record<string, unknown>,
) {
  return recordAudit({
    action,
    actorId: ctx.state.currentUser?.id ?? null,
    targetType: 'provider',
    targetId: providerId,
    ip: ctx.ip,
    ...(details === undefined ? {} : { details }),
  });
}
