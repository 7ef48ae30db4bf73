// Readers for the stream bench. One sends a chat message to the server and reads its server-sent
// events, the other streams the same answer from the provider with the openai SDK. Both record
// when the first and last content arrived. Also the API calls that create the bench's users,
// providers and sessions.
import OpenAI from 'openai';
import type { ChatStreamEvents } from '../shared/src/api/chat.js';
import { SseParser } from '../shared/src/sse/codec.js';

/** Timings and totals of one streamed answer, in milliseconds from just before the request. */
export interface StreamReading {
  /** Time to the first non-empty content; null when none arrived. */
  firstContentMs: number | null;
  lastContentMs: number | null;
  /** Time until the stream ended. */
  endMs: number;
  contentChars: number;
  contentEvents: number;
  /** The answer text, kept only when the caller asked for it. */
  content: string;
}

/** A streamed reply of the chat route read to its end. */
export interface ChatReading extends StreamReading {
  status: number;
  /**
   * Time to the `start` event, or null when none arrived. The server sends it once it has stored
   * the user message and the empty answer and read the history, before it calls the provider.
   */
  startEventMs: number | null;
  /** The `done` event's status, or null when the stream ended without one. */
  doneStatus: ChatEvent<'done'>['status'] | null;
  /** The `error` event's code, or the body of a response that was not an event stream. */
  failure: string | null;
}

type ChatEvent<K extends keyof ChatStreamEvents> = ChatStreamEvents[K];

/** A signed-in user of the server under test. */
export interface BenchUser {
  accessToken: string;
}

/** Calls a JSON route of the server and returns the parsed body, failing on any other status. */
export async function callApi<T>(
  baseUrl: string,
  route: { method: 'GET' | 'POST'; path: string; token?: string; body?: unknown; status: number },
): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (route.token !== undefined) {
    headers.Authorization = `Bearer ${route.token}`;
  }
  const response = await fetch(`${baseUrl}${route.path}`, {
    method: route.method,
    headers,
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
  });
  const text = await response.text();
  if (response.status !== route.status) {
    throw new Error(
      `${route.method} ${route.path} returned ${response.status} where ${route.status} was ` +
        `expected: ${text.slice(0, 500)}`,
    );
  }
  return JSON.parse(text) as T;
}

/** Registers a user and signs in, returning the access token. */
export async function signUp(baseUrl: string, nickname: string): Promise<BenchUser> {
  const password = `${nickname}-password`;
  await callApi(baseUrl, {
    method: 'POST',
    path: '/api/auth/register',
    body: { email: `${nickname}@example.com`, nickname, password },
    status: 201,
  });
  const { accessToken } = await callApi<{ accessToken: string }>(baseUrl, {
    method: 'POST',
    path: '/api/auth/login',
    body: { login: nickname, password, tokenDelivery: 'body' },
    status: 200,
  });
  return { accessToken };
}

/** Creates an `openai` provider at `baseUrl` for the user and a model config on it; returns its id. */
export async function createModelConfig(
  serverUrl: string,
  user: BenchUser,
  provider: { name: string; baseUrl: string; apiKey: string; modelId: string },
): Promise<number> {
  const created = await callApi<{ provider: { id: number } }>(serverUrl, {
    method: 'POST',
    path: '/api/providers',
    token: user.accessToken,
    body: {
      kind: 'openai',
      name: provider.name,
      baseUrl: provider.baseUrl,
      apiKey: provider.apiKey,
    },
    status: 201,
  });
  const config = await callApi<{ modelConfig: { id: number } }>(serverUrl, {
    method: 'POST',
    path: '/api/model-configs',
    token: user.accessToken,
    body: { providerId: created.provider.id, modelId: provider.modelId },
    status: 201,
  });
  return config.modelConfig.id;
}

