// A loopback Ollama server for tests. It speaks the native API as Ollama documents it:
// `GET /api/version`, `GET /api/tags`, `POST /api/show`, and `POST /api/chat` streamed as NDJSON
// (one JSON object per line, the last with `"done": true`) or sent as one JSON object.
// Errors are `{"error": "…"}` with an HTTP status, as Ollama sends them.
//
// It is stricter than Ollama in one way: Ollama ignores unknown request fields, so a misspelt
// field is lost without a word, while this server rejects one with a 400 so the test fails.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { playHostile, type HostileOptions } from './hostile.js';
import type { FakeProviderServer, Fault, RecordedRequest, ScriptedAnswer } from './types.js';

/** A model the server lists and describes. */
export interface FakeOllamaModel {
  name: string;
  /** Such as `completion`, `thinking`, `vision`, `embedding`, `tools`. */
  capabilities: string[];
  /** The `general.architecture` in `model_info`, such as `llama`. */
  architecture: string;
  /** Sent as `<architecture>.context_length`; left out when undefined. */
  contextLength?: number;
  /** Makes `/api/show` for this model fail with a 500 instead of returning its details. */
  showFails?: boolean;
}

/**
 * The faults of every fake provider, plus two that only NDJSON streams have. `error_line` sends
 * `{"error": message}` after `afterChunks` chunks, as Ollama does when a model fails while it
 * streams. `end_early` ends the response cleanly after `afterChunks` chunks, without the final
 * one. For `slow_first_token`, NDJSON has no keep-alive line, so the server only waits and
 * ignores `keepAliveMs`.
 */
export type FakeOllamaFault =
  | Fault
  | { kind: 'error_line'; afterChunks: number; message: string }
  | { kind: 'end_early'; afterChunks: number };

export interface FakeOllamaOptions extends HostileOptions {
  /**
   * The Bearer token an authenticating reverse proxy in front of Ollama would check. Ollama itself
   * has no keys, so when this is unset every request passes.
   */
  apiKey?: string;
  models?: FakeOllamaModel[];
  /** Pause between two streamed chunks, in milliseconds; 0 writes them at once. */
  chunkIntervalMs?: number;
}

export interface FakeOllamaServer extends FakeProviderServer {
  /** Plays the fault on the next chat request (and only that one). */
  failNext(fault: FakeOllamaFault): void;
  /** How many chat responses the client closed before they were complete. */
  readonly closedByClient: number;
}

/** The version `/api/version` reports. */
export const FAKE_OLLAMA_VERSION = '0.12.6';

/** Models with capabilities and context lengths like those Ollama reports for them. */
export const DEFAULT_OLLAMA_MODELS: FakeOllamaModel[] = [
  {
    name: 'llama3.2:latest',
    capabilities: ['completion', 'tools'],
    architecture: 'llama',
    contextLength: 131072,
  },
  {
    name: 'qwen3:8b',
    capabilities: ['completion', 'tools', 'thinking'],
    architecture: 'qwen3',
    contextLength: 40960,
  },
  {
    name: 'llava:7b',
    capabilities: ['completion', 'vision'],
    architecture: 'llama',
    contextLength: 32768,
  },
  {
    name: 'nomic-embed-text:latest',
    capabilities: ['embedding'],
    architecture: 'nomic-bert',
    contextLength: 2048,
  },
  {
    name: 'gpt-oss:20b',
    capabilities: ['completion', 'tools', 'thinking'],
    architecture: 'gptoss',
    contextLength: 131072,
  },
];

const DEFAULT_ANSWER: ScriptedAnswer = {
  content: ['Hello', ' from', ' Ollama.'],
  usage: { promptTokens: 12, completionTokens: 3 },
  finishReason: 'stop',
};

