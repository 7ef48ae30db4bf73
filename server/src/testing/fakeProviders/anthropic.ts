// A loopback stand-in for the Anthropic API that speaks the Messages wire format: the paged
// models list, messages returned as JSON or as server-sent events, Anthropic's error bodies, and
// signed thinking blocks that must come back unchanged. Tests drive the real SDK against it.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSseEvent } from '../../../../shared/src/sse/codec.js';
import { playHostile, type HostileOptions } from './hostile.js';
import type { FakeProviderServer, Fault, RecordedRequest, ScriptedAnswer } from './types.js';

/** One content block of a scripted answer; text and thinking arrive in the given pieces. */
export type ScriptedBlock =
  | { type: 'thinking'; pieces: string[] }
  | { type: 'redacted_thinking' }
  | { type: 'text'; pieces: string[] };

/** An answer given block by block, for what `ScriptedAnswer` cannot say. */
export interface AnthropicScriptedAnswer {
  blocks: ScriptedBlock[];
  usage?: ScriptedAnswer['usage'];
  /** `stop_reason` of the message; `end_turn` when unset. */
  stopReason?: string;
  /** Pause between two stream events, so a test can act mid-stream. */
  eventDelayMs?: number;
}

/** The shared faults, plus Anthropic's overloaded error as a 529 and as an in-stream event. */
export type AnthropicFault =
  Fault | { kind: 'overloaded' } | { kind: 'stream_error'; afterChunks: number };

export interface FakeModel {
  id: string;
  displayName: string;
  /** Sent as `max_input_tokens` when set. */
  maxInputTokens?: number;
}

export interface FakeAnthropicOptions extends HostileOptions {
  apiKey?: string;
  models?: FakeModel[];
  /** The largest page `GET /v1/models` returns, whatever `limit` requests. */
  pageSize?: number;
  /** Makes every models page report `has_more` with the same `last_id`, so paging never ends. */
  endlessPaging?: boolean;
}

export interface FakeAnthropicServer extends FakeProviderServer {
  failNext(fault: AnthropicFault): void;
  answerWithBlocks(answer: AnthropicScriptedAnswer): void;
  /** The signature this server gives a thinking block with this text. */
  sign(text: string): string;
  /** Streamed responses whose connection is still open. */
  readonly openStreams: number;
}

export const FAKE_ANTHROPIC_MODELS: FakeModel[] = [
  { id: 'claude-sonnet-4-5-20250929', displayName: 'Claude Sonnet 4.5' },
  { id: 'claude-opus-4-1-20250805', displayName: 'Claude Opus 4.1', maxInputTokens: 180_000 },
  { id: 'claude-3-7-sonnet-20250219', displayName: 'Claude Sonnet 3.7' },
  { id: 'claude-3-5-haiku-20241022', displayName: 'Claude Haiku 3.5' },
  { id: 'claude-2.1', displayName: 'Claude 2.1' },
];

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

interface Answer {
  blocks: ScriptedBlock[];
  usage: { promptTokens: number; completionTokens: number; reasoningTokens?: number };
  stopReason: string;
  eventDelayMs: number;
}

function fromScriptedAnswer(answer: ScriptedAnswer): AnthropicScriptedAnswer {
  const blocks: ScriptedBlock[] = [];
  if (answer.reasoning !== undefined && answer.reasoning.length > 0) {
    blocks.push({ type: 'thinking', pieces: answer.reasoning });
  }
  blocks.push({ type: 'text', pieces: answer.content });
  return { blocks, usage: answer.usage, stopReason: answer.finishReason };
}

function settle(answer: AnthropicScriptedAnswer): Answer {
  const pieces = answer.blocks.reduce(
    (count, block) => count + (block.type === 'redacted_thinking' ? 1 : block.pieces.length),
    0,
  );
  return {
    blocks: answer.blocks,
    usage: answer.usage ?? { promptTokens: 12, completionTokens: pieces },
    stopReason: answer.stopReason ?? 'end_turn',
    eventDelayMs: answer.eventDelayMs ?? 0,
  };
}

