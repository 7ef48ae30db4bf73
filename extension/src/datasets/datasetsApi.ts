import type {
  ApiDataset,
  ApiDatasetDetail,
  CreateUploadRequest,
  DatasetResponse,
  ListDatasetsResponse,
  UploadDatasetResponse,
  UploadStatusResponse,
} from '../../../shared/src/api/datasets.js';
import type { ApiClient, SessionTokens } from '../api/client.js';
import { RawTransport } from './rawTransport.js';

/** The largest page the list route returns. */
const PAGE_SIZE = 200;
/** Time allowed for a request that sends or receives a whole file, or validates one: 10 minutes. */
const FILE_REQUEST_TIMEOUT_MS = 600_000;
/** Time allowed for one chunk of a resumable upload: 2 minutes. */
const CHUNK_TIMEOUT_MS = 120_000;

/** A page of the user's datasets, with the total count. */
export interface DatasetPage {
  datasets: ApiDataset[];
  total: number;
}

/** The name and description a new dataset gets. */
export interface DatasetFields {
  name?: string;
  description?: string;
}

/** Typed calls of `/api/datasets`: JSON through ApiClient, file bytes through RawTransport. */
export class DatasetsApi {
  readonly raw: RawTransport;

  constructor(
    private readonly client: ApiClient,
    tokens: SessionTokens,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.raw = new RawTransport(client, tokens, fetchImpl);
  }

  /** Lists the user's datasets, newest first, up to `limit` of them. */
  async list(limit: number): Promise<DatasetPage> {
    const datasets: ApiDataset[] = [];
    let total = 0;
    for (let page = 1; datasets.length < limit; page += 1) {
      const response = await this.client.request<ListDatasetsResponse>(
        'GET',
        `/api/datasets?page=${page}&pageSize=${PAGE_SIZE}`,
      );
      datasets.push(...response.datasets);
      total = response.total;
      if (response.datasets.length < PAGE_SIZE || datasets.length >= total) {
        break;
      }
    }
    return { datasets: datasets.slice(0, limit), total };
  }

  async get(id: number): Promise<ApiDatasetDetail> {
    const { dataset } = await this.client.request<DatasetResponse>('GET', `/api/datasets/${id}`);
    return dataset;
  }

  async remove(id: number): Promise<void> {
    await this.client.request<undefined>('DELETE', `/api/datasets/${id}`);
  }

  /** Downloads the stored file, as uploaded. */
  async download(id: number, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await this.raw.send('GET', `/api/datasets/${id}/download`, {
      timeoutMs: FILE_REQUEST_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Uploads a whole file in one multipart/form-data request. */
  uploadForm(
    file: { fileName: string; bytes: Uint8Array },
    fields: DatasetFields,
    signal: AbortSignal,
  ): Promise<UploadDatasetResponse> {
    const form = new FormData();
    // Text parts go before the file, which the server reads last.
    if (fields.name !== undefined) {
      form.append('name', fields.name);
    }
    if (fields.description !== undefined) {
      form.append('description', fields.description);
    }
    form.append('file', new Blob([file.bytes]), file.fileName);
    return this.raw.sendForJson('POST', '/api/datasets', {
      body: form,
      signal,
      timeoutMs: FILE_REQUEST_TIMEOUT_MS,
    });
  }

  startUpload(request: CreateUploadRequest, signal: AbortSignal): Promise<UploadStatusResponse> {
    return this.client.request('POST', '/api/datasets/uploads', { body: request, signal });
  }

  uploadStatus(uploadId: string, signal?: AbortSignal): Promise<UploadStatusResponse> {
    return this.client.request('GET', `/api/datasets/uploads/${uploadId}`, {
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Sends the bytes from `offset` on; the server stores them whole or not at all. */
  sendChunk(
    upload: { uploadId: string; sizeBytes: number },
    offset: number,
    bytes: Uint8Array,
    signal: AbortSignal,
  ): Promise<UploadStatusResponse> {
    const last = offset + bytes.length - 1;
    return this.raw.sendForJson('PUT', `/api/datasets/uploads/${upload.uploadId}`, {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${offset}-${last}/${upload.sizeBytes}`,
        Accept: 'application/json',
      },
      body: bytes,
      signal,
      timeoutMs: CHUNK_TIMEOUT_MS,
    });
  }

  /** Validates the uploaded file on the server and creates the dataset. */
  completeUpload(uploadId: string, fields: DatasetFields): Promise<UploadDatasetResponse> {
    return this.client.request('POST', `/api/datasets/uploads/${uploadId}/complete`, {
      body: fields,
      timeoutMs: FILE_REQUEST_TIMEOUT_MS,
    });
  }

  /** Cancels a resumable upload; the server deletes the bytes it received. */
  async cancelUpload(uploadId: string): Promise<void> {
    await this.client.request<undefined>('DELETE', `/api/datasets/uploads/${uploadId}`, {
      timeoutMs: 10_000,
    });
  }
}
