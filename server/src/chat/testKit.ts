// Helpers for the chat tests: accounts, providers on the loopback fakes, model configs and
// sessions made through the API, and a reader for streamed answers.
import assert from 'node:assert/strict';
import type {
  ApiChatMessage,
  ApiChatSession,
  ChatStreamEvent,
  ChatStreamEvents,
  ChatStreamEventType,
} from '../../../shared/src/api/chat.js';
import { postForEvents, type SseReply, type SseRequestOptions } from '../testing/sseReplies.js';
import type { TestServer } from '../testing/testServer.js';

export interface Account {
  accessToken: string;
  userId: number;
}

/** Creates a provider through the API and returns its id. */
export async function createProvider(
  server: TestServer,
  owner: Account,
  body: { kind: string; baseUrl: string; apiKey?: string; name?: string },
): Promise<number> {
  const response = await server.request<{ provider: { id: number } }>('POST', '/api/providers', {
    token: owner.accessToken,
    body: { name: `${body.kind} ${Math.random().toString(36).slice(2, 8)}`, ...body },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.provider.id;
}

/** Creates a model config through the API and returns its id. */
export async function createModelConfig(
  server: TestServer,
  owner: Account,
  body: Record<string, unknown> & { providerId: number; modelId: string },
): Promise<number> {
  const response = await server.request<{ modelConfig: { id: number } }>(
    'POST',
    '/api/model-configs',
    { token: owner.accessToken, body },
  );
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.modelConfig.id;
}

/** Creates a chat session through the API. */
export async function createChatSession(
  server: TestServer,
  owner: Account,
  body: Record<string, unknown> & { modelConfigId: number },
): Promise<ApiChatSession> {
  const response = await server.request<{ session: ApiChatSession }>('POST', '/api/chat/sessions', {
    token: owner.accessToken,
    body,
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.session;
}

/** Lists a session's messages through the API. */
export async function listMessages(
  server: TestServer,
  owner: Account,
  sessionId: number,
): Promise<ApiChatMessage[]> {
  const response = await server.request<{ messages: ApiChatMessage[] }>(
    'GET',
    `/api/chat/sessions/${sessionId}/messages`,
    { token: owner.accessToken },
  );
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body.messages;
}

/** A streamed reply read to its end. */
export type StreamedReply = SseReply<ChatStreamEvent>;

export interface StreamOptions extends SseRequestOptions<ChatStreamEvent> {
  body?: unknown;
}

/** POSTs to a chat route and reads the server-sent events until the server or `onEvent` ends. */
export function postForStream(
  server: TestServer,
  token: string,
  path: string,
  options: StreamOptions = {},
): Promise<StreamedReply> {
  return postForEvents<ChatStreamEvent>(
    server,
    token,
    { path, body: options.body ?? { stream: true } },
    options,
  );
}

/** Returns the data of the only event of a type, failing when there is not exactly one. */
export function only<K extends ChatStreamEventType>(
  reply: StreamedReply,
  type: K,
): ChatStreamEvents[K] {
  const matching = reply.events.filter((event) => event.type === type);
  assert.equal(matching.length, 1, `expected one ${type} event in ${eventTypes(reply).join(', ')}`);
  return matching[0]!.data as ChatStreamEvents[K];
}

/** Returns the event types of a reply in order. */
export function eventTypes(reply: StreamedReply): ChatStreamEventType[] {
  return reply.events.map((event) => event.type);
}

/** Returns the joined text of a reply's events of one type. */
export function joinedText(reply: StreamedReply, type: 'reasoning' | 'content'): string {
  return reply.events
    .filter((event) => event.type === type)
    .map((event) => (event.data as { text: string }).text)
    .join('');
}

/** Polls `check` every 10 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  description: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
