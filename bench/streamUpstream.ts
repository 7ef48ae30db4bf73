// An OpenAI-compatible chat-completions server on loopback that streams one fixed answer with no
// pause between chunks. The fake in server/src/testing waits for a timer between chunks even with
// a delay of 0, which Node runs after at least 1 ms, so it cannot send faster than about 1,000
// chunks a second, and a throughput comparison against it would measure its timer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StreamUpstream {
  /** The base URL a provider is configured with, such as http://127.0.0.1:PORT/v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  close(): Promise<void>;
}

const API_KEY = 'sk-bench-upstream-0123456789abcdef';
const MODEL = 'gpt-4o';

/**
 * Starts the server on 127.0.0.1 with an ephemeral port. Each `POST /v1/chat/completions` with
 * `stream: true` gets a role chunk, one chunk per piece, a finish chunk, a usage chunk when
 * `stream_options.include_usage` is set, and `data: [DONE]`, each frame in its own write, in
 * OpenAI's chunk format. Writing pauses only while the socket's buffer is full.
 */
export async function startStreamUpstream(pieces: readonly string[]): Promise<StreamUpstream> {
  const frames = answerFrames(pieces);
  const server = http.createServer((request, response) => {
    void serve(request, response, frames);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey: API_KEY,
    model: MODEL,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SSE frames of the answer. */
interface AnswerFrames {
  /** The role chunk, the content chunks and the finish chunk. */
  body: string[];
  /** The usage chunk, sent only to requests that set `stream_options.include_usage`. */
  usage: string;
}

function answerFrames(pieces: readonly string[]): AnswerFrames {
  const base = {
    id: 'chatcmpl-bench0001',
    object: 'chat.completion.chunk',
    created: 1_765_000_000,
    model: MODEL,
    system_fingerprint: 'fp_bench',
  };
  const frame = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    `data: ${JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      usage: null,
    })}\n\n`;
  const body = [frame({ role: 'assistant', content: '' })];
  for (const piece of pieces) {
    body.push(frame({ content: piece }));
  }
  body.push(frame({}, 'stop'));
  const usage = {
    prompt_tokens: 12,
    completion_tokens: pieces.length,
    total_tokens: 12 + pieces.length,
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  return { body, usage: `data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n` };
}

async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  frames: AnswerFrames,
): Promise<void> {
  const body = await readJson(request);
  if (request.headers.authorization !== `Bearer ${API_KEY}`) {
    sendError(response, 401, 'Incorrect API key provided.');
    return;
  }
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    sendError(response, 404, `Invalid URL (${request.method} ${request.url})`);
    return;
  }
  if (body?.stream !== true) {
    sendError(response, 400, 'This bench server only streams; send "stream": true.');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  for (const frame of frames.body) {
    if (!response.write(frame) && !(await drained(response))) {
      return;
    }
  }
  if (body.stream_options?.include_usage === true) {
    response.write(frames.usage);
  }
  response.end('data: [DONE]\n\n');
}

/** Waits for the response to drain; resolves false when it closed first. */
function drained(response: http.ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      response.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      response.off('drain', onDrain);
      resolve(false);
    };
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}

interface ChatRequestFields {
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

async function readJson(request: http.IncomingMessage): Promise<ChatRequestFields | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestFields;
  } catch {
    return null;
  }
}

function sendError(response: http.ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }),
  );
}
