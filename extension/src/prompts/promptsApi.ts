import type {
  ApiPrompt,
  CopyPromptRequest,
  CreatePromptRequest,
  ListPromptsQuery,
  PromptListResponse,
  SavedPromptResponse,
  UpdatePromptRequest,
} from '../../../shared/src/api/prompts.js';
import type { ApiClient } from '../api/client.js';

/** The server's largest page of prompts. */
const MAX_PAGE_SIZE = 200;

/** Typed calls of the `/api/prompts` endpoints. */
export class PromptsApi {
  constructor(private readonly client: ApiClient) {}

  /** Returns one page of the prompts the user can read. */
  list(query: ListPromptsQuery = {}, signal?: AbortSignal): Promise<PromptListResponse> {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        parameters.set(name, String(value));
      }
    }
    const search = parameters.size === 0 ? '' : `?${parameters.toString()}`;
    return this.client.request<PromptListResponse>('GET', `/api/prompts${search}`, {
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Returns every prompt the user can read, fetching page after page. */
  async listAll(query: Omit<ListPromptsQuery, 'page' | 'pageSize'> = {}): Promise<ApiPrompt[]> {
    const prompts: ApiPrompt[] = [];
    for (let page = 1; ; page += 1) {
      const result = await this.list({ ...query, page, pageSize: MAX_PAGE_SIZE });
      prompts.push(...result.prompts);
      if (result.prompts.length === 0 || prompts.length >= result.total) {
        return prompts;
      }
    }
  }

  async get(id: number): Promise<ApiPrompt> {
    const { prompt } = await this.client.request<{ prompt: ApiPrompt }>(
      'GET',
      `/api/prompts/${id}`,
    );
    return prompt;
  }

  create(body: CreatePromptRequest): Promise<SavedPromptResponse> {
    return this.client.request<SavedPromptResponse>('POST', '/api/prompts', { body });
  }

  update(id: number, body: UpdatePromptRequest): Promise<SavedPromptResponse> {
    return this.client.request<SavedPromptResponse>('PUT', `/api/prompts/${id}`, { body });
  }

  async copy(id: number, body: CopyPromptRequest = {}): Promise<ApiPrompt> {
    const { prompt } = await this.client.request<{ prompt: ApiPrompt }>(
      'POST',
      `/api/prompts/${id}/copy`,
      { body },
    );
    return prompt;
  }

  async remove(id: number): Promise<void> {
    await this.client.request<undefined>('DELETE', `/api/prompts/${id}`);
  }
}
