import { z } from 'zod';
import { GPU_HOST_LAUNCHERS } from '../../../shared/src/api/training.js';
import { auditRequest } from '../audit.js';
import type { AppContext } from '../context.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { GpuHost } from '../models/index.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { probeHost } from '../training/hostProbe.js';
import { createGpuHost, isHostAddress, updateGpuHost } from '../training/hostStore.js';
import { asHttpErrors } from '../training/httpErrors.js';
import { presentGpuHost } from '../training/presenters.js';
import { ACTIVE_STATUSES, countOnHost } from '../training/queue.js';
import { trainingOf } from '../training/registry.js';
import { scanHostKey } from '../training/ssh/connection.js';
import { normalizeFingerprint } from '../training/ssh/keys.js';
import { isSingleLine } from '../validation/requestText.js';

const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(isSingleLine, 'must not contain tabs or line breaks');

const fieldsSchema = z.object({
  name: singleLine(64),
  host: singleLine(253).refine(
    isHostAddress,
    'must be an IP address or a host name such as gpu-01.example.com',
  ),
  port: z
    .number({ error: 'must be a port number from 1 to 65535' })
    .int('must be a port number from 1 to 65535')
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535'),
  user: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/,
      'must be a user name of letters, digits, _, . and -, such as ubuntu',
    ),
  privateKey: z
    .string()
    .min(1, 'must not be empty')
    .max(16_384, 'must be at most 16384 characters'),
  privateKeyPassphrase: z.string().max(1024, 'must be at most 1024 characters').optional(),
  hostKeyFingerprint: z.string().max(100).nullable().optional(),
  workDir: singleLine(400).refine(
    (dir) => !dir.startsWith('~'),
    'must not start with ~, which is not expanded; use a path relative to the home directory (models instead of ~/models) or an absolute path',
  ),
  setupCommand: z.string().max(8192, 'must be at most 8192 characters'),
  launcher: z
    .enum(GPU_HOST_LAUNCHERS, { error: `must be one of ${GPU_HOST_LAUNCHERS.join(', ')}` })
    .refine((launcher) => launcher !== 'slurm', 'slurm is not supported yet; use llamafactory'),
  maxConcurrentRuns: z
    .number({ error: 'must be a whole number from 1 to 64' })
    .int('must be a whole number from 1 to 64')
    .min(1, 'must be a whole number from 1 to 64')
    .max(64, 'must be a whole number from 1 to 64'),
});

const createBody = fieldsSchema
  .extend({
    port: fieldsSchema.shape.port.default(22),
    setupCommand: fieldsSchema.shape.setupCommand.default(''),
    launcher: fieldsSchema.shape.launcher.default('llamafactory'),
    maxConcurrentRuns: fieldsSchema.shape.maxConcurrentRuns.default(1),
  })
  .strict();

const updateBody = fieldsSchema.partial().strict();

const hostKeyBody = z.object({ confirmFingerprint: z.string().max(100).optional() }).strict();

const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric GPU host id')
    .transform(Number),
});

const gpuHostSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  keyFingerprintMasked: z.string(),
  hostKeyFingerprint: z.string().nullable(),
  workDir: z.string(),
  setupCommand: z.string(),
  launcher: z.enum(GPU_HOST_LAUNCHERS),
  maxConcurrentRuns: z.number().int(),
  activeRuns: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const testResponse = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  connected: z.boolean(),
  llamaFactoryVersion: z.string().nullable(),
  gpus: z.array(
    z.object({
      index: z.number(),
      name: z.string(),
      memoryTotalMiB: z.number(),
      memoryUsedMiB: z.number(),
    }),
  ),
  driverVersion: z.string().nullable(),
  findings: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** Registers `/api/gpu-hosts` (admins only): CRUD, host key pinning and the connection test. */
export function registerGpuHostRoutes(target: RouteTarget): void {
  defineList(target);
  defineCreate(target);
  defineGet(target);
  defineUpdate(target);
  defineDelete(target);
  defineHostKey(target);
  defineTest(target);
}

async function findHost(id: number): Promise<GpuHost> {
  const host = await GpuHost.findByPk(id);
  if (host === null) {
    throw notFound('GPU host', id);
  }
  return host;
}

async function present(host: GpuHost) {
  return presentGpuHost(host, await countOnHost(host.id, ACTIVE_STATUSES));
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/gpu-hosts',
      summary: 'List GPU hosts',
      tag: 'gpu-hosts',
      access: 'admin',
      responses: {
        200: {
          description: 'Hosts',
          schema: z.object({ gpuHosts: z.array(gpuHostSchema), total: z.number() }),
        },
      },
    },
    async (ctx) => {
      const hosts = await GpuHost.findAll({ order: [['name', 'ASC']] });
      const gpuHosts = await Promise.all(hosts.map(present));
      ctx.body = { gpuHosts, total: gpuHosts.length };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/gpu-hosts',
      summary: 'Add a GPU host; the private key is stored encrypted and never returned',
      tag: 'gpu-hosts',
      access: 'admin',
      body: createBody,
      responses: { 201: { description: 'Created', schema: z.object({ gpuHost: gpuHostSchema }) } },
    },
    async (ctx, { body }) => {
      const host = await createGpuHost(ctx.services.secrets, body);
      await audit(ctx, 'gpu_host.create', host, {
        name: host.name,
        host: host.host,
        port: host.port,
        user: host.username,
        launcher: host.launcher,
        maxConcurrentRuns: host.maxConcurrentRuns,
        hostKeyFingerprint: host.hostKeyFingerprint,
      });
      ctx.status = 201;
      ctx.body = { gpuHost: await present(host) };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/gpu-hosts/:id',
      summary: 'One GPU host',
      tag: 'gpu-hosts',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'The host', schema: z.object({ gpuHost: gpuHostSchema }) } },
    },
    async (ctx, { params }) => {
      ctx.body = { gpuHost: await present(await findHost(params.id)) };
    },
  );
}

