import { z } from 'zod';
import { TRAINING_DEFAULTS, TRAINING_PARAMETER_RANGES } from '../../../shared/src/api/training.js';
import { auditRequest, type AuditAction } from '../audit.js';
import type { AppContext } from '../context.js';
import { conflict, unauthorized } from '../errors.js';
import { GpuHost, TrainingMetric, TrainingTask, type User } from '../models/index.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { streamTaskEvents } from '../training/eventStream.js';
import { asHttpErrors } from '../training/httpErrors.js';
import { PARAMETER_EXPLANATIONS, withDefaults } from '../training/parameters.js';
import { presentMetric, presentTrainingTask } from '../training/presenters.js';
import { ACTIVE_STATUSES, countOnHost, queuePosition } from '../training/queue.js';
import { trainingOf } from '../training/registry.js';
import { RemoteRun } from '../training/remoteRun.js';
import { renderTaskReport } from '../training/report.js';
import { RUN_FILES } from '../training/runFiles.js';
import { findTaskFor, readableTasks } from '../training/taskAccess.js';
import {
  createBody,
  deleteQuery,
  idParams,
  listQuery,
  logsQuery,
  reportQuery,
  taskResponse,
  updateBody,
} from '../training/taskSchemas.js';
import { checkReferences, createTrainingTask } from '../training/taskStore.js';

/**
 * Registers `/api/training`: defaults, host choices, task CRUD, start, stop, resume, metrics,
 * logs, the event stream and the report.
 */
export function registerTrainingTaskRoutes(target: RouteTarget): void {
  defineDefaults(target);
  defineHostChoices(target);
  defineList(target);
  defineCreate(target);
  defineGet(target);
  defineUpdate(target);
  defineDelete(target);
  defineAction(target, 'start', 'Start the task from scratch, or queue it while its host is busy');
  defineAction(
    target,
    'stop',
    'Stop the task: SIGABRT so LLaMA-Factory saves, then TERM, then KILL',
  );
  defineAction(target, 'resume', 'Resume a stopped or failed task from its last checkpoint');
  defineMetrics(target);
  defineLogs(target);
  defineEvents(target);
  defineReport(target);
}

function signedIn(ctx: AppContext): User {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}

async function respondWithTask(ctx: AppContext, task: TrainingTask, status = 200): Promise<void> {
  ctx.status = status;
  ctx.body = { task: presentTrainingTask(task, await queuePosition(task)) };
}

function defineDefaults(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/defaults',
      summary: 'Suggested LoRA parameters, one line of advice each, and the allowed ranges',
      tag: 'training',
      access: 'user',
      responses: { 200: { description: 'Defaults', schema: z.record(z.string(), z.unknown()) } },
    },
    (ctx) => {
      ctx.body = {
        defaults: TRAINING_DEFAULTS,
        explanations: PARAMETER_EXPLANATIONS,
        ranges: TRAINING_PARAMETER_RANGES,
      };
    },
  );
}

function defineHostChoices(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/hosts',
      summary: 'GPU hosts a task can run on: id, name and how busy they are',
      tag: 'training',
      access: 'user',
      responses: { 200: { description: 'Hosts', schema: z.record(z.string(), z.unknown()) } },
    },
    async (ctx) => {
      const hosts = await GpuHost.findAll({ order: [['name', 'ASC']] });
      const choices = await Promise.all(
        hosts.map(async (host) => ({
          id: host.id,
          name: host.name,
          maxConcurrentRuns: host.maxConcurrentRuns,
          activeRuns: await countOnHost(host.id, ACTIVE_STATUSES),
          queuedTasks: await countOnHost(host.id, ['queued']),
          ready: host.hostKeyFingerprint !== null,
        })),
      );
      ctx.body = { hosts: choices, total: choices.length };
    },
  );
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks',
      summary: 'Your training tasks, newest first (admins see all)',
      tag: 'training',
      access: 'user',
      query: listQuery,
      responses: { 200: { description: 'Tasks', schema: z.record(z.string(), z.unknown()) } },
    },
    async (ctx, { query }) => {
      const tasks = await TrainingTask.findAll({
        where: {
          ...readableTasks(signedIn(ctx)),
          ...(query.status === undefined ? {} : { status: query.status }),
        },
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
      });
      const presented = await Promise.all(
        tasks.map(async (task) => presentTrainingTask(task, await queuePosition(task))),
      );
      ctx.body = { tasks: presented, total: presented.length };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/training/tasks',
      summary: 'Create a training task; missing parameters take the defaults',
      tag: 'training',
      access: 'user',
      body: createBody,
      responses: { 201: { description: 'Created', schema: taskResponse } },
    },
    async (ctx, { body }) => {
      const user = signedIn(ctx);
      const task = await createTrainingTask(trainingOf(ctx.services).datasetSource, user, body);
      await audit(ctx, 'training_task.create', task, {
        name: task.name,
        baseModel: task.baseModel,
        datasetId: task.datasetId,
        gpuHostId: task.gpuHostId,
      });
      await respondWithTask(ctx, task, 201);
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks/:id',
      summary: 'One training task with its status and progress',
      tag: 'training',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'The task', schema: taskResponse } },
    },
    async (ctx, { params }) => {
      await respondWithTask(ctx, await findTaskFor(signedIn(ctx), params.id));
    },
  );
}

