import type { ListDatasetsResponse } from '../../../shared/src/api/datasets.js';
import type {
  ApiGpuHost,
  ApiTrainingHostChoice,
  ApiTrainingMetric,
  ApiTrainingTask,
  CreateGpuHostRequest,
  CreateTrainingTaskRequest,
  GpuHostTestResult,
  HostKeyResponse,
  TrainingDefaultsResponse,
  TrainingLogResponse,
} from '../../../shared/src/api/training.js';
import type { SseEvent } from '../../../shared/src/sse/codec.js';
import type { ApiClient, SessionTokens } from '../api/client.js';
import { ApiError } from '../api/errors.js';

/** Datasets the form lists: the newest, up to the server's largest page. */
const DATASET_PAGE_SIZE = 200;

/** Typed calls of `/api/training`, `/api/gpu-hosts` and the dataset list. */
export class TrainingApi {
  constructor(
    private readonly client: ApiClient,
    private readonly tokens: SessionTokens,
  ) {}

  async listTasks(): Promise<ApiTrainingTask[]> {
    const { tasks } = await this.client.request<{ tasks: ApiTrainingTask[] }>(
      'GET',
      '/api/training/tasks',
    );
    return tasks;
  }

  async getTask(taskId: number): Promise<ApiTrainingTask> {
    const { task } = await this.client.request<{ task: ApiTrainingTask }>(
      'GET',
      `/api/training/tasks/${taskId}`,
    );
    return task;
  }

  async createTask(body: CreateTrainingTaskRequest): Promise<ApiTrainingTask> {
    const { task } = await this.client.request<{ task: ApiTrainingTask }>(
      'POST',
      '/api/training/tasks',
      { body },
    );
    return task;
  }

  /** Starts, stops or resumes a task; resolves with the task after the request. */
  async act(taskId: number, action: 'start' | 'stop' | 'resume'): Promise<ApiTrainingTask> {
    const { task } = await this.client.request<{ task: ApiTrainingTask }>(
      'POST',
      `/api/training/tasks/${taskId}/${action}`,
      // Starting uploads the dataset over SSH before the server responds.
      { timeoutMs: 120_000 },
    );
    return task;
  }

  async deleteTask(taskId: number, removeRunDir: boolean): Promise<void> {
    const query = removeRunDir ? '?removeRunDir=true' : '';
    await this.client.request('DELETE', `/api/training/tasks/${taskId}${query}`, {
      timeoutMs: 60_000,
    });
  }

  async metrics(taskId: number): Promise<ApiTrainingMetric[]> {
    const { metrics } = await this.client.request<{ metrics: ApiTrainingMetric[] }>(
      'GET',
      `/api/training/tasks/${taskId}/metrics`,
    );
    return metrics;
  }

  /** Reads the last `tailBytes` bytes of train.log from the host. */
  logTail(taskId: number, tailBytes: number, signal?: AbortSignal): Promise<TrainingLogResponse> {
    return this.client.request('GET', `/api/training/tasks/${taskId}/logs?tailBytes=${tailBytes}`, {
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Follows the task's event stream until it ends or `signal` aborts. */
  streamEvents(
    taskId: number,
    options: { signal: AbortSignal; onEvent(event: SseEvent): void },
  ): Promise<void> {
    return this.client.stream('GET', `/api/training/tasks/${taskId}/events`, options);
  }

  defaults(): Promise<TrainingDefaultsResponse> {
    return this.client.request('GET', '/api/training/defaults');
  }

  async hostChoices(): Promise<ApiTrainingHostChoice[]> {
    const { hosts } = await this.client.request<{ hosts: ApiTrainingHostChoice[] }>(
      'GET',
      '/api/training/hosts',
    );
    return hosts;
  }

  datasets(): Promise<ListDatasetsResponse> {
    return this.client.request('GET', `/api/datasets?page=1&pageSize=${DATASET_PAGE_SIZE}`);
  }

  async datasetName(datasetId: number): Promise<string> {
    const { dataset } = await this.client.request<{ dataset: { name: string } }>(
      'GET',
      `/api/datasets/${datasetId}`,
    );
    return dataset.name;
  }

  /**
   * Downloads the report as text: Markdown or HTML. The report route responds with text, which
   * `ApiClient.request` would reject as a body that is not JSON. So this sends the request itself,
   * after a cheap request has refreshed the access token when needed.
   */
  async reportText(taskId: number, format: 'md' | 'html'): Promise<string> {
    await this.getTask(taskId);
    let response = await this.fetchReport(taskId, format);
    if (response.status === 401) {
      await this.getTask(taskId);
      response = await this.fetchReport(taskId, format);
    }
    const text = await response.text();
    if (!response.ok) {
      throw reportError(response.status, text);
    }
    return text;
  }

  async listGpuHosts(): Promise<ApiGpuHost[]> {
    const { gpuHosts } = await this.client.request<{ gpuHosts: ApiGpuHost[] }>(
      'GET',
      '/api/gpu-hosts',
    );
    return gpuHosts;
  }

  async createGpuHost(body: CreateGpuHostRequest): Promise<ApiGpuHost> {
    const { gpuHost } = await this.client.request<{ gpuHost: ApiGpuHost }>(
      'POST',
      '/api/gpu-hosts',
      { body },
    );
    return gpuHost;
  }

  async deleteGpuHost(hostId: number): Promise<void> {
    await this.client.request('DELETE', `/api/gpu-hosts/${hostId}`);
  }

  /** Reads the host key the host presents; with `confirm`, pins it if it still matches. */
  hostKey(hostId: number, confirm?: string): Promise<HostKeyResponse> {
    return this.client.request('POST', `/api/gpu-hosts/${hostId}/host-key`, {
      body: confirm === undefined ? {} : { confirmFingerprint: confirm },
      timeoutMs: 60_000,
    });
  }

  testGpuHost(hostId: number, signal?: AbortSignal): Promise<GpuHostTestResult> {
    return this.client.request('POST', `/api/gpu-hosts/${hostId}/test`, {
      timeoutMs: 120_000,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  private fetchReport(taskId: number, format: 'md' | 'html'): Promise<Response> {
    const url = new URL(
      `/api/training/tasks/${taskId}/report?format=${format}`,
      this.tokens.serverUrl(),
    );
    const token = this.tokens.accessToken();
    return fetch(url, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    });
  }
}

function reportError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return new ApiError(
      status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? `The server responded with HTTP ${status}.`,
    );
  } catch {
    return new ApiError(status, 'http_error', `The server responded with HTTP ${status}.`);
  }
}