/** Top-level fields of an `/api/chat` request. */
const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'tools',
  'format',
  'options',
  'stream',
  'keep_alive',
  'think',
  'logprobs',
  'top_logprobs',
]);
const MESSAGE_FIELDS = new Set([
  'role',
  'content',
  'thinking',
  'images',
  'tool_calls',
  'tool_name',
]);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
/** Runtime options, as the options example in Ollama's API docs (docs/api.md) lists them. */
const OPTION_FIELDS = new Set([
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
  'low_vram',
  'vocab_only',
  'use_mlock',
  'num_keep',
  'seed',
  'num_predict',
  'top_k',
  'top_p',
  'min_p',
  'typical_p',
  'repeat_last_n',
  'temperature',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
  'penalize_newline',
  'stop',
  'numa',
  'num_ctx',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'use_mmap',
  'num_thread',
]);
const THINK_LEVELS = new Set(['low', 'medium', 'high']);

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startFakeOllamaServer(
  options: FakeOllamaOptions = {},
): Promise<FakeOllamaServer> {
  const fake = new FakeOllama(options);
  const server = http.createServer((request, response) => {
    fake.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: options.apiKey ?? '',
    requests: fake.requests,
    get closedByClient() {
      return fake.closedByClient;
    },
    failNext: (fault) => {
      fake.nextFault = fault;
    },
    answerWith: (answer) => {
      fake.answer = answer;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

class FakeOllama {
  readonly requests: RecordedRequest[] = [];
  closedByClient = 0;
  nextFault: FakeOllamaFault | null = null;
  answer: ScriptedAnswer = DEFAULT_ANSWER;
  private readonly models: FakeOllamaModel[];
  private readonly apiKey: string;
  private readonly chunkIntervalMs: number;
  private readonly hostile: HostileOptions;

  constructor(options: FakeOllamaOptions) {
    this.hostile = options;
    this.models = options.models ?? DEFAULT_OLLAMA_MODELS;
    this.apiKey = options.apiKey ?? '';
    this.chunkIntervalMs = options.chunkIntervalMs ?? 0;
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const text = await readBody(request);
    const body = parseJson(text);
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const method = request.method ?? 'GET';
    this.requests.push({ method, path, headers: { ...request.headers }, body: body ?? text });
    const isModelList = method === 'GET' && path === '/api/tags';
    const hostileError = (message: string) => JSON.stringify({ error: message });
    if (playHostile(this.hostile, { request, response, isModelList, errorBody: hostileError })) {
      return;
    }

    if (this.apiKey !== '' && request.headers.authorization !== `Bearer ${this.apiKey}`) {
      sendJson(response, 401, { error: 'unauthorized' });
      return;
    }
    const route = `${method} ${path}`;
    if (route === 'GET /api/version') {
      sendJson(response, 200, { version: FAKE_OLLAMA_VERSION });
    } else if (route === 'GET /api/tags') {
      sendJson(response, 200, { models: this.models.map(tagEntry) });
    } else if (route === 'POST /api/show') {
      this.show(body, response);
    } else if (route === 'POST /api/chat') {
      await this.chat(body, response);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
    }
  }

  private show(body: unknown, response: http.ServerResponse): void {
    const name = (body as { model?: unknown } | null)?.model;
    const model = this.models.find((candidate) => candidate.name === name);
    if (model === undefined) {
      sendJson(response, 404, { error: `model '${String(name)}' not found` });
    } else if (model.showFails === true) {
      sendJson(response, 500, { error: `failed to read the manifest of ${model.name}` });
    } else {
      sendJson(response, 200, showDetails(model));
    }
  }

  private async chat(body: unknown, response: http.ServerResponse): Promise<void> {
    const fault = this.nextFault;
    this.nextFault = null;
    const invalid = chatRequestError(body);
    if (invalid !== null) {
      sendJson(response, 400, { error: invalid });
      return;
    }
    const request = body as { model: string; stream?: boolean };
    if (!this.models.some((model) => model.name === request.model)) {
      sendJson(response, 404, { error: `model "${request.model}" not found, pull it first` });
      return;
    }
    if (fault !== null && playStatusFault(fault, response)) {
      return;
    }
    this.watchClose(response);
    if (request.stream === false) {
      await this.answerWhole(request.model, fault, response);
    } else {
      await this.answerStreamed(request.model, fault, response);
    }
  }

  /** Counts the response as closed by the client when it closes before it is complete. */
  private watchClose(response: http.ServerResponse): void {
    response.on('close', () => {
      if (!response.writableFinished && !droppedByServer.has(response)) {
        this.closedByClient++;
      }
    });
  }

  private async answerStreamed(
    model: string,
    fault: FakeOllamaFault | null,
    response: http.ServerResponse,
  ): Promise<void> {
    response.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    response.flushHeaders();
    if (fault?.kind === 'stall') {
      return;
    }
    if (fault?.kind === 'slow_first_token') {
      await delay(fault.delayMs);
    }
    const chunks = streamedChunks(model, this.answer);
    const breakAt = fault !== null && 'afterChunks' in fault ? fault.afterChunks : Infinity;
    for (const [index, chunk] of chunks.entries()) {
      if (response.destroyed) {
        return;
      }
      if (index === breakAt) {
        await breakStream(fault, response);
        return;
      }
      if (index > 0 && this.chunkIntervalMs > 0) {
        await delay(this.chunkIntervalMs);
      }
      response.write(`${JSON.stringify(chunk)}\n`);
    }
    response.end();
  }

  private async answerWhole(
    model: string,
    fault: FakeOllamaFault | null,
    response: http.ServerResponse,
  ): Promise<void> {
    const text = JSON.stringify(wholeAnswer(model, this.answer));
    if (fault?.kind === 'slow_first_token') {
      await delay(fault.delayMs);
    }
    switch (fault?.kind) {
      case 'stall':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.flushHeaders();
        return;
      case 'malformed_chunk':
      case 'end_early':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      case 'drop_mid_stream':
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': text.length,
        });
        response.write(text.slice(0, Math.floor(text.length / 2)));
        await delay(20);
        dropConnection(response);
        return;
      case 'error_line':
        sendJson(response, 500, { error: fault.message });
        return;
      default:
        sendJson(response, 200, JSON.parse(text));
    }
  }
}

/** Responses the server broke on purpose, which do not count as closed by the client. */
const droppedByServer = new WeakSet<http.ServerResponse>();

function dropConnection(response: http.ServerResponse): void {
  droppedByServer.add(response);
  response.socket?.destroy();
}

/** Sends the response of an HTTP status fault; returns false for faults that break a stream. */
function playStatusFault(fault: FakeOllamaFault, response: http.ServerResponse): boolean {
  switch (fault.kind) {
    case 'unauthorized':
      sendJson(response, 401, { error: 'unauthorized' });
      return true;
    case 'rate_limited':
      sendJson(
        response,
        429,
        { error: 'too many requests, slow down' },
        {
          'Retry-After': String(fault.retryAfterSeconds),
        },
      );
      return true;
    case 'server_error':
      sendJson(response, 500, { error: 'the model runner stopped unexpectedly' });
      return true;
    default:
      return false;
  }
}

/**
 * Breaks a stream in the way the fault names. The short pause lets the client read the good chunks before
 * the break, because a fetch body that errors drops the chunks it has not handed out yet.
 */
async function breakStream(
  fault: FakeOllamaFault | null,
  response: http.ServerResponse,
): Promise<void> {
  await delay(20);
  switch (fault?.kind) {
    case 'malformed_chunk':
      response.end('{"model":"broken","message":{"role":\n');
      return;
    case 'drop_mid_stream':
      dropConnection(response);
      return;
    case 'error_line':
      response.end(`${JSON.stringify({ error: fault.message })}\n`);
      return;
    default:
      response.end();
  }
}

/** Returns why Ollama (or this stricter stand-in) rejects the chat request, or null. */
function chatRequestError(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'invalid request: the body must be a JSON object';
  }
  const request = body as Record<string, unknown>;
  const unknownField = Object.keys(request).find((key) => !CHAT_FIELDS.has(key));
  if (unknownField !== undefined) {
    return `invalid request: unknown field "${unknownField}"`;
  }
  if (typeof request.model !== 'string' || request.model === '') {
    return 'model is required';
  }
  if (request.think !== undefined && typeof request.think !== 'boolean') {
    if (typeof request.think !== 'string' || !THINK_LEVELS.has(request.think)) {
      return `invalid think value ${JSON.stringify(request.think)}: use true, false, "low", "medium" or "high"`;
    }
  }
  return optionsError(request.options) ?? messagesError(request.messages);
}

function optionsError(options: unknown): string | null {
  if (options === undefined) {
    return null;
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return 'invalid options: must be an object';
  }
  const unknown = Object.keys(options).find((key) => !OPTION_FIELDS.has(key));
  return unknown === undefined ? null : `invalid option "${unknown}"`;
}

function messagesError(messages: unknown): string | null {
  if (messages === undefined) {
    return null;
  }
  if (!Array.isArray(messages)) {
    return 'invalid messages: must be an array';
  }
  for (const [index, message] of messages.entries()) {
    if (typeof message !== 'object' || message === null) {
      return `invalid message ${index}: must be an object`;
    }
    const fields = message as Record<string, unknown>;
    const unknown = Object.keys(fields).find((key) => !MESSAGE_FIELDS.has(key));
    if (unknown !== undefined) {
      return `invalid message ${index}: unknown field "${unknown}"`;
    }
    if (typeof fields.role !== 'string' || !ROLES.has(fields.role)) {
      return `invalid message ${index}: role ${JSON.stringify(fields.role)} is not system, user, assistant or tool`;
    }
    if (fields.content !== undefined && typeof fields.content !== 'string') {
      return `invalid message ${index}: content must be a string`;
    }
    if (fields.thinking !== undefined && typeof fields.thinking !== 'string') {
      return `invalid message ${index}: thinking must be a string`;
    }
  }
  return null;
}

function streamedChunks(model: string, answer: ScriptedAnswer): object[] {
  const chunk = (message: object): object => ({
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', ...message },
    done: false,
  });
  return [
    ...(answer.reasoning ?? []).map((piece) => chunk({ content: '', thinking: piece })),
    ...answer.content.map((piece) => chunk({ content: piece })),
    {
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: '' },
      ...finalFields(answer),
    },
  ];
}