function defineUpdate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'patch',
      path: '/api/training/tasks/:id',
      summary:
        'Change a task that is not running or queued; parameters merge into the current ones',
      tag: 'training',
      access: 'user',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'Changed', schema: taskResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const task = await findTaskFor(user, params.id);
      if (!['pending', 'stopped', 'failed', 'completed'].includes(task.status)) {
        throw conflict(
          'task_busy',
          `Task ${task.id} is ${task.status}; stop it before changing it.`,
        );
      }
      await checkReferences(trainingOf(ctx.services).datasetSource, user, body);
      task.set({
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.baseModel === undefined ? {} : { baseModel: body.baseModel }),
        ...(body.datasetId === undefined ? {} : { datasetId: body.datasetId }),
        ...(body.gpuHostId === undefined ? {} : { gpuHostId: body.gpuHostId }),
        ...(body.parameters === undefined
          ? {}
          : { parameters: withDefaults(body.parameters, task.parameters) }),
      });
      await task.save();
      await respondWithTask(ctx, task);
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/training/tasks/:id',
      summary:
        'Delete a task that is not running; removeRunDir=true also deletes its run directory on the host',
      tag: 'training',
      access: 'user',
      params: idParams,
      query: deleteQuery,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params, query }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const removeRunDir = query.removeRunDir === 'true';
      await asHttpErrors(() => trainingOf(ctx.services).deleteTask(task, removeRunDir));
      await audit(ctx, 'training_task.delete', task, {
        name: task.name,
        ownerId: task.ownerId,
        status: task.status,
        removeRunDir,
      });
      ctx.status = 204;
    },
  );
}

function defineAction(target: RouteTarget, action: 'start' | 'stop' | 'resume', summary: string) {
  defineRoute(
    target,
    {
      method: 'post',
      path: `/api/training/tasks/:id/${action}`,
      summary,
      tag: 'training',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'The task after the request', schema: taskResponse } },
    },
    async (ctx, { params }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const training = trainingOf(ctx.services);
      const statusBefore = task.status;
      if (action !== 'stop') {
        await assertHostReady(task);
      }
      const changed = await asHttpErrors(() =>
        action === 'start'
          ? training.startTask(task)
          : action === 'stop'
            ? training.stopTask(task)
            : training.resumeTask(task),
      );
      await audit(ctx, `training_task.${action}`, changed, {
        name: changed.name,
        ownerId: changed.ownerId,
        gpuHostId: changed.gpuHostId,
        previousStatus: statusBefore,
        status: changed.status,
      });
      await respondWithTask(ctx, changed);
    },
  );
}

function audit(
  ctx: AppContext,
  action: Extract<AuditAction, `training_task.${string}`>,
  task: TrainingTask,
  details: Record<string, unknown>,
) {
  return auditRequest(ctx, { action, targetType: 'training_task', targetId: task.id, details });
}

/** Throws 409 unless the task's host exists and an admin confirmed its host key. */
async function assertHostReady(task: TrainingTask): Promise<void> {
  const host = task.gpuHostId === null ? null : await GpuHost.findByPk(task.gpuHostId);
  if (host === null) {
    throw conflict(
      'gpu_host_missing',
      `The GPU host of task ${task.id} was deleted; choose another host with PATCH.`,
    );
  }
  if (host.hostKeyFingerprint === null) {
    throw conflict(
      'host_key_not_confirmed',
      `GPU host ${host.name} has no confirmed host key yet; an admin must confirm it first.`,
    );
  }
}

function defineMetrics(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks/:id/metrics',
      summary: 'Stored trainer log records in step order',
      tag: 'training',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'Metrics', schema: z.record(z.string(), z.unknown()) } },
    },
    async (ctx, { params }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const metrics = await TrainingMetric.findAll({
        where: { taskId: task.id },
        order: [['step', 'ASC']],
      });
      ctx.body = { metrics: metrics.map(presentMetric), total: metrics.length };
    },
  );
}

function defineLogs(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks/:id/logs',
      summary: 'The end of train.log, read from the host (64 KiB unless tailBytes says otherwise)',
      tag: 'training',
      access: 'user',
      params: idParams,
      query: logsQuery,
      responses: { 200: { description: 'Log text', schema: z.record(z.string(), z.unknown()) } },
    },
    async (ctx, { params, query }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const host = task.gpuHostId === null ? null : await GpuHost.findByPk(task.gpuHostId);
      if (task.runDir === null || host === null) {
        ctx.body = { text: task.errorTail ?? '', offset: 0, size: 0 };
        return;
      }
      const runDir = task.runDir;
      const training = trainingOf(ctx.services);
      ctx.body = await asHttpErrors(async () => {
        const connection = await training.pool.acquire(host);
        const run = new RemoteRun(connection, runDir, training.settings.commandTimeoutMs);
        return run.readTail(RUN_FILES.log, query.tailBytes ?? 65_536);
      });
    },
  );
}

function defineEvents(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks/:id/events',
      summary: 'Server-sent events: status, progress, metric and log; ends when the task ends',
      tag: 'training',
      access: 'user',
      params: idParams,
      responses: { 200: { description: 'text/event-stream' } },
    },
    async (ctx, { params }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const training = trainingOf(ctx.services);
      await streamTaskEvents(ctx, task, training.hub, training.settings.sseKeepAliveMs);
    },
  );
}

function defineReport(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/training/tasks/:id/report',
      summary: 'The run report as Markdown (default), HTML or JSON',
      tag: 'training',
      access: 'user',
      params: idParams,
      query: reportQuery,
      responses: { 200: { description: 'The report' } },
    },
    async (ctx, { params, query }) => {
      const task = await findTaskFor(signedIn(ctx), params.id);
      const rendered = await renderTaskReport(task, query.format ?? 'md');
      if (rendered.type !== undefined) {
        ctx.type = rendered.type;
      }
      ctx.body = rendered.body;
    },
  );
}
