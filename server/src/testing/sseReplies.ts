// Reads a POST whose reply is a server-sent event stream, for the chat and compare tests.
import { SseParser } from '../../../shared/src/sse/codec.js';
import type { TestServer } from './testServer.js';

/** A streamed reply read to its end, or a JSON reply. */
export interface SseReply<Event> {
  status: number;
  headers: Headers;
  events: Event[];
  /** The bytes as received, comments included. */
  raw: string;
  /** Set when the response was not an event stream: the parsed JSON body. */
  body?: unknown;
}

export interface SseRequestOptions<Event> {
  headers?: Record<string, string>;
  /** Called for each event as it arrives; aborting `controller` ends the request. */
  onEvent?: (event: Event, controller: AbortController) => void | Promise<void>;
}

/**
 * POSTs `request.body` as JSON to `request.path` and reads the server-sent events until the server or `onEvent`
 * ends the stream. Each event becomes `{ type, data }` with its data parsed as JSON.
 */
export async function postForEvents<Event>(
  server: TestServer,
  token: string,
  request: { path: string; body: unknown },
  options: SseRequestOptions<Event> = {},
): Promise<SseReply<Event>> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${request.path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...options.headers,
    },
    body: JSON.stringify(request.body),
    signal: controller.signal,
  });
  const reply: SseReply<Event> = {
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
      const typed = { type: event, data: JSON.parse(data) as unknown } as Event;
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
