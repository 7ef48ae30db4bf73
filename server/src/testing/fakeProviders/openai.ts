// A loopback stand-in for OpenAI and OpenAI-compatible servers that speaks the chat-completions
// wire format: `GET /v1/models`, chat completions as JSON or as server-sent events, OpenAI's error
// bodies, and the request checks each kind of service applies. Tests drive the real SDK against it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { playHostile, type HostileOptions } from './hostile.js';
import type { FakeProviderServer, Fault, RecordedRequest, ScriptedAnswer } from './types.js';

/**
 * The service whose request checks the server applies.
 * - `openai`: rejects request arguments and message fields OpenAI does not define (such as
 *   `top_k` and `reasoning_content`), and `max_tokens`, `temperature` or `top_p` sent to a
 *   reasoning model (o-series, gpt-5).
 * - `deepseek`: rejects `reasoning_content` in input messages, as DeepSeek's reasoner guide states.
 * - `moonshot`: rejects an assistant message without `reasoning_content`.
 * - `openrouter`: rejects an assistant message without `reasoning`.
 * - `compatible`: a vLLM-like server that takes `top_k` but rejects message fields it does not
 *   define, as strict compatible APIs (Mistral's, for one) do.
 *
 * NOTE: the `moonshot` and `openrouter` checks are stricter than those services. Kimi's thinking
 * models document keeping reasoning on earlier turns and OpenRouter documents passing it back,
 * but neither rejects every message without it. The checks make a client that drops it fail.
 */
export type FakeOpenAiProfile = 'openai' | 'deepseek' | 'moonshot' | 'openrouter' | 'compatible';

/** A model record as `GET /v1/models` lists it, with extra fields such as `max_model_len`. */
export type FakeOpenAiModel = { id: string } & Record<string, unknown>;

export interface FakeOpenAiOptions extends HostileOptions {
  profile?: FakeOpenAiProfile;
  apiKey?: string;
  /** Whether requests must carry the key. Set false to act as a local server that takes none. */
  requireKey?: boolean;
  models?: FakeOpenAiModel[];
  /** The delta field that carries reasoning, or `both` to send the same text under each name. */
  reasoningField?: 'reasoning_content' | 'reasoning' | 'both';
}

/** A scripted answer with a pause between stream chunks, so a test can act mid-stream. */
export interface OpenAiScriptedAnswer extends ScriptedAnswer {
  chunkDelayMs?: number;
}

export interface FakeOpenAiServer extends FakeProviderServer {
  answerWith(answer: OpenAiScriptedAnswer): void;
  /** Chat responses whose connection is still open. */
  readonly openStreams: number;
}

export const FAKE_OPENAI_MODELS: FakeOpenAiModel[] = [
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: 'o3-mini', object: 'model', created: 1737146383, owned_by: 'system' },
  { id: 'gpt-5', object: 'model', created: 1754425777, owned_by: 'system' },
  { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
  { id: 'whisper-1', object: 'model', created: 1677532384, owned_by: 'openai-internal' },
  { id: 'deepseek-reasoner', object: 'model', created: 0, owned_by: 'deepseek' },
  { id: 'kimi-k2-thinking', object: 'model', created: 0, owned_by: 'moonshot' },
  {
    id: 'Qwen/Qwen2.5-VL-7B-Instruct',
    object: 'model',
    created: 0,
    owned_by: 'vllm',
    max_model_len: 32768,
  },
  {
    id: 'qwen/qwq-32b',
    object: 'model',
    created: 0,
    name: 'Qwen: QwQ 32B',
    context_length: 131072,
  },
  { id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model', created: 0, owned_by: 'vllm' },
];

const DEFAULT_KEY = 'sk-fake-openai-0123456789abcdef';

/** A scripted answer with its defaults filled in. */
interface Answer {
  reasoning: string[];
  content: string[];
  usage: ScriptedAnswer['usage'];
  finishReason: string;
  chunkDelayMs: number;
}

const DEFAULT_ANSWER: Answer = {
  reasoning: [],
  content: ['Hello', ' there.'],
  usage: { promptTokens: 12, completionTokens: 5, reasoningTokens: 0 },
  finishReason: 'stop',
  chunkDelayMs: 0,
};

/** Request arguments of OpenAI's chat completions. The `openai` profile rejects any other. */
const OPENAI_ARGUMENTS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'reasoning_effort',
  'n',
  'stop',
  'seed',
  'user',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'store',
  'metadata',
  'service_tier',
  'modalities',
  'audio',
  'prediction',
  'verbosity',
  'web_search_options',
  'prompt_cache_key',
  'safety_identifier',
]);

