import { z } from 'zod';
import { recordAudit } from '../audit.js';
import type { AppContext } from '../context.js';
import { conflict, HttpError, unauthorized } from '../errors.js';
import { ModelConfig, Provider, ProviderModel } from '../models/index.js';
import { assertCanRead, assertCanWrite, readableProviders } from '../policies/providers.js';
import { presentProvider, presentProviderModel } from '../presenters/provider.js';
import { testProviderConnection } from '../providers/connectionTest.js';
import { assertCanSync, syncProviderModels } from '../providers/modelSync.js';
import { createProvider, updateProvider } from '../providers/providerStore.js';
import { countProviderTest } from '../providers/testRateLimit.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import {
  createBody,
  deleteQuery,
  deleteResponse,
  errorResponse,
  idParams,
  modelSchema,
  providerSchema,
  savedResponse,
  syncResponse,
  testResponse,
  updateBody,
} from './providerSchemas.js';

/** Documents the error statuses a route returns, each with the shared error body. */
function errors(descriptions: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [
      status,
      { description, schema: errorResponse },
    ]),
  );
}

const NOT_FOUND = { 404: 'No provider with this id that you can see' };

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
      summary: 'List your providers and the shared ones; admins get every provider',
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
      summary:
        'Connect a provider; the base URL is normalized, the key stored encrypted, and only ' +
        "admins' providers may reach loopback and private networks",
      tag: 'providers',
      access: 'user',
      body: createBody,
      responses: {
        201: { description: 'Created', schema: savedResponse },
        ...errors({
          400: 'Invalid field, or a base URL address the server does not allow',
          403: 'Only admins share providers',
          409: 'You already have a provider of this name',
        }),
      },
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
        ...errors(NOT_FOUND),
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
      summary:
        'Change a provider; send apiKey null to clear the key. A base URL on another host needs ' +
        'apiKey and headers again in the same request',
      tag: 'providers',
      access: 'user',
      params: idParams,
      body: updateBody,
      responses: {
        200: { description: 'Changed', schema: savedResponse },
        ...errors({
          400: 'Invalid field, or a new host without the key and headers',
          403: 'Only the owner or an admin may change it',
          ...NOT_FOUND,
          409: 'You already have a provider of this name',
        }),
      },
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
      summary:
        'Delete a provider with its synced models and every model config on it, those of other ' +
        "users included; when other users' configs use it, force=true is required",
      tag: 'providers',
      access: 'user',
      params: idParams,
      query: deleteQuery,
      responses: {
        200: { description: 'Deleted, with what was deleted along', schema: deleteResponse },
        ...errors({
          403: 'Only the owner or an admin may delete it',
          ...NOT_FOUND,
          409: "Other users' model configs use it; repeat with force=true",
        }),
      },
    },
    async (ctx, { params, query }) => {
      const user = signedIn(ctx);
      const provider = assertCanRead(user, await Provider.findByPk(params.id), params.id);
      assertCanWrite(user, provider);
      const configs = await ModelConfig.findAll({
        where: { providerId: provider.id },
        attributes: ['id', 'ownerId'],
      });
      const othersConfigs = configs.filter((config) => config.ownerId !== provider.ownerId);
      if (othersConfigs.length > 0 && query.force !== true) {
        throw conflict(
          'provider_in_use',
          `Provider ${provider.name} has ${othersConfigs.length} model configs of other users, ` +
            `and deleting it deletes all ${configs.length} of its configs; repeat the request ` +
            'with ?force=true to delete them with it.',
          { modelConfigs: configs.length, otherUsersModelConfigs: othersConfigs.length },
        );
      }
      const models = await ProviderModel.count({ where: { providerId: provider.id } });
      await provider.destroy();
      await audit(ctx, 'provider.delete', provider.id, {
        name: provider.name,
        modelConfigs: configs.length,
      });
      ctx.body = {
        deleted: { providerId: provider.id, models, modelConfigs: configs.length },
      };
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
        ...errors(NOT_FOUND),
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
        'Replace the stored model list with what the provider lists now (owner or admin; only ' +
        'admins for shared providers). Configs of models that are gone are kept and flagged ' +
        'modelMissing; models with unusable ids are skipped and reported.',
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: {
        200: { description: 'The new model list', schema: syncResponse },
        ...errors({
          403: 'Only the owner or an admin may sync it; only admins sync shared providers',
          404: 'No such provider, or it was deleted during the sync',
          409: 'The provider changed during the sync, or its stored key cannot be decrypted',
          502: 'The provider call failed; the code says how',
        }),
      },
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
        'and the reason when the call fails. Each user may run a limited number of tests a ' +
        "minute, and only the owner's and admins' results become the provider's status",
      tag: 'providers',
      access: 'user',
      params: idParams,
      responses: {
        200: { description: 'The outcome and latency', schema: testResponse },
        ...errors({ ...NOT_FOUND, 429: 'Too many tests in the last minute' }),
      },
    },
    async (ctx, { params }) => {
      const user = signedIn(ctx);
      const provider = assertCanRead(user, await Provider.findByPk(params.id), params.id);
      countProviderTest(ctx.services, user);
      ctx.body = await testProviderConnection(ctx.services, user, provider);
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