function defineUpdate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'patch',
      path: '/api/gpu-hosts/:id',
      summary: 'Change a GPU host; a new host or port forgets the pinned host key',
      tag: 'gpu-hosts',
      access: 'admin',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'Changed', schema: z.object({ gpuHost: gpuHostSchema }) } },
    },
    async (ctx, { params, body }) => {
      const found = await findHost(params.id);
      const pinnedBefore = found.hostKeyFingerprint;
      const host = await updateGpuHost(ctx.services.secrets, found, body);
      trainingOf(ctx.services).hostChanged(host.id);
      // Field names only, because the values may include the private key and its passphrase.
      await audit(ctx, 'gpu_host.update', host, {
        fields: Object.keys(body).sort(),
        ...(host.hostKeyFingerprint === pinnedBefore
          ? {}
          : {
              hostKeyFingerprint: host.hostKeyFingerprint,
              previousHostKeyFingerprint: pinnedBefore,
            }),
      });
      ctx.body = { gpuHost: await present(host) };
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/gpu-hosts/:id',
      summary: 'Delete a GPU host without running or queued tasks; its tasks keep their data',
      tag: 'gpu-hosts',
      access: 'admin',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const host = await findHost(params.id);
      const busy = await countOnHost(host.id, [...ACTIVE_STATUSES, 'queued']);
      if (busy > 0) {
        throw conflict(
          'gpu_host_busy',
          `GPU host ${host.id} has ${busy} running or queued ${busy === 1 ? 'task' : 'tasks'}; stop them first.`,
        );
      }
      await host.destroy();
      trainingOf(ctx.services).hostChanged(host.id);
      await audit(ctx, 'gpu_host.delete', host, {
        name: host.name,
        host: host.host,
        port: host.port,
      });
      ctx.status = 204;
    },
  );
}

function defineHostKey(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/gpu-hosts/:id/host-key',
      summary:
        'Read the host key the host presents; with confirmFingerprint, pin it if it still matches',
      tag: 'gpu-hosts',
      access: 'admin',
      params: idParams,
      body: hostKeyBody,
      responses: {
        200: {
          description: 'The presented and pinned fingerprints',
          schema: z.object({
            fingerprint: z.string(),
            keyType: z.string(),
            pinned: z.string().nullable(),
            matches: z.boolean(),
            gpuHost: gpuHostSchema,
          }),
        },
      },
    },
    async (ctx, { params, body }) => {
      const host = await findHost(params.id);
      const { settings } = trainingOf(ctx.services);
      const presented = await asHttpErrors(() =>
        scanHostKey(host.host, host.port, settings.sshReadyTimeoutMs),
      );
      if (body.confirmFingerprint !== undefined) {
        const pinnedBefore = host.hostKeyFingerprint;
        await pinHostKey(host, body.confirmFingerprint, presented.fingerprint);
        trainingOf(ctx.services).hostChanged(host.id);
        await audit(ctx, 'gpu_host.pin_host_key', host, {
          hostKeyFingerprint: presented.fingerprint,
          keyType: presented.keyType,
          previousHostKeyFingerprint: pinnedBefore,
        });
      }
      ctx.body = {
        ...presented,
        pinned: host.hostKeyFingerprint,
        matches: host.hostKeyFingerprint === presented.fingerprint,
        gpuHost: await present(host),
      };
    },
  );
}

function audit(
  ctx: AppContext,
  action: 'gpu_host.create' | 'gpu_host.update' | 'gpu_host.delete' | 'gpu_host.pin_host_key',
  host: GpuHost,
  details: Record<string, unknown>,
) {
  return auditRequest(ctx, { action, targetType: 'gpu_host', targetId: host.id, details });
}

/** Pins the presented key when it is the one the admin confirmed. */
async function pinHostKey(host: GpuHost, confirmed: string, presented: string): Promise<void> {
  const normalized = normalizeFingerprint(confirmed);
  if (normalized === undefined) {
    throw badRequest(
      'validation_failed',
      `Invalid body.confirmFingerprint: ${JSON.stringify(confirmed.slice(0, 80))} is not a SHA256 fingerprint; send the fingerprint this route returned.`,
    );
  }
  if (normalized !== presented) {
    throw conflict(
      'host_key_mismatch',
      `The host now presents ${presented}, not the confirmed ${normalized}; fetch the key again and compare it with the host.`,
    );
  }
  host.hostKeyFingerprint = presented;
  host.changed('updatedAt', true);
  await host.save();
}

function defineTest(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/gpu-hosts/:id/test',
      summary:
        'Connect and report GPUs, driver and LLaMA-Factory version; missing tools are findings ' +
        'in a 200 response, a changed host key is a 409',
      tag: 'gpu-hosts',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'What the host offers', schema: testResponse } },
    },
    async (ctx, { params }) => {
      const host = await findHost(params.id);
      const { settings } = trainingOf(ctx.services);
      ctx.body = await asHttpErrors(() => probeHost(ctx.services.secrets, settings, host));
    },
  );
}
