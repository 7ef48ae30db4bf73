import {
  CHAT_STREAM_EVENT_TYPES,
  type ApiChatMessage,
  type ApiChatSession,
  type ChatExportFormat,
  type ChatMessageListResponse,
  type ChatSessionListResponse,
  type ChatStreamEvent,
  type SendChatMessageResponse,
  type UpdateChatSessionRequest,
} from '../../../shared/src/api/chat.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ApiClient, SessionTokens } from '../api/client.js';
import { ApiError } from '../api/errors.js';

/** Sessions loaded per page of the session list. */
export const SESSION_PAGE_SIZE = 50;

/** What to answer: a new user message, or the session's last answer again. */
export type ChatTurnRequest =
  { kind: 'send'; content: string } | { kind: 'regenerate'; messageId: number };

/** A downloaded export: the file's bytes as the server sent them. */
export interface ChatExportFile {
  bytes: Uint8Array;
  contentType: string;
}

const STREAM_EVENT_TYPES = new Set<string>(CHAT_STREAM_EVENT_TYPES);

/** Typed calls of the chat endpoints and the enabled model configs. */
export class ChatApi {
  constructor(
    private readonly client: ApiClient,
    private readonly tokens: SessionTokens,
  ) {}

  listSessions(query: string, page: number): Promise<ChatSessionListResponse> {
    const search = new URLSearchParams({ page: String(page), pageSize: String(SESSION_PAGE_SIZE) });
    if (query !== '') {
      search.set('q', query);
    }
    return this.client.request('GET', `/api/chat/sessions?${search.toString()}`);
  }

  async getSession(sessionId: number): Promise<ApiChatSession> {
    const { session } = await this.client.request<{ session: ApiChatSession }>(
      'GET',
      `/api/chat/sessions/${sessionId}`,
    );
    return session;
  }

  async createSession(modelConfigId: number): Promise<ApiChatSession> {
    const { session } = await this.client.request<{ session: ApiChatSession }>(
      'POST',
      '/api/chat/sessions',
      { body: { modelConfigId } },
    );
    return session;
  }

  async updateSession(sessionId: number, body: UpdateChatSessionRequest): Promise<ApiChatSession> {
    const { session } = await this.client.request<{ session: ApiChatSession }>(
      'PUT',
      `/api/chat/sessions/${sessionId}`,
      { body },
    );
    return session;
  }

  async deleteSession(sessionId: number): Promise<void> {
    await this.client.request('DELETE', `/api/chat/sessions/${sessionId}`);
  }

  async listMessages(sessionId: number): Promise<ApiChatMessage[]> {
    const { messages } = await this.client.request<ChatMessageListResponse>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    return messages;
  }

  /**
   * Deletes a message and returns the ids the server deleted: a question goes with the answers
   * that follow it.
   */
  async deleteMessage(sessionId: number, messageId: number): Promise<number[]> {
    const { deletedMessageIds } = await this.client.request<{ deletedMessageIds: number[] }>(
      'DELETE',
      `/api/chat/sessions/${sessionId}/messages/${messageId}`,
    );
    return deletedMessageIds;
  }

  /** Stops a streaming answer; resolves with the answer as stored, marked stopped. */
  async stop(sessionId: number, messageId: number): Promise<ApiChatMessage> {
    const { message } = await this.client.request<{ message: ApiChatMessage }>(
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${messageId}/stop`,
      { timeoutMs: 15_000 },
    );
    return message;
  }

  /**
   * Sends or regenerates and waits for the whole answer. Answers can take minutes, so only
   * `signal` ends the wait.
   */
  answer(
    sessionId: number,
    turn: ChatTurnRequest,
    signal: AbortSignal,
  ): Promise<SendChatMessageResponse> {
    const { path, body } = turnRequest(sessionId, turn, false);
    return this.client.request('POST', path, { body, signal, timeoutMs: 0 });
  }

  /** Sends or regenerates with the answer streamed; calls `onEvent` for each chat event. */
  streamAnswer(
    sessionId: number,
    turn: ChatTurnRequest,
    options: { signal: AbortSignal; onEvent(event: ChatStreamEvent): void },
  ): Promise<void> {
    const { path, body } = turnRequest(sessionId, turn, true);
    return this.client.stream('POST', path, {
      body,
      signal: options.signal,
      onEvent: (event) => {
        // Comment lines never reach here; an unknown event type is from a newer server.
        if (STREAM_EVENT_TYPES.has(event.event)) {
          const data = JSON.parse(event.data) as unknown;
          options.onEvent({ type: event.event, data } as ChatStreamEvent);
        }
      },
    });
  }

  async listEnabledModels(): Promise<ApiModelConfig[]> {
    const { modelConfigs } = await this.client.request<{ modelConfigs: ApiModelConfig[] }>(
      'GET',
      '/api/model-configs?enabled=true',
    );
    return modelConfigs;
  }

  /**
   * Downloads a session's export. ApiClient reads every answer as JSON, so the file is fetched
   * here with the session's access token. The session request before it refreshes that token
   * when it has expired, and a 401 from the download itself is retried once the same way.
   */
  async downloadExport(sessionId: number, format: ChatExportFormat): Promise<ChatExportFile> {
    await this.getSession(sessionId);
    let response = await this.fetchExport(sessionId, format);
    if (response.status === 401) {
      await this.getSession(sessionId);
      response = await this.fetchExport(sessionId, format);
    }
    if (!response.ok) {
      throw await exportError(response);
    }
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    };
  }

  private fetchExport(sessionId: number, format: ChatExportFormat): Promise<Response> {
    const url = new URL(
      `/api/chat/sessions/${sessionId}/export?format=${format}`,
      this.tokens.serverUrl(),
    );
    const token = this.tokens.accessToken();
    return fetch(url, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    });
  }
}

function turnRequest(
  sessionId: number,
  turn: ChatTurnRequest,
  stream: boolean,
): { path: string; body: object } {
  if (turn.kind === 'send') {
    return {
      path: `/api/chat/sessions/${sessionId}/messages`,
      body: { content: turn.content, stream },
    };
  }
  return {
    path: `/api/chat/sessions/${sessionId}/messages/${turn.messageId}/regenerate`,
    body: { stream },
  };
}

async function exportError(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  return new ApiError(
    response.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? `The export failed with HTTP ${response.status}.`,
    { requestId },
  );
}