function wholeAnswer(model: string, answer: ScriptedAnswer): object {
  const reasoning = (answer.reasoning ?? []).join('');
  return {
    model,
    created_at: new Date().toISOString(),
    message: {
      role: 'assistant',
      content: answer.content.join(''),
      ...(reasoning === '' ? {} : { thinking: reasoning }),
    },
    ...finalFields(answer),
  };
}

/** Builds the statistics of the last chunk, with durations in nanoseconds. */
function finalFields(answer: ScriptedAnswer): object {
  const usage = answer.usage ?? {
    promptTokens: 10,
    completionTokens: (answer.reasoning ?? []).length + answer.content.length,
  };
  return {
    done: true,
    done_reason: answer.finishReason ?? 'stop',
    total_duration: 912_000_000,
    load_duration: 41_000_000,
    prompt_eval_count: usage.promptTokens,
    prompt_eval_duration: 87_000_000,
    eval_count: usage.completionTokens,
    eval_duration: 770_000_000,
  };
}

function tagEntry(model: FakeOllamaModel): object {
  return {
    name: model.name,
    model: model.name,
    modified_at: '2025-06-02T10:15:00.000Z',
    size: 4_920_000_000,
    digest: createHash('sha256').update(model.name).digest('hex'),
    details: modelDetails(model),
  };
}

function showDetails(model: FakeOllamaModel): object {
  const modelInfo: Record<string, unknown> = {
    'general.architecture': model.architecture,
    'general.parameter_count': 8_030_000_000,
  };
  if (model.contextLength !== undefined) {
    modelInfo[`${model.architecture}.context_length`] = model.contextLength;
  }
  return {
    license: '',
    modelfile: `FROM ${model.name}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details: modelDetails(model),
    model_info: modelInfo,
    capabilities: model.capabilities,
    modified_at: '2025-06-02T10:15:00.000Z',
  };
}

function modelDetails(model: FakeOllamaModel): object {
  return {
    parent_model: '',
    format: 'gguf',
    family: model.architecture,
    families: [model.architecture],
    parameter_size: '8.0B',
    quantization_level: 'Q4_K_M',
  };
}

function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