function errorBody(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeAnthropicServer(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropicServer> {
  const fake = new FakeAnthropic(options);
  await fake.listen();
  return fake;
}

class FakeAnthropic implements FakeAnthropicServer {
  readonly apiKey: string;
  readonly requests: RecordedRequest[] = [];
  private readonly models: FakeModel[];
  private readonly pageSize: number;
  private readonly hostile: HostileOptions;
  private readonly endlessPaging: boolean;
  private readonly secret = randomBytes(32);
  private readonly issuedRedactedData = new Set<string>();
  private readonly server = http.createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  private answer: Answer = settle({ blocks: [{ type: 'text', pieces: ['Hello', '!'] }] });
  private fault: AnthropicFault | null = null;
  private messageCount = 0;
  private streamCount = 0;
  private port = 0;

  constructor(options: FakeAnthropicOptions) {
    this.apiKey = options.apiKey ?? `sk-ant-fake-${randomBytes(6).toString('hex')}`;
    this.models = options.models ?? FAKE_ANTHROPIC_MODELS;
    this.pageSize = options.pageSize ?? 1000;
    this.hostile = options;
    this.endlessPaging = options.endlessPaging ?? false;
  }

  /** The bare origin, as the base URL normaliser stores it for anthropic providers. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get openStreams(): number {
    return this.streamCount;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  failNext(fault: AnthropicFault): void {
    this.fault = fault;
  }

  answerWith(answer: ScriptedAnswer): void {
    this.answer = settle(fromScriptedAnswer(answer));
  }

  answerWithBlocks(answer: AnthropicScriptedAnswer): void {
    this.answer = settle(answer);
  }

  sign(text: string): string {
    return createHmac('sha256', this.secret).update(text, 'utf8').digest('base64');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const text = await readBody(request);
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // The body stays text, so the route responds with invalid_request_error.
    }
    this.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname + url.search,
      headers: request.headers,
      body,
    });
    response.setHeader('request-id', `req_fake_${this.requests.length}`);
    const isModelList = request.method === 'GET' && url.pathname === '/v1/models';
    const hostileError = (message: string) => errorBody('authentication_error', message);
    if (playHostile(this.hostile, { request, response, isModelList, errorBody: hostileError })) {
      return;
    }

    const version = request.headers['anthropic-version'];
    if (version !== '2023-06-01' && version !== '2026-10-21') {
      return this.sendError(
        response,
        400,
        'invalid_request_error',
        `anthropic-version: header is required, as 2023-06-01 or 2026-10-21 (got ${String(version)})`,
      );
    }
    const isChat = request.method === 'POST' && url.pathname === '/v1/messages';
    const fault = isChat ? this.takeFault() : null;
    if (fault?.kind === 'unauthorized' || !this.hasValidKey(request)) {
      return this.sendError(response, 401, 'authentication_error', 'invalid x-api-key');
    }

    if (request.method === 'GET' && url.pathname === '/v1/models') {
      return this.listModels(url, response);
    }
    if (isChat) {
      return this.createMessage(body, version, fault, response);
    }
    this.sendError(
      response,
      404,
      'not_found_error',
      `Not found: ${request.method} ${url.pathname}`,
    );
  }

  private takeFault(): AnthropicFault | null {
    const fault = this.fault;
    this.fault = null;
    return fault;
  }

  /** Checks the key, sent as `x-api-key` or as a bearer token, which is how SDK 1.x sends it. */
  private hasValidKey(request: http.IncomingMessage): boolean {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    return request.headers['x-api-key'] === this.apiKey || bearer === this.apiKey;
  }

  private listModels(url: URL, response: http.ServerResponse) {
    if (this.endlessPaging) {
      const first = this.models[0]?.id ?? 'claude-endless';
      const data = [
        { type: 'model', id: first, display_name: first, created_at: '2025-01-01T00:00:00Z' },
      ];
      return this.sendJson(response, 200, {
        data,
        has_more: true,
        first_id: first,
        last_id: first,
      });
    }
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), this.pageSize);
    const afterId = url.searchParams.get('after_id');
    const beforeId = url.searchParams.get('before_id');
    const [start, end] = this.pageBounds(limit, afterId, beforeId);
    const page = this.models.slice(start, end);
    const data = page.map((model) => ({
      type: 'model',
      id: model.id,
      display_name: model.displayName,
      created_at: '2025-01-01T00:00:00Z',
      ...(model.maxInputTokens === undefined ? {} : { max_input_tokens: model.maxInputTokens }),
    }));
    this.sendJson(response, 200, {
      data,
      has_more: beforeId !== null ? start > 0 : end < this.models.length,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    });
  }

  /** Returns the slice of the model list a page covers, counting from a cursor when given. */
  private pageBounds(limit: number, afterId: string | null, beforeId: string | null) {
    const indexOf = (id: string) => this.models.findIndex((model) => model.id === id);
    if (afterId !== null) {
      const start = indexOf(afterId) + 1;
      return [start, Math.min(start + limit, this.models.length)] as const;
    }
    if (beforeId !== null) {
      const end = Math.max(indexOf(beforeId), 0);
      return [Math.max(end - limit, 0), end] as const;
    }
    return [0, Math.min(limit, this.models.length)] as const;
  }

  private async createMessage(
    body: unknown,
    version: string,
    fault: AnthropicFault | null,
    response: http.ServerResponse,
  ) {
    if (fault?.kind === 'rate_limited') {
      response.setHeader('retry-after', String(fault.retryAfterSeconds));
      return this.sendError(
        response,
        429,
        'rate_limit_error',
        'Number of requests has exceeded your rate limit.',
      );
    }
    if (fault?.kind === 'server_error') {
      return this.sendError(response, 500, 'api_error', 'Internal server error');
    }
    if (fault?.kind === 'overloaded') {
      return this.sendError(response, 529, 'overloaded_error', 'Overloaded');
    }
    const problem = this.checkRequest(body, version);
    if (problem !== null) {
      return this.sendError(response, 400, 'invalid_request_error', problem);
    }
    const request = body as { model: string; stream?: boolean };
    if (!this.models.some((model) => model.id === request.model)) {
      return this.sendError(response, 404, 'not_found_error', `model: ${request.model}`);
    }

    this.messageCount++;
    const id = `msg_fake_${this.messageCount}`;
    const blocks = this.answer.blocks.map((block) => this.materialize(block));
    if (request.stream === true) {
      await this.stream(response, this.streamEvents(id, request.model, blocks), fault);
    } else {
      await this.sendMessage(response, this.wholeMessage(id, request.model, blocks), fault);
    }
  }

  /** Returns what Anthropic would reject in this request body, or null when it is valid. */
  private checkRequest(body: unknown, version: string): string | null {
    if (typeof body !== 'object' || body === null) {
      return 'The request body is not valid JSON.';
    }
    const request = body as Record<string, unknown>;
    if (typeof request.model !== 'string') {
      return 'model: Field required';
    }
    const maxTokens = request.max_tokens;
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      return 'max_tokens: Field required, as an integer of at least 1';
    }
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      return 'messages: Field required, as a non-empty list';
    }
    if (version !== '2023-06-01') {
      // API version 2026-10-21 dropped the sampling parameters and rejects them at any value.
      const sampling = ['temperature', 'top_p', 'top_k'].find((name) => name in request);
      if (sampling !== undefined) {
        return `${sampling}: not accepted in API version ${version}`;
      }
    }
    return this.checkThinking(request, maxTokens) ?? this.checkMessages(request.messages);
  }

  private checkThinking(request: Record<string, unknown>, maxTokens: number): string | null {
    const thinking = request.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
    if (thinking === undefined || thinking.type !== 'enabled') {
      return null;
    }
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024) {
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    }
    if (budget >= maxTokens) {
      return '`max_tokens` must be greater than `thinking.budget_tokens`';
    }
    if (request.temperature !== undefined && request.temperature !== 1) {
      return '`temperature` may only be set to 1 when thinking is enabled';
    }
    if (request.top_k !== undefined) {
      return '`top_k` cannot be set when thinking is enabled';
    }
    if (typeof request.top_p === 'number' && request.top_p < 0.95) {
      return '`top_p` must be between 0.95 and 1 when thinking is enabled';
    }
    return null;
  }

  private checkMessages(messages: unknown[]): string | null {
    for (const [i, message] of messages.entries()) {
      const { role, content } = message as { role?: unknown; content?: unknown };
      if (role === 'system') {
        return `messages.${i}.role: "system" is not a message role; send the system prompt in the top-level \`system\` parameter`;
      }
      if (role !== 'user' && role !== 'assistant') {
        return `messages.${i}.role: Input should be 'user' or 'assistant'`;
      }
      if (!Array.isArray(content)) {
        continue;
      }
      for (const [j, block] of content.entries()) {
        const problem = this.checkBlock(
          block as Record<string, unknown>,
          `messages.${i}.content.${j}`,
        );
        if (problem !== null) {
          return problem;
        }
      }
    }
    return null;
  }

  private checkBlock(block: Record<string, unknown>, where: string): string | null {
    if (block.type === 'thinking') {
      if (typeof block.signature !== 'string' || block.signature === '') {
        return `${where}.thinking.signature: Field required`;
      }
      if (typeof block.thinking !== 'string' || this.sign(block.thinking) !== block.signature) {
        return `${where}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
    if (block.type === 'redacted_thinking') {
      if (typeof block.data !== 'string' || !this.issuedRedactedData.has(block.data)) {
        return `${where}: Invalid \`data\` in \`redacted_thinking\` block`;
      }
    }
    return null;
  }

  /** Adds what only the server can make to a scripted block: its signature or its opaque data. */
  private materialize(block: ScriptedBlock): Record<string, unknown> {
    switch (block.type) {
      case 'thinking': {
        const thinking = block.pieces.join('');
        return { type: 'thinking', thinking, signature: this.sign(thinking), pieces: block.pieces };
      }
      case 'redacted_thinking': {
        const data = randomBytes(24).toString('base64');
        this.issuedRedactedData.add(data);
        return { type: 'redacted_thinking', data };
      }
      case 'text':
        return { type: 'text', text: block.pieces.join(''), pieces: block.pieces };
    }
  }

  private usage(): { start: object; end: object } {
    const { promptTokens, completionTokens, reasoningTokens } = this.answer.usage;
    const details =
      reasoningTokens === undefined
        ? {}
        : { output_tokens_details: { thinking_tokens: reasoningTokens } };
    return {
      start: { input_tokens: promptTokens, output_tokens: 1 },
      end: { output_tokens: completionTokens, ...details },
    };
  }

  private wholeMessage(id: string, model: string, blocks: Record<string, unknown>[]): object {
    const usage = this.usage();
    return {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks.map(({ pieces: _pieces, ...block }) => block),
      stop_reason: this.answer.stopReason,
      stop_sequence: null,
      usage: { ...usage.start, ...usage.end },
    };
  }

  private streamEvents(id: string, model: string, blocks: Record<string, unknown>[]): string[] {
    const usage = this.usage();
    const events = [
      encodeSseEvent('message_start', {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage.start,
        },
      }),
      encodeSseEvent('ping', { type: 'ping' }),
    ];
    for (const [index, block] of blocks.entries()) {
      events.push(...this.blockEvents(index, block));
    }
    events.push(
      encodeSseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: this.answer.stopReason, stop_sequence: null },
        usage: usage.end,
      }),
      encodeSseEvent('message_stop', { type: 'message_stop' }),
    );
    return events;
  }

  private blockEvents(index: number, block: Record<string, unknown>): string[] {
    const start = (content_block: object) =>
      encodeSseEvent('content_block_start', { type: 'content_block_start', index, content_block });
    const delta = (value: object) =>
      encodeSseEvent('content_block_delta', { type: 'content_block_delta', index, delta: value });
    const stop = encodeSseEvent('content_block_stop', { type: 'content_block_stop', index });
    const pieces = (block.pieces as string[] | undefined) ?? [];

    if (block.type === 'thinking') {
      // The signature goes out in two deltas, so a client that keeps only the last one fails.
      const signature = block.signature as string;
      const half = Math.ceil(signature.length / 2);
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        ...pieces.map((thinking) => delta({ type: 'thinking_delta', thinking })),
        delta({ type: 'signature_delta', signature: signature.slice(0, half) }),
        delta({ type: 'signature_delta', signature: signature.slice(half) }),
        stop,
      ];
    }
    if (block.type === 'redacted_thinking') {
      return [start({ type: 'redacted_thinking', data: block.data }), stop];
    }
    return [
      start({ type: 'text', text: '' }),
      ...pieces.map((text) => delta({ type: 'text_delta', text })),
      stop,
    ];
  }

  private async stream(
    response: http.ServerResponse,
    events: string[],
    fault: AnthropicFault | null,
  ) {
    this.streamCount++;
    response.once('close', () => this.streamCount--);
    response.writeHead(200, SSE_HEADERS);
    response.flushHeaders();

    if (fault?.kind === 'stall') {
      return;
    }
    if (fault?.kind === 'slow_first_token') {
      const until = Date.now() + fault.delayMs;
      while (Date.now() + fault.keepAliveMs < until && !response.destroyed) {
        await sleep(fault.keepAliveMs);
        response.write(encodeSseEvent('ping', { type: 'ping' }));
      }
      await sleep(Math.max(until - Date.now(), 0));
    }
    const cut =
      fault?.kind === 'malformed_chunk' ||
      fault?.kind === 'drop_mid_stream' ||
      fault?.kind === 'stream_error'
        ? fault.afterChunks
        : events.length;

    for (const event of events.slice(0, cut)) {
      if (response.destroyed) {
        return;
      }
      response.write(event);
      if (this.answer.eventDelayMs > 0) {
        await sleep(this.answer.eventDelayMs);
      }
    }
    if (fault?.kind === 'drop_mid_stream') {
      response.write('', () => response.socket?.destroy());
      return;
    }
    if (fault?.kind === 'malformed_chunk') {
      response.write(
        'event: content_block_delta\ndata: {"type": "content_block_delta", "index": \n\n',
      );
    }
    if (fault?.kind === 'stream_error') {
      response.write(
        encodeSseEvent('error', JSON.parse(errorBody('overloaded_error', 'Overloaded'))),
      );
    }
    response.end();
  }

  private async sendMessage(
    response: http.ServerResponse,
    message: object,
    fault: AnthropicFault | null,
  ) {
    const json = JSON.stringify(message);
    if (fault?.kind === 'stall') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      return;
    }
    if (fault?.kind === 'slow_first_token') {
      await sleep(fault.delayMs);
    }
    if (fault?.kind === 'stream_error') {
      return this.sendError(response, 529, 'overloaded_error', 'Overloaded');
    }
    if (fault?.kind === 'malformed_chunk') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(json.slice(0, Math.floor(json.length / 2)));
      return;
    }
    if (fault?.kind === 'drop_mid_stream') {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
      response.write(json.slice(0, Math.floor(json.length / 2)), () => response.socket?.destroy());
      return;
    }
    this.sendJson(response, 200, message);
  }

  private sendJson(response: http.ServerResponse, status: number, value: unknown) {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  }

  private sendError(response: http.ServerResponse, status: number, type: string, message: string) {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(errorBody(type, message));
  }
}
