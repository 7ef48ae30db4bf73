import fs from 'node:fs';
import { z } from 'zod';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';
import type { AppContext } from '../context.js';
import { HttpError, unauthorized } from '../errors.js';
import { auditDatasetCreate, auditDatasetDelete } from '../datasets/datasetAudit.js';
import {
  deleteDataset,
  findReadableDataset,
  listDatasets,
  storeDataset,
} from '../datasets/datasetStore.js';
import { contentDisposition } from '../datasets/fileNames.js';
import { datasetInfoFor } from '../datasets/forTraining.js';
import { assertMultipart, FormReceiver } from '../datasets/formUpload.js';
import { presentDataset, presentDatasetDetail } from '../datasets/presenter.js';
import {
  datasetIdParams,
  datasetInfoResponse,
  datasetDetailSchema,
  datasetSchema,
  listQuery,
  uploadedResponse,
} from '../datasets/schemas.js';
import { DatasetStorage, removeFile } from '../datasets/storage.js';
import { sweepSoon } from '../datasets/sweep.js';
import { fileTooLarge, uploadLimitBytes } from '../datasets/uploadErrors.js';
import { registerUploadRoutes } from '../datasets/uploadRoutes.js';
import { defineRoute, type RouteTarget } from '../routing.js';

/**
 * Room for the multipart framing and text parts around the file when the whole request is
 * checked against MAX_UPLOAD_MB before it is read.
 */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

/** The Content-Type of a downloaded dataset, by file type. */
const DOWNLOAD_TYPES: Record<DatasetFileType, string> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/jsonl; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

/**
 * Registers `/api/datasets`: the resumable uploads, the single-request upload, list, detail,
 * download, delete and the LLaMA-Factory dataset_info.json entry.
 */
export function registerDatasetRoutes(target: RouteTarget): void {
  // Before the `:id` routes, so that `/api/datasets/uploads/...` never reaches them.
  registerUploadRoutes(target);
  defineUpload(target);
  defineList(target);
  defineGet(target);
  defineDownload(target);
  defineDatasetInfo(target);
  defineDelete(target);
}

function defineUpload(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/datasets',
      summary:
        'Upload a dataset as multipart/form-data (file, name?, description?, fileType?): ' +
        'streamed to disk, size-limited by MAX_UPLOAD_MB, validated as it arrives. A re-upload ' +
        'of the same bytes returns the existing dataset with 200 and duplicate true.',
      tag: 'datasets',
      access: 'user',
      responses: {
        201: { description: 'Stored and validated', schema: uploadedResponse },
        200: { description: 'The same file was uploaded before', schema: uploadedResponse },
      },
    },
    async (ctx) => {
      const user = signedIn(ctx);
      const { config } = ctx.services;
      assertMultipart(ctx.get('Content-Type') || undefined);
      const limitBytes = uploadLimitBytes(config.maxUploadMb);
      const declared = Number(ctx.get('Content-Length') || '0');
      if (declared > limitBytes + FORM_OVERHEAD_BYTES) {
        throw fileTooLarge(config.maxUploadMb);
      }

      const storage = DatasetStorage.for(config);
      await storage.ensureFolders();
      sweepSoon(ctx.services, ctx.state.log);
      const form = await new FormReceiver(
        ctx.req,
        storage,
        config.maxUploadMb,
        limitBytes,
      ).receive();
      try {
        const stored = await storeDataset(ctx.services, user, form);
        if (!stored.duplicate) {
          await auditDatasetCreate(ctx, stored.dataset, 'form');
        }
        ctx.state.log.info(
          {
            datasetId: stored.dataset.id,
            duplicate: stored.duplicate,
            sizeBytes: form.scan.sizeBytes,
          },
          'dataset uploaded',
        );
        ctx.status = stored.duplicate ? 200 : 201;
        ctx.body = { dataset: presentDatasetDetail(stored.dataset), duplicate: stored.duplicate };
      } finally {
        // Gone already when the file was moved into the store.
        await removeFile(form.receivedPath);
      }
    },
  );
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets',
      summary: 'List your datasets (every user’s for admins), newest first; q searches names',
      tag: 'datasets',
      access: 'user',
      query: listQuery,
      responses: {
        200: {
          description: 'A page of datasets',
          schema: z.object({
            datasets: z.array(datasetSchema),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
          }),
        },
      },
    },
    async (ctx, { query }) => {
      const { datasets, total } = await listDatasets(signedIn(ctx), {
        search: query.q,
        page: query.page,
        pageSize: query.pageSize,
      });
      ctx.body = {
        datasets: datasets.map(presentDataset),
        total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets/:id',
      summary: 'One dataset with its validation report and a preview of its first records',
      tag: 'datasets',
      access: 'user',
      params: datasetIdParams,
      responses: {
        200: { description: 'The dataset', schema: z.object({ dataset: datasetDetailSchema }) },
      },
    },
    async (ctx, { params }) => {
      const dataset = await findReadableDataset(signedIn(ctx), params.id);
      ctx.body = { dataset: presentDatasetDetail(dataset) };
    },
  );
}

function defineDownload(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets/:id/download',
      summary: 'The dataset file as uploaded, named after the dataset',
      tag: 'datasets',
      access: 'user',
      params: datasetIdParams,
      responses: { 200: { description: 'The file' } },
    },
    async (ctx, { params }) => {
      const dataset = await findReadableDataset(signedIn(ctx), params.id);
      const filePath = DatasetStorage.for(ctx.services.config).storedPath(dataset.storedFile);
      const stream = await openStoredFile(filePath, dataset.id);

      ctx.set('Content-Disposition', contentDisposition(dataset.name, dataset.fileType));
      ctx.set('Repr-Digest', `sha-256=:${Buffer.from(dataset.sha256, 'hex').toString('base64')}:`);
      ctx.set('ETag', `"${dataset.sha256}"`);
      ctx.type = DOWNLOAD_TYPES[dataset.fileType];
      ctx.length = dataset.sizeBytes;
      ctx.body = stream;
    },
  );
}

/** Opens a stored file for reading; raises 500 `dataset_file_missing` when it is gone. */
async function openStoredFile(filePath: string, datasetId: number): Promise<fs.ReadStream> {
  try {
    const handle = await fs.promises.open(filePath, 'r');
    return handle.createReadStream();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    throw new HttpError(
      500,
      'dataset_file_missing',
      `The file of dataset ${datasetId} is missing from DATA_DIR/datasets; restore it from a ` +
        'backup or upload the dataset again.',
    );
  }
}

function defineDatasetInfo(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/datasets/:id/dataset-info',
      summary: 'The dataset_info.json entry that LLaMA-Factory needs to load the dataset',
      tag: 'datasets',
      access: 'user',
      params: datasetIdParams,
      responses: { 200: { description: 'The entry', schema: datasetInfoResponse } },
    },
    async (ctx, { params }) => {
      const dataset = await findReadableDataset(signedIn(ctx), params.id);
      const info = datasetInfoFor(dataset);
      ctx.body = { ...info, datasetInfo: { [info.datasetName]: info.entry } };
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/datasets/:id',
      summary: 'Delete a dataset; 409 while a training task that has not finished uses it',
      tag: 'datasets',
      access: 'user',
      params: datasetIdParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const dataset = await findReadableDataset(signedIn(ctx), params.id);
      await deleteDataset(ctx.services, dataset);
      await auditDatasetDelete(ctx, dataset);
      ctx.state.log.info({ datasetId: dataset.id }, 'dataset deleted');
      ctx.status = 204;
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
