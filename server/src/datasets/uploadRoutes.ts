import { z } from 'zod';
import type { AppContext } from '../context.js';
import { HttpError, unauthorized } from '../errors.js';
import type { DatasetUpload } from '../models/index.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { parseContentRange } from './contentRange.js';
import { auditDatasetCreate } from './datasetAudit.js';
import { datasetFieldsSchema } from './fields.js';
import { presentDatasetDetail, presentUpload } from './presenter.js';
import {
  appendChunk,
  cancelUpload,
  CHUNK_SIZE,
  completeUpload,
  createUpload,
  findOwnUpload,
  listOpenUploads,
  MAX_CHUNK_BYTES,
} from './resumableUploads.js';
import {
  createUploadBody,
  uploadedResponse,
  uploadIdParams,
  uploadSchema,
  uploadStatusResponse,
} from './schemas.js';
import { sweepSoon } from './sweep.js';

/**
 * Reports whether a request streams a file to a route that reads the raw body itself: a form
 * upload (POST /api/datasets) or a resumable upload chunk (PUT /api/datasets/uploads/:id). The
 * JSON body parser leaves these alone, so a chunk sent as JSON gets the route's own 415.
 */
export function isStreamedUpload(ctx: AppContext): boolean {
  const path = ctx.path.replace(/\/+$/, '');
  if (ctx.method === 'POST') {
    return path === '/api/datasets';
  }
  return ctx.method === 'PUT' && /^\/api\/datasets\/uploads\/[^/]+$/.test(path);
}

/**
 * Registers the resumable upload routes under `/api/datasets/uploads`: list, start, append a
 * chunk, read the offset (GET, and HEAD through the router), complete and cancel.
 */
export function registerUploadRoutes(target: RouteTarget): void {
  defineList(target);
  defineCreate(target);
  defineStatus(target);
  defineAppend(target);
  defineComplete(target);
  defineCancel(target);
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets/uploads',
      summary:
        'Your resumable uploads that are neither completed nor expired, oldest first, so that ' +
        'a client can resume or cancel them',
      tag: 'datasets',
      access: 'user',
      responses: {
        200: {
          description: 'Open uploads',
          schema: z.object({ uploads: z.array(uploadSchema), total: z.number().int() }),
        },
      },
    },
    async (ctx) => {
      const uploads = await listOpenUploads(signedIn(ctx));
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        uploads: uploads.map((upload) => presentUpload(upload, chunkSizes(upload))),
        total: uploads.length,
      };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/datasets/uploads',
      summary:
        'Start a resumable upload of fileName with sizeBytes bytes; returns the upload id and ' +
        'the chunk size',
      tag: 'datasets',
      access: 'user',
      body: createUploadBody,
      responses: { 201: { description: 'Started', schema: uploadStatusResponse } },
    },
    async (ctx, { body }) => {
      sweepSoon(ctx.services, ctx.state.log);
      const upload = await createUpload(ctx.services, signedIn(ctx), body);
      ctx.state.log.info({ uploadId: upload.id, sizeBytes: upload.sizeBytes }, 'upload started');
      ctx.status = 201;
      respondWithUpload(ctx, upload);
    },
  );
}

function defineStatus(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets/uploads/:id',
      summary:
        'An upload and its offset (receivedBytes, also in the Upload-Offset header); HEAD ' +
        'returns the headers only',
      tag: 'datasets',
      access: 'user',
      params: uploadIdParams,
      responses: { 200: { description: 'The upload', schema: uploadStatusResponse } },
    },
    async (ctx, { params }) => {
      respondWithUpload(ctx, await findOwnUpload(signedIn(ctx), params.id));
    },
  );
}

function defineAppend(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/datasets/uploads/:id',
      summary:
        'Append the raw bytes of the body (application/octet-stream) at Content-Range: bytes ' +
        '<first>-<last>/<sizeBytes>, where first must equal the upload offset',
      tag: 'datasets',
      access: 'user',
      params: uploadIdParams,
      responses: { 200: { description: 'Stored; the new offset', schema: uploadStatusResponse } },
    },
    async (ctx, { params }) => {
      const user = signedIn(ctx);
      if (!ctx.request.is('application/octet-stream')) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          `Content-Type ${JSON.stringify(ctx.get('Content-Type'))} is not accepted for a chunk; ` +
            'send the raw bytes with Content-Type: application/octet-stream.',
        );
      }
      const range = parseContentRange(ctx.get('Content-Range') || undefined);
      const upload = await appendChunk(ctx.services, user, {
        uploadId: params.id,
        range,
        body: ctx.req,
      });
      respondWithUpload(ctx, upload);
    },
  );
}

function defineComplete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/datasets/uploads/:id/complete',
      summary:
        'Finish an upload: checks the size and the announced SHA-256, validates the file and ' +
        'creates the dataset (201, or 200 for a duplicate or a repeated complete)',
      tag: 'datasets',
      access: 'user',
      params: uploadIdParams,
      body: datasetFieldsSchema,
      responses: {
        201: { description: 'The new dataset', schema: uploadedResponse },
        200: { description: 'An existing dataset', schema: uploadedResponse },
      },
    },
    async (ctx, { params, body }) => {
      const completed = await completeUpload(ctx.services, signedIn(ctx), params.id, body);
      ctx.state.log.info(
        { uploadId: params.id, datasetId: completed.dataset.id, duplicate: completed.duplicate },
        'upload completed',
      );
      const created = !completed.duplicate && !completed.repeated;
      if (created) {
        await auditDatasetCreate(ctx, completed.dataset, 'resumable');
      }
      ctx.status = created ? 201 : 200;
      ctx.body = {
        dataset: presentDatasetDetail(completed.dataset),
        duplicate: completed.duplicate,
      };
    },
  );
}

function defineCancel(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/datasets/uploads/:id',
      summary: 'Cancel an upload and delete the bytes received so far',
      tag: 'datasets',
      access: 'user',
      params: uploadIdParams,
      responses: { 204: { description: 'Cancelled' } },
    },
    async (ctx, { params }) => {
      await cancelUpload(ctx.services, signedIn(ctx), params.id);
      ctx.status = 204;
    },
  );
}

/**
 * Sends an upload's state as JSON and as headers: `Upload-Offset` (the next byte expected) and,
 * once bytes arrived, `Range: bytes=0-<last>`, the form resumable-upload clients read.
 */
function respondWithUpload(ctx: AppContext, upload: DatasetUpload): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Upload-Offset', String(upload.receivedBytes));
  ctx.set('Upload-Length', String(upload.sizeBytes));
  if (upload.receivedBytes > 0) {
    ctx.set('Range', `bytes=0-${upload.receivedBytes - 1}`);
  }
  const chunks = chunkSizes(upload);
  ctx.body = {
    upload: presentUpload(upload, chunks),
    uploadId: upload.id,
    chunkSize: chunks.chunkSize,
  };
}

/** Returns the chunk sizes the server suggests and accepts for an upload. */
function chunkSizes(upload: DatasetUpload) {
  return { chunkSize: Math.min(CHUNK_SIZE, upload.sizeBytes), maxChunkBytes: MAX_CHUNK_BYTES };
}

function signedIn(ctx: AppContext) {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}
