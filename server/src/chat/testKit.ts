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
import { SseParser } from '../../../shared/src/sse/codec.js';
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
export interface StreamedReply {
  status: number;
  headers: Headers;
  events: ChatStreamEvent[];
  /** The bytes as received, comments included. */
  raw: string;
  /** Set when the response was not an event stream: the parsed JSON body. */
  body?: unknown;
}

export interface StreamOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Called for each event as it arrives; aborting `controller` ends the request. */
  onEvent?: (event: ChatStreamEvent, controller: AbortController) => void | Promise<void>;
}

/** POSTs to a chat route and reads the server-sent events until the server or `onEvent` ends. */
export async function postForStream(
  server: TestServer,
  token: string,
  path: string,
  options: StreamOptions = {},
): Promise<StreamedReply> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...options.headers,
    },
    body: JSON.stringify(options.body ?? { stream: true }),
    signal: controller.signal,
  });
  const reply: StreamedReply = {
    status: response.status,
    headers: response.headers,
    events: [],
    raw: '',
  };
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await response.text();
    reply.raw = text;
    reply.body = text === '' ? undefined : (JSON.parse(text) as unknown);
    return reply;
  }

  const parser = new SseParser();
  const decoder = new TextDecoder();
  const handle = async (parsed: { event: string; data: string }[]) => {
    for (const { event, data } of parsed) {
      const typed = { type: event, data: JSON.parse(data) as unknown } as ChatStreamEvent;
      reply.events.push(typed);
      await options.onEvent?.(typed, controller);
    }
  };
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      reply.raw += decoder.decode(chunk, { stream: true });
      await handle(parser.push(chunk));
      if (controller.signal.aborted) {
        break;
      }
    }
    await handle(parser.end());
  } catch (error) {
    if (!controller.signal.aborted) {
      throw error;
    }
  }
  return reply;
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