/** Message fields of OpenAI's chat completions, by role. */
const MESSAGE_FIELDS: Record<string, Set<string>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set([
    'role',
    'content',
    'name',
    'refusal',
    'tool_calls',
    'function_call',
    'audio',
  ]),
  tool: new Set(['role', 'content', 'tool_call_id']),
};

interface ErrorReply {
  status: number;
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAiServer(
  options: FakeOpenAiOptions = {},
): Promise<FakeOpenAiServer> {
  const state = new FakeState(options);
  const server = http.createServer((request, response) => {
    state.handle(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey: state.apiKey,
    requests: state.requests,
    failNext: (fault: Fault) => {
      state.fault = fault;
    },
    answerWith: (answer: OpenAiScriptedAnswer) => {
      state.answer = {
        reasoning: answer.reasoning ?? [],
        content: answer.content,
        usage: answer.usage,
        finishReason: answer.finishReason ?? 'stop',
        chunkDelayMs: answer.chunkDelayMs ?? 0,
      };
    },
    get openStreams() {
      return state.open.size;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class FakeState {
  readonly apiKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly open = new Set<http.ServerResponse>();
  fault: Fault | null = null;
  answer: Answer = DEFAULT_ANSWER;
  private readonly profile: FakeOpenAiProfile;
  private readonly requireKey: boolean;
  private readonly models: FakeOpenAiModel[];
  private readonly reasoningField: NonNullable<FakeOpenAiOptions['reasoningField']>;
  private readonly hostile: HostileOptions;

  constructor(options: FakeOpenAiOptions) {
    this.hostile = options;
    this.profile = options.profile ?? 'openai';
    this.apiKey = options.apiKey ?? DEFAULT_KEY;
    this.requireKey = options.requireKey ?? true;
    this.models = options.models ?? FAKE_OPENAI_MODELS;
    this.reasoningField = options.reasoningField ?? 'reasoning_content';
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.open.add(response);
    response.on('close', () => this.open.delete(response));
    const raw = await readBody(request);
    const body = parseJson(raw);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    this.requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
    const isModelList = request.method === 'GET' && path === '/v1/models';
    if (playHostile(this.hostile, { request, response, isModelList, errorBody: openAiErrorBody })) {
      return;
    }

    const authError = this.checkKey(request.headers.authorization);
    if (authError !== null) {
      sendError(response, authError);
      return;
    }
    if (request.method === 'GET' && path === '/v1/models') {
      sendJson(response, 200, { object: 'list', data: this.models });
      return;
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      this.chat(body, raw, response);
      return;
    }
    sendError(response, {
      status: 404,
      message: `Invalid URL (${request.method} ${path})`,
      type: 'invalid_request_error',
    });
  }

  private checkKey(header: string | undefined): ErrorReply | null {
    if (!this.requireKey) {
      return null;
    }
    if (header === undefined || !header.startsWith('Bearer ')) {
      return {
        status: 401,
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
      };
    }
    const key = header.slice('Bearer '.length);
    if (key !== this.apiKey) {
      return invalidKey(key);
    }
    return null;
  }

  private chat(body: unknown, raw: string, response: http.ServerResponse): void {
    const fault = this.fault;
    this.fault = null;
    if (body === undefined) {
      sendError(response, {
        status: 400,
        message: `We could not parse the JSON body of your request: ${raw.slice(0, 40)}`,
        type: 'invalid_request_error',
      });
      return;
    }
    const invalid = this.validate(body);
    if (invalid !== null) {
      sendError(response, invalid);
      return;
    }
    const request = body as ChatRequest;
    if (fault !== null && playStatusFault(fault, response)) {
      return;
    }
    const chunks = this.chunks(request);
    if (request.stream === true) {
      streamChunks(response, chunks, fault, this.answer.chunkDelayMs);
    } else {
      sendCompletion(response, this.completion(request), fault);
    }
  }

  private validate(body: unknown): ErrorReply | null {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return badRequest('The request body must be a JSON object.', null);
    }
    const request = body as ChatRequest;
    if (typeof request.model !== 'string') {
      return badRequest("Missing required parameter: 'model'.", 'model');
    }
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      return badRequest(
        "Invalid 'messages': empty array. Expected an array with minimum length 1.",
        'messages',
      );
    }
    if (!this.models.some((model) => model.id === request.model)) {
      return {
        status: 404,
        message: `The model \`${request.model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      };
    }
    return (
      this.validateMessages(request.messages) ??
      (this.profile === 'openai' ? validateOpenAiArguments(request) : null)
    );
  }

  private validateMessages(messages: unknown[]): ErrorReply | null {
    for (const [index, message] of messages.entries()) {
      if (typeof message !== 'object' || message === null) {
        return badRequest(
          `Invalid type for 'messages[${index}]': expected an object.`,
          `messages.[${index}]`,
        );
      }
      const fields = message as Record<string, unknown>;
      const allowed = MESSAGE_FIELDS[String(fields.role)];
      if (allowed === undefined) {
        return badRequest(
          `Invalid value: '${String(fields.role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'.`,
          `messages[${index}].role`,
        );
      }
      const problem = this.messageProblem(fields, allowed, index);
      if (problem !== null) {
        return problem;
      }
    }
    return null;
  }

  private messageProblem(
    message: Record<string, unknown>,
    allowed: Set<string>,
    index: number,
  ): ErrorReply | null {
    const unknown = Object.keys(message).find((field) => !allowed.has(field));
    switch (this.profile) {
      case 'openai':
      case 'compatible':
        return unknown === undefined
          ? null
          : badRequest(
              `Additional properties are not allowed ('${unknown}' was unexpected) - 'messages.${index}'`,
              null,
            );
      case 'deepseek':
        // DeepSeek's error body has the same shape, with its own code.
        return 'reasoning_content' in message
          ? {
              ...badRequest(
                `The reasoning_content field of input messages is not supported (messages[${index}]); remove it before sending the request.`,
                null,
              ),
              code: 'invalid_request_error',
            }
          : null;
      case 'moonshot':
      case 'openrouter': {
        const field = this.profile === 'moonshot' ? 'reasoning_content' : 'reasoning';
        return message.role === 'assistant' && typeof message[field] !== 'string'
          ? badRequest(
              `The \`${field}\` of the assistant message at index ${index} must be passed back to the API in thinking mode.`,
              `messages[${index}].${field}`,
            )
          : null;
      }
    }
  }

  private chunks(request: ChatRequest): string[] {
    const answer = this.answer;
    const base = {
      id: 'chatcmpl-fake0001',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      system_fingerprint: 'fp_fake',
    };
    const includeUsage = request.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      });

    const chunks = [chunk({ role: 'assistant', content: '' })];
    for (const piece of answer.reasoning) {
      chunks.push(chunk(this.reasoningDelta(piece)));
    }
    for (const piece of answer.content) {
      chunks.push(chunk({ content: piece }));
    }
    chunks.push(chunk({}, answer.finishReason));
    if (includeUsage) {
      chunks.push(JSON.stringify({ ...base, choices: [], usage: wireUsage(answer.usage) }));
    }
    return chunks;
  }

  private reasoningDelta(text: string): Record<string, string> {
    switch (this.reasoningField) {
      case 'both':
        return { reasoning_content: text, reasoning: text };
      case 'reasoning':
        return { reasoning: text };
      case 'reasoning_content':
        return { reasoning_content: text };
    }
  }

  private completion(request: ChatRequest): Record<string, unknown> {
    const answer = this.answer;
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: answer.content.join(''),
      refusal: null,
    };
    if (answer.reasoning.length > 0) {
      Object.assign(message, this.reasoningDelta(answer.reasoning.join('')));
    }
    return {
      id: 'chatcmpl-fake0001',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage: wireUsage(answer.usage),
    };
  }
}

