// Model comparisons: one prompt answered by one to three model configs side by side. These are
// the JSON bodies of `/api/compare/...` and the server-sent events a streamed comparison sends.
// The server, the extension and the compare webview import them.
import type { ChatFinishReason, ChatMessageError, ChatUsage } from './chat.js';

/** Slots a comparison may have. */
export const MAX_COMPARE_SLOTS = 3;

/** Images a comparison request may carry. */
export const MAX_COMPARE_IMAGES = 4;

/**
 * The state of one slot's answer: `streaming` while it arrives, then `complete`, `stopped` (by
 * the stop route or a client that went away, keeping the partial answer) or `error`.
 */
export type ComparisonResultStatus = 'streaming' | 'complete' | 'stopped' | 'error';

/** One slot of `POST /api/compare`: the model config that answers and its own system prompt. */
export interface CompareSlotRequest {
  modelConfigId: number;
  /** System prompt text of at most 100,000 characters; empty or left out sends none. */
  systemPrompt?: string;
}

/**
 * `POST /api/compare`. The slots answer in parallel. The reply streams as server-sent events
 * when `stream` is true or the Accept header names `text/event-stream`; otherwise it is one
 * `ComparisonResponse` with the results in slot order.
 */
export interface CreateComparisonRequest {
  /** The user message, 1 to 1,000,000 characters, not only whitespace. */
  prompt: string;
  /**
   * Images for vision models, as `data:image/png;base64,...` URLs (PNG, JPEG, GIF or WebP), at
   * most four, within the request's 1 MB body limit.
   * NOTE: the provider clients send text only so far, so the server rejects any image with a
   * 400 that names the slots.
   */
  images?: string[];
  /**
   * Values for the `{{name}}` variables of the prompt. Every variable the prompt uses needs a
   * value, or the server answers 400 naming the missing ones.
   */
  variables?: Record<string, string>;
  /** One to three slots. The same config may appear twice, for example with two system prompts. */
  slots: CompareSlotRequest[];
  stream?: boolean;
}

