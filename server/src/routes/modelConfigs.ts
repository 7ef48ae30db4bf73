import { z } from 'zod';
import { recordAudit } from '../audit.js';
import type { AppContext } from '../context.js';
import { unauthorized } from '../errors.js';
import { ModelConfig, Provider, type User } from '../models/index.js';
import {
  assertCanReadConfig,
  assertCanWriteConfig,
  readableModelConfigs,
} from '../policies/modelConfigs.js';
import { presentModelConfig } from '../presenters/modelConfig.js';
import { createModelConfig, updateModelConfig } from '../providers/modelConfigStore.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { queryInteger } from '../validation/query.js';
import { isSingleLine } from '../validation/requestText.js';

/** The largest value of a signed 32-bit INTEGER column. */
const MAX_INTEGER = 2_147_483_647;

/** The length of the model_id and display_name columns. */
const MAX_NAME_LENGTH = 191;

const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

const singleLineText = (label: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
    .refine(isSingleLine, `must be one line: remove tabs and line breaks from the ${label}`);

const reasoningSchema = z
  .object({
    effort: z.enum(REASONING_EFFORTS).optional(),
    budgetTokens: z
      .number()
      .int('must be a whole number of tokens')
      .min(1, 'must be at least 1')
      .max(MAX_INTEGER)
      .optional(),
  })
  .strict()
  .refine(
    (reasoning) => (reasoning.effort === undefined) !== (reasoning.budgetTokens === undefined),
    'must set exactly one of effort (minimal, low, medium or high) and budgetTokens',
  );

const priceSchema = z.number().min(0, 'must be 0 or more dollars per million tokens').nullable();

/** Every settable field. Create requires providerId and modelId, and update takes any subset. */
const fields = {
  providerId: z.number().int().min(1).max(MAX_INTEGER),
  modelId: singleLineText('model id'),
  displayName: singleLineText('display name'),
  temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2'),
  maxTokens: z
    .number()
    .int('must be a whole number of tokens')
    .min(1, 'must be at least 1')
    .max(MAX_INTEGER),
  topP: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
  topK: z
    .number()
    .int('must be a whole number; 0 leaves top_k to the provider')
    .min(0, 'must be 0 or more; 0 leaves top_k to the provider')
    .max(MAX_INTEGER),
  reasoning: reasoningSchema.nullable(),
  priceInputPerMTok: priceSchema,
  priceOutputPerMTok: priceSchema,
  enabled: z.boolean(),
};

const createBody = z
  .object({
    ...fields,
    displayName: fields.displayName.optional(),
    temperature: fields.temperature.optional(),
    maxTokens: fields.maxTokens.optional(),
    topP: fields.topP.optional(),
    topK: fields.topK.optional(),
    reasoning: fields.reasoning.optional(),
    priceInputPerMTok: fields.priceInputPerMTok.optional(),
    priceOutputPerMTok: fields.priceOutputPerMTok.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict();

const updateBody = z.object(fields).partial().strict();

const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a model config id; use the numeric id from GET /api/model-configs`,
    })
    .transform(Number),
});

const booleanText = z.enum(['true', 'false']).transform((text) => text === 'true');

const listQuery = z.object({
  providerId: queryInteger(1, MAX_INTEGER).optional(),
  enabled: booleanText.optional(),
});

const modelConfigSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int(),
  providerId: z.number().int(),
  providerName: z.string(),
  providerKind: z.string(),
  modelId: z.string(),
  displayName: z.string(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  topP: z.number(),
  topK: z.number().int(),
  reasoning: z
    .object({ effort: z.enum(REASONING_EFFORTS).optional(), budgetTokens: z.number().optional() })
    .nullable(),
  priceInputPerMTok: z.number().nullable(),
  priceOutputPerMTok: z.number().nullable(),
  enabled: z.boolean(),
  modelMissing: z.boolean(),
  exceedsContextLength: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const oneResponse = z.object({ modelConfig: modelConfigSchema });

/** Registers `/api/model-configs` CRUD. */
export function registerModelConfigRoutes(target: RouteTarget): void {
  defineList(target);
  defineCreate(target);
  defineGet(target);
  defineUpdate(target, 'patch');
  // PUT came first and takes the same partial body; it stays as an alias of PATCH.
  defineUpdate(target, 'put');
  defineDelete(target);
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/model-configs',
      summary: 'List your model configs and those offered on shared providers',
      tag: 'model-configs',
      access: 'user',
      query: listQuery,
      responses: {
        200: {
          description: 'Model configs',
          schema: z.object({ modelConfigs: z.array(modelConfigSchema), total: z.number() }),
        },
      },
    },
    async (ctx, { query }) => {
      const readable = await readableModelConfigs(signedIn(ctx));
      const configs = await ModelConfig.findAll({
        where: {
          ...readable,
          ...(query.providerId === undefined ? {} : { providerId: query.providerId }),
          ...(query.enabled === undefined ? {} : { enabled: query.enabled }),
        },
        include: [{ model: Provider, as: 'provider', required: true }],
        order: [
          ['displayName', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      ctx.body = {
        modelConfigs: configs.map((config) => presentModelConfig(config, config.provider!)),
        total: configs.length,
      };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/model-configs',
      summary: 'Configure a model of a provider; unset parameters take their defaults',
      tag: 'model-configs',
      access: 'user',
      body: createBody,
      responses: { 201: { description: 'Created', schema: oneResponse } },
    },
    async (ctx, { body }) => {
      const { config, provider } = await createModelConfig(signedIn(ctx), body);
      await audit(ctx, 'model_config.create', config.id, {
        providerId: provider.id,
        modelId: config.modelId,
      });
      ctx.status = 201;
      ctx.body = { modelConfig: presentModelConfig(config, provider) };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/model-configs/:id',
      summary: 'One model config',
      tag: 'model-configs',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'The model config', schema: oneResponse } },
    },
    async (ctx, { params }) => {
      const { config, provider } = await loadReadable(signedIn(ctx), params.id);
      ctx.body = { modelConfig: presentModelConfig(config, provider) };
    },
  );
}

function defineUpdate(target: RouteTarget, method: 'patch' | 'put'): void {
  defineRoute(
    target,
    {
      method,
      path: '/api/model-configs/:id',
      summary:
        method === 'patch'
          ? 'Change the fields given of a model config'
          : 'Change the fields given of a model config (an alias of PATCH)',
      tag: 'model-configs',
      access: 'user',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'Changed', schema: oneResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const loaded = await loadReadable(user, params.id);
      assertCanWriteConfig(user, loaded.config, loaded.provider);
      const { config, provider } = await updateModelConfig(
        user,
        loaded.config,
        loaded.provider,
        body,
      );
      await audit(ctx, 'model_config.update', config.id, { fields: Object.keys(body) });
      ctx.body = { modelConfig: presentModelConfig(config, provider) };
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/model-configs/:id',
      summary: 'Delete a model config',
      tag: 'model-configs',
      access: 'user',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const user = signedIn(ctx);
      const { config, provider } = await loadReadable(user, params.id);
      assertCanWriteConfig(user, config, provider);
      await config.destroy();
      await audit(ctx, 'model_config.delete', config.id, {
        providerId: provider.id,
        modelId: config.modelId,
        displayName: config.displayName,
      });
      ctx.status = 204;
    },
  );
}

async function loadReadable(user: User, id: number) {
  const config = await ModelConfig.findByPk(id, {
    include: [{ model: Provider, as: 'provider' }],
  });
  return assertCanReadConfig(user, config, config?.provider ?? null, id);
}

function signedIn(ctx: AppContext): User {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}

function audit(
  ctx: AppContext,
  action: 'model_config.create' | 'model_config.update' | 'model_config.delete',
  configId: number,
  details: Record<string, unknown>,
) {
  return recordAudit({
    action,
    actorId: ctx.state.currentUser?.id ?? null,
    targetType: 'model_config',
    targetId: configId,
    ip: ctx.ip,
    details,
  });
}