interface ChatRequest {
  model: string;
  messages: unknown[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  reasoning_effort?: string;
  [argument: string]: unknown;
}

/** Checks request arguments as OpenAI does, including its reasoning-model rules. */
function validateOpenAiArguments(request: ChatRequest): ErrorReply | null {
  const unknown = Object.keys(request).find((argument) => !OPENAI_ARGUMENTS.has(argument));
  if (unknown !== undefined) {
    return badRequest(`Unrecognized request argument supplied: ${unknown}`, null);
  }
  if (request.stream_options !== undefined && request.stream !== true) {
    return badRequest(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
    );
  }
  const reasoningModel = /^(o\d+|gpt-5)(?!.*-chat)/.test(request.model);
  if (!reasoningModel) {
    return request.reasoning_effort === undefined
      ? null
      : unsupported(
          "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
          'reasoning_effort',
        );
  }
  if (request.max_tokens !== undefined) {
    return unsupported(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
    );
  }
  for (const name of ['temperature', 'top_p'] as const) {
    const value = request[name];
    if (value !== undefined && value !== 1) {
      return {
        ...badRequest(
          `Unsupported value: '${name}' does not support ${value} with this model. Only the default (1) value is supported.`,
          name,
        ),
        code: 'unsupported_value',
      };
    }
  }
  return null;
}

/** Plays a fault that replaces the whole response, and returns whether it played one. */
function playStatusFault(fault: Fault, response: http.ServerResponse): boolean {
  switch (fault.kind) {
    case 'unauthorized':
      sendError(response, invalidKey('sk-revoked-key-000000000000'));
      return true;
    case 'rate_limited':
      sendError(response, {
        status: 429,
        message:
          'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again later.',
        type: 'requests',
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': String(fault.retryAfterSeconds) },
      });
      return true;
    case 'server_error':
      sendError(response, {
        status: 500,
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
      });
      return true;
    default:
      return false;
  }
}

/** Streams the chunks as server-sent events, playing a stream fault if one is set. */
function streamChunks(
  response: http.ServerResponse,
  chunks: string[],
  fault: Fault | null,
  chunkDelayMs: number,
): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  response.flushHeaders();
  const timers = timersFor(response);

