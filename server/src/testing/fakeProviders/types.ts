// The contract every loopback test provider follows, so tests can swap one kind for another.

/** A request the fake server received, with its body parsed when it was JSON. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A failure the fake server plays on its next matching request instead of answering normally.
 * `status` faults answer with that HTTP status and the provider's own error body.
 */
export type Fault =
  /** 401 with the provider's error body for a rejected key. */
  | { kind: 'unauthorized' }
  /** 429 with `Retry-After: seconds`. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** 500 with the provider's error body. */
  | { kind: 'server_error' }
  /** A stream whose chunk after `afterChunks` good ones is not valid JSON. */
  | { kind: 'malformed_chunk'; afterChunks: number }
  /** A stream whose socket is destroyed after `afterChunks` chunks, without the final event. */
  | { kind: 'drop_mid_stream'; afterChunks: number }
  /** Waits `delayMs` before the first chunk, sending a keep-alive every `keepAliveMs`. */
  | { kind: 'slow_first_token'; delayMs: number; keepAliveMs: number }
  /** Sends the headers and then nothing until the client gives up. */
  | { kind: 'stall' };

/** What a scripted answer says; the fake server streams it in the provider's wire format. */
export interface ScriptedAnswer {
  /** Reasoning sent in the provider's reasoning field (or thinking blocks), in pieces. */
  reasoning?: string[];
  /** Answer text, in pieces. */
  content: string[];
  usage?: { promptTokens: number; completionTokens: number; reasoningTokens?: number };
  finishReason?: string;
}

export interface FakeProviderServer {
  /** The base URL a provider of this kind is configured with, on 127.0.0.1. */
  readonly baseUrl: string;
  /** The key the server accepts; any other gets the provider's 401. */
  readonly apiKey: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Plays the fault on the next chat request (and only that one). */
  failNext(fault: Fault): void;
  /** The answer to the next chat requests, until changed. */
  answerWith(answer: ScriptedAnswer): void;
  close(): Promise<void>;
}