/** One slot's answer and how it went. Durations are milliseconds, and null means not measured. */
export interface ApiComparisonResult {
  id: number;
  comparisonId: number;
  /** The index of the slot in the request, from 0. */
  slot: number;
  /** The config that answered, or null once that config is deleted. */
  modelConfigId: number | null;
  /** The config's display name when the comparison ran. */
  modelConfigName: string;
  /** The provider's model id that answered. */
  modelId: string;
  /** The provider's name when the comparison ran. */
  providerName: string;
  systemPrompt: string | null;
  content: string;
  /** The reasoning the model showed, or null when it showed none. */
  reasoning: string | null;
  status: ComparisonResultStatus;
  usage: ChatUsage | null;
  /** Completion tokens minus reasoning tokens, or null when the provider reported no usage. */
  answerTokens: number | null;
  /** From sending the request to the provider until the first token, reasoning included. */
  ttftMs: number | null;
  /** From sending the request until the first answer token after any reasoning. */
  ttfaMs: number | null;
  /** The answer streaming time: from the first answer token until the answer ended. */
  answerMs: number | null;
  /** From sending the request until the answer ended. */
  latencyMs: number | null;
  /**
   * `answerTokens` divided by the answer streaming time (`answerMs`) in seconds, so reasoning and
   * the wait for the first token do not count. Null when either is unknown or the time is under
   * 1 ms, as when the whole answer arrived in one read.
   */
  tokensPerSecond: number | null;
  /**
   * Dollars at the config's prices when the comparison ran: prompt tokens at the input price,
   * completion tokens (reasoning included) at the output price. Null when the usage or a price
   * needed is unknown.
   */
  cost: number | null;
  finishReason: ChatFinishReason | null;
  /** The provider's own finish reason, such as `end_turn`, or null. */
  providerFinishReason: string | null;
  error: ChatMessageError | null;
  /** The user's rating from 1 to 5, or null when unrated. */
  rating: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A comparison with every result in slot order. */
export interface ApiComparison {
  id: number;
  /** The prompt as sent, with its variables filled. */
  prompt: string;
  /** The prompt as written, with `{{variables}}`, or null when it had none. */
  promptTemplate: string | null;
  /** The variable values given, or null when there were none. */
  variables: Record<string, string> | null;
  /** The result the user picked as the best answer, or null. */
  bestResultId: number | null;
  results: ApiComparisonResult[];
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/compare` without streaming, `GET /api/compare/:id`, and the stop and pick routes. */
export interface ComparisonResponse {
  comparison: ApiComparison;
}

/** One slot as the history list shows it. */
export interface ComparisonSlotSummary {
  slot: number;
  resultId: number;
  modelConfigName: string;
  status: ComparisonResultStatus;
  rating: number | null;
}

/** A comparison in the history list, without the answers. */
export interface ComparisonSummary {
  id: number;
  /** The prompt as sent, cut to its first 200 characters. */
  prompt: string;
  bestResultId: number | null;
  slots: ComparisonSlotSummary[];
  createdAt: string;
}

/**
 * `GET /api/compare?q=&page=&pageSize=`: your comparisons, newest first. `q` matches part of the
 * prompt, ignoring case. `page` starts at 1, and `pageSize` is 1 to 200 (default 50).
 */
export interface ComparisonListResponse {
  comparisons: ComparisonSummary[];
  total: number;
  page: number;
  pageSize: number;
}

/** `PUT /api/compare/:id/best`: the result to mark as the best answer, or null to clear it. */
export interface PickBestRequest {
  resultId: number | null;
}

/** `PUT /api/compare/:id/results/:resultId/rating`: 1 to 5, or null to clear the rating. */
export interface RateResultRequest {
  rating: number | null;
}

/** `PUT /api/compare/:id/results/:resultId/rating` returns the result as stored. */
export interface ComparisonResultResponse {
  result: ApiComparisonResult;
}

/**
 * `POST /api/compare/:id/stop`: aborts the slots still answering, or only `slot` when given,
 * waits until their partial answers are stored, and returns the comparison.
 */
export interface StopComparisonRequest {
  slot?: number;
}

/** The export formats of `GET /api/compare/:id/export?format=`. */
export const COMPARE_EXPORT_FORMATS = ['md', 'json'] as const;
export type CompareExportFormat = (typeof COMPARE_EXPORT_FORMATS)[number];

/** The body of a `format=json` export: every stored field of the comparison and its results. */
export interface ComparisonExport {
  /** The version of this shape, raised when a field changes meaning. */
  exportVersion: 1;
  exportedAt: string;
  comparison: ApiComparison;
}

/**
 * The server-sent events of a streamed comparison, by event type. Each frame is `event: <type>`
 * and `data: <JSON>`. The stream opens with one `start` per slot in slot order. Then the slots'
 * `reasoning`, `content` and `usage` events interleave as the models produce them, and each slot
 * ends with exactly one `done` or `error`. A final `complete` comes last. A comment line
 * (`:keep-alive`) arrives after 15 seconds without an event. Problems found before the stream
 * starts (validation, a config not found or disabled) are ordinary JSON error responses instead.
 */
export interface CompareStreamEvents {
  /** A slot's result, stored with status `streaming`. */
  start: { comparisonId: number; slot: number; result: ApiComparisonResult };
  reasoning: { slot: number; resultId: number; text: string };
  content: { slot: number; resultId: number; text: string };
  /** The token counts so far. The last one is final. */
  usage: { slot: number; resultId: number; usage: ChatUsage };
  /** The slot ended normally or was stopped. `result` is stored, with its metrics. */
  done: {
    slot: number;
    resultId: number;
    status: 'complete' | 'stopped';
    result: ApiComparisonResult;
  };
  /** The provider or the server failed for this slot; the other slots go on. */
  error: { slot: number; resultId: number; error: ChatMessageError; result: ApiComparisonResult };
  /** Every slot has ended; `comparison` is stored with all its results. */
  complete: { comparisonId: number; comparison: ApiComparison };
}

export type CompareStreamEventType = keyof CompareStreamEvents;

/** One parsed compare event, discriminated by `type`. */
export type CompareStreamEvent = {
  [K in CompareStreamEventType]: { type: K; data: CompareStreamEvents[K] };
}[CompareStreamEventType];

export const COMPARE_STREAM_EVENT_TYPES: readonly CompareStreamEventType[] = [
  'start',
  'reasoning',
  'content',
  'usage',
  'done',
  'error',
  'complete',
];