  if (fault?.kind === 'stall') {
    return;
  }
  let index = 0;
  const next = (): void => {
    if (response.destroyed) {
      return;
    }
    if (fault?.kind === 'malformed_chunk' && index === fault.afterChunks) {
      response.end('data: {"id":"chatcmpl-fake0001","choices":[{"delta":\n\n');
      return;
    }
    if (fault?.kind === 'drop_mid_stream' && index === fault.afterChunks) {
      response.socket?.destroy();
      return;
    }
    const chunk = chunks[index];
    index += 1;
    if (chunk === undefined) {
      response.end('data: [DONE]\n\n');
      return;
    }
    response.write(`data: ${chunk}\n\n`, () => timers.later(chunkDelayMs, next));
  };
  if (fault?.kind === 'slow_first_token') {
    keepAlive(response, fault, ': keep-alive\n\n', next);
  } else {
    next();
  }
}

/** Sends a whole completion, playing a fault as the same service would for a JSON body. */
function sendCompletion(
  response: http.ServerResponse,
  completion: Record<string, unknown>,
  fault: Fault | null,
): void {
  const text = JSON.stringify(completion);
  response.writeHead(200, { 'content-type': 'application/json' });
  switch (fault?.kind) {
    case 'stall':
      response.flushHeaders();
      return;
    case 'malformed_chunk':
      response.end(text.slice(0, Math.floor(text.length / 2)));
      return;
    case 'drop_mid_stream':
      response.write(text.slice(0, Math.floor(text.length / 2)), () => response.socket?.destroy());
      return;
    case 'slow_first_token':
      // JSON allows leading whitespace, which OpenRouter sends to keep a slow response alive.
      response.flushHeaders();
      keepAlive(response, fault, '\n', () => response.end(text));
      return;
    default:
      response.end(text);
  }
}

/** Writes `comment` every `keepAliveMs` until `delayMs` has passed, then calls `then`. */
function keepAlive(
  response: http.ServerResponse,
  fault: { delayMs: number; keepAliveMs: number },
  comment: string,
  then: () => void,
): void {
  const timers = timersFor(response);
  const interval = setInterval(() => response.write(comment), fault.keepAliveMs);
  response.on('close', () => clearInterval(interval));
  timers.later(fault.delayMs, () => {
    clearInterval(interval);
    then();
  });
}

/** Timeouts that are cleared when the response closes, so a closed server leaves none behind. */
function timersFor(response: http.ServerResponse): {
  later: (ms: number, run: () => void) => void;
} {
  const pending = new Set<NodeJS.Timeout>();
  response.on('close', () => pending.forEach((timer) => clearTimeout(timer)));
  return {
    later: (ms, run) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        run();
      }, ms);
      pending.add(timer);
    },
  };
}

function wireUsage(usage: ScriptedAnswer['usage']): Record<string, unknown> | null {
  if (usage === undefined) {
    return null;
  }
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

function invalidKey(key: string): ErrorReply {
  const masked =
    key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : key;
  return {
    status: 401,
    message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  };
}

function badRequest(message: string, param: string | null): ErrorReply {
  return { status: 400, message, type: 'invalid_request_error', param };
}

function unsupported(message: string, param: string): ErrorReply {
  return { ...badRequest(message, param), code: 'unsupported_parameter' };
}

function sendError(response: http.ServerResponse, reply: ErrorReply): void {
  const body = {
    error: {
      message: reply.message,
      type: reply.type,
      param: reply.param ?? null,
      code: reply.code ?? null,
    },
  };
  response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  response.end(JSON.stringify(body));
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a request body. Returns undefined when it is not JSON and null when it is empty. */
function parseJson(raw: string): unknown {
  if (raw === '') {
    return null;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function openAiErrorBody(message: string): string {
  return JSON.stringify({
    error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
  });
}