/** Creates a chat session with the model config and returns its id. */
export async function createSession(
  serverUrl: string,
  user: BenchUser,
  modelConfigId: number,
): Promise<number> {
  const created = await callApi<{ session: { id: number } }>(serverUrl, {
    method: 'POST',
    path: '/api/chat/sessions',
    token: user.accessToken,
    body: { modelConfigId },
    status: 201,
  });
  return created.session.id;
}

export interface ReadOptions {
  /** Keeps the answer text in the reading, for a check of what arrived. */
  keepContent?: boolean;
  /** Called once, when the first non-empty content arrives. */
  onFirstContent?: () => void;
}

/**
 * Sends a message to a session with `stream: true` and reads the server-sent events to the end
 * of the response.
 */
export async function readChatAnswer(
  serverUrl: string,
  user: BenchUser,
  request: { sessionId: number; content: string },
  options: ReadOptions = {},
): Promise<ChatReading> {
  const started = performance.now();
  const response = await fetch(`${serverUrl}/api/chat/sessions/${request.sessionId}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: request.content, stream: true }),
  });
  const tally = new ContentTally(started, options);
  const reading: ChatReading = {
    ...tally.result(),
    status: response.status,
    startEventMs: null,
    doneStatus: null,
    failure: null,
  };
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { ...reading, endMs: tally.elapsed(), failure: (await response.text()).slice(0, 500) };
  }

  const parser = new SseParser();
  const handle = (events: { event: string; data: string }[]) => {
    for (const { event, data } of events) {
      if (event === 'start') {
        reading.startEventMs = tally.elapsed();
      } else if (event === 'content') {
        tally.add((JSON.parse(data) as ChatEvent<'content'>).text);
      } else if (event === 'done') {
        reading.doneStatus = (JSON.parse(data) as ChatEvent<'done'>).status;
      } else if (event === 'error') {
        reading.failure = (JSON.parse(data) as ChatEvent<'error'>).error.code;
      }
    }
  };
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    handle(parser.push(chunk));
  }
  handle(parser.end());
  return { ...reading, ...tally.result() };
}

/** Returns an SDK client of the provider with retries off, as the server's client has them. */
export function directClient(provider: { baseUrl: string; apiKey: string }): OpenAI {
  return new OpenAI({ apiKey: provider.apiKey, baseURL: provider.baseUrl, maxRetries: 0 });
}

/**
 * Streams a chat completion with the SDK and reads it to the end, with the stream options the
 * server's client sends, so the provider sends the same chunks to both.
 */
export async function readDirectAnswer(
  client: OpenAI,
  request: { model: string; content: string },
  options: ReadOptions = {},
): Promise<StreamReading> {
  const started = performance.now();
  const chunks = await client.chat.completions.create({
    model: request.model,
    messages: [{ role: 'user', content: request.content }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const tally = new ContentTally(started, options);
  for await (const chunk of chunks) {
    const text = chunk.choices[0]?.delta?.content;
    if (typeof text === 'string') {
      tally.add(text);
    }
  }
  return tally.result();
}

/** Counts the content of one stream and the times its first and last pieces arrived. */
class ContentTally {
  private firstContentMs: number | null = null;
  private lastContentMs: number | null = null;
  private contentChars = 0;
  private contentEvents = 0;
  private content = '';

  constructor(
    private readonly started: number,
    private readonly options: ReadOptions,
  ) {}

  add(text: string): void {
    if (text === '') {
      return;
    }
    const now = this.elapsed();
    if (this.firstContentMs === null) {
      this.firstContentMs = now;
      this.options.onFirstContent?.();
    }
    this.lastContentMs = now;
    this.contentChars += text.length;
    this.contentEvents += 1;
    if (this.options.keepContent === true) {
      this.content += text;
    }
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  result(): StreamReading {
    return {
      firstContentMs: this.firstContentMs,
      lastContentMs: this.lastContentMs,
      endMs: this.elapsed(),
      contentChars: this.contentChars,
      contentEvents: this.contentEvents,
      content: this.content,
    };
  }
}
