// Chat sessions and messages: the JSON bodies of `/api/chat/...` and the server-sent events a
// streamed answer arrives as. The server and the extension's chat webview both import these.

/**
 * Why the model stopped, normalised across providers. `aborted` means the answer was stopped.
 * `length` also ends an answer that reached the server's CHAT_MAX_ANSWER_CHARS (content and
 * reasoning together, 1,000,000 characters by default): the server aborts the provider request
 * and keeps the text up to the limit.
 */
export type ChatFinishReason =
  'stop' | 'length' | 'content_filter' | 'tool_calls' | 'aborted' | 'error';

/**
 * The state of a message. A user message is always `complete`. An assistant message is
 * `streaming` while its answer arrives, then `complete`, `stopped` (by the stop route or a client
 * that went away, keeping the partial answer) or `error` (the provider failed, as `error` says).
 */
export type ChatMessageStatus = 'streaming' | 'complete' | 'stopped' | 'error';

export type ChatRole = 'user' | 'assistant';

/** Token counts the provider reported. Reasoning tokens are part of the completion tokens. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/** A failed answer: the provider client's failure kind and a message to show. */
export interface ChatMessageError {
  /**
   * The failure kind: `auth`, `rate_limited`, `not_found`, `bad_request`, `server`,
   * `unreachable`, `tls`, `timeout`, `malformed`, `dropped`, or `internal` for a server fault.
   */
  code: string;
  message: string;
  /** The provider's HTTP status, when it answered with one. */
  status?: number;
  /** The provider's own error text, when it sent one. */
  providerMessage?: string;
  /** How long the provider asked to wait before retrying, from its Retry-After header. */
  retryAfterMs?: number;
}

/**
 * A reasoning block of an assistant answer, as the provider sent it. Anthropic signs each
 * thinking block and expects it back unchanged in later turns. A redacted block is opaque data.
 * Only the JSON export returns these, because messages carry the reasoning as text.
 */
export type ChatReasoningBlock =
  { type: 'thinking'; text: string; signature: string | null } | { type: 'redacted'; data: string };

/** A message as the API returns it. Durations are milliseconds, and null means not measured. */
export interface ApiChatMessage {
  id: number;
  sessionId: number;
  role: ChatRole;
  content: string;
  /** The reasoning the model showed before or while answering, or null when it showed none. */
  reasoning: string | null;
  status: ChatMessageStatus;
  /** Assistant messages: the model config that answered, null once that config is deleted. */
  modelConfigId: number | null;
  /** Assistant messages: the provider's model id that answered, kept after a config is deleted. */
  modelId: string | null;
  /** Assistant messages: whether the answer was sent to the client as server-sent events. */
  streamed: boolean;
  usage: ChatUsage | null;
  /** From sending the request to the provider until the first token, reasoning included. */
  ttftMs: number | null;
  /** From sending the request until the first answer token after any reasoning. */
  ttfaMs: number | null;
  /** From sending the request until the answer ended. */
  latencyMs: number | null;
  finishReason: ChatFinishReason | null;
  error: ChatMessageError | null;
  createdAt: string;
}

/** A chat session as the API returns it. */
export interface ApiChatSession {
  id: number;
  /** Null until the first message names the session (its first line, cut to 60 characters). */
  title: string | null;
  /** The model config that answers, or null once that config is deleted. */
  modelConfigId: number | null;
  /** The config's display name, or null when the config is gone. */
  modelConfigName: string | null;
  /** The prompt library entry the system prompt came from, when one was named. */
  systemPromptId: number | null;
  /** The system prompt text sent with every request, or null for none. */
  systemPrompt: string | null;
  messageCount: number;
  /** When the last message was added, or the creation time of an empty session. */
  lastMessageAt: string;
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/chat/sessions`, answered with 201 `{session}`. */
export interface CreateChatSessionRequest {
  modelConfigId: number;
  /** One line of at most 191 characters. Left out, the first message names the session. */
  title?: string;
  systemPromptId?: number;
  /** System prompt text of at most 100,000 characters. */
  systemPrompt?: string;
}

/** `PUT /api/chat/sessions/:id` takes any subset of the fields and returns `{session}`. */
export interface UpdateChatSessionRequest {
  title?: string;
  modelConfigId?: number;
  /** Null removes the system prompt. */
  systemPrompt?: string | null;
  systemPromptId?: number | null;
}

/**
 * `GET /api/chat/sessions?q=&page=&pageSize=`: sessions ordered by `lastMessageAt`, newest
 * first. `q` matches part of the title, ignoring case. `page` starts at 1, and `pageSize` is 1 to 200
 * (default 50).
 */
export interface ChatSessionListResponse {
  sessions: ApiChatSession[];
  total: number;
  page: number;
  pageSize: number;
}

/** `GET /api/chat/sessions/:id`. */
export interface ChatSessionResponse {
  session: ApiChatSession;
}

/** `GET /api/chat/sessions/:id/messages`: every message of the session, oldest first. */
export interface ChatMessageListResponse {
  messages: ApiChatMessage[];
  total: number;
}

/**
 * `POST /api/chat/sessions/:id/messages`. The answer streams as server-sent events when
 * `stream` is true, and comes as one `SendChatMessageResponse` when it is false: an explicit
 * `stream` wins over the Accept header. Without `stream`, the answer streams when the Accept
 * header names `text/event-stream` with a non-zero quality, and is one JSON body otherwise.
 * A user may have CHAT_MAX_ANSWERS_PER_USER answers running at once (8 by default); one more
 * gets 429 `too_many_answers`. A stream whose client reads nothing for CHAT_WRITE_TIMEOUT_MS
 * (60 seconds by default) is closed, and the answer is stored as stopped.
 */
export interface SendChatMessageRequest {
  /** The message: 1 to 1,000,000 characters, not only whitespace, in a body of at most 1 MiB. */
  content: string;
  stream?: boolean;
}

/**
 * The JSON answer of a message or a regeneration that was not streamed. A provider failure still
 * returns 200 here, with the assistant message's `status` `error` and its `error` set.
 */
export interface SendChatMessageResponse {
  userMessage: ApiChatMessage;
  assistantMessage: ApiChatMessage;
  /** The session after the message, with its new title when the first message named it. */
  session: ApiChatSession;
}

/**
 * `POST /api/chat/sessions/:id/regenerate` (the last answer) and
 * `POST /api/chat/sessions/:id/messages/:messageId/regenerate` (that answer, which must be the
 * session's last message). The old answer is deleted and a new one is streamed or returned as a
 * `SendChatMessageResponse`, under the same rules as sending. When the last message is a user
 * message without an answer, it is answered.
 */
export interface RegenerateRequest {
  stream?: boolean;
}

/**
 * `POST /api/chat/sessions/:id/messages/:messageId/stop`: aborts the provider request of an
 * answer that is streaming and returns the answer as stored, `stopped` with its partial content.
 * Stopping an answer that already ended returns it unchanged.
 */
export interface StopMessageResponse {
  message: ApiChatMessage;
}

/**
 * `DELETE /api/chat/sessions/:id/messages/:messageId`. Deleting an answer stops it first when it
 * is still streaming. Deleting a user message also deletes the answers that follow it, up to the
 * next user message, so that no answer is left without its question. While one of those answers
 * is being generated, the request gets 409 `answer_in_progress`. The response lists every id
 * deleted, oldest first, so a client can drop them all from its view.
 */
export interface DeleteMessageResponse {
  deletedMessageIds: number[];
}

/** The export formats of `GET /api/chat/sessions/:id/export?format=`. */
export const CHAT_EXPORT_FORMATS = ['txt', 'md', 'json'] as const;
export type ChatExportFormat = (typeof CHAT_EXPORT_FORMATS)[number];

/** The body of a `format=json` export: every stored field of the session and its messages. */
export interface ChatExport {
  /** The version of this shape, raised when a field changes meaning. */
  exportVersion: 1;
  exportedAt: string;
  session: ApiChatSession;
  messages: (ApiChatMessage & {
    reasoningBlocks: ChatReasoningBlock[];
    /** The provider's own finish reason, such as `end_turn`, or null. */
    providerFinishReason: string | null;
  })[];
}

/** The fit of the history sent with a request into the model's context window. */
export interface ChatHistoryInfo {
  /** Messages sent, the new user message included. */
  sentMessages: number;
  /** Oldest turns (a user message with its answers) left out to fit the context window. */
  trimmedTurns: number;
  /**
   * Earlier turns left out because none of their answers can be sent: each answer failed, is
   * empty, or was deleted. The user message of such a turn is left out with it, so that the
   * history never contains two user messages in a row. The message being answered is always sent.
   */
  skippedTurns: number;
  /**
   * Tokens of the system prompt and messages sent, estimated as characters / 4. It is an
   * estimate: real counts depend on the model's tokenizer.
   */
  estimatedTokens: number;
  /**
   * Tokens the prompt may take: the model's context length minus the config's maxTokens, or null
   * when the context length is unknown, in which case nothing is trimmed.
   */
  budgetTokens: number | null;
}

/**
 * The server-sent events of a streamed answer, by event type. Each frame is `event: <type>` and
 * `data: <JSON>`. A stream is `start`, then `reasoning` and `content` in the order the model
 * produced them, `usage` when the provider reports it, and exactly one `done` or `error` last.
 * A comment line (`:keep-alive`) arrives every 15 seconds while nothing else is sent. Problems
 * found before the stream starts (validation, not found, a disabled config) are ordinary JSON
 * error responses with their HTTP status instead.
 */
export interface ChatStreamEvents {
  start: {
    sessionId: number;
    /** The user message being answered, already stored. */
    userMessage: ApiChatMessage;
    /** The answer, stored with status `streaming`. Its id is the one to stop. */
    assistantMessage: ApiChatMessage;
    /** Regeneration only: the id of the answer that this one replaces, now deleted. */
    replacedMessageId: number | null;
    /** The session's title after this message; the first message names an untitled session. */
    sessionTitle: string | null;
    /** Same as `history.trimmedTurns`. */
    trimmedTurns: number;
    history: ChatHistoryInfo;
  };
  /** A piece of reasoning text. */
  reasoning: { messageId: number; text: string };
  /** A piece of the answer text. */
  content: { messageId: number; text: string };
  /** The token counts so far. The last one is final. */
  usage: { messageId: number; usage: ChatUsage };
  /** The answer ended normally or was stopped. `message` is the answer as stored. */
  done: {
    messageId: number;
    status: 'complete' | 'stopped';
    finishReason: ChatFinishReason;
    ttftMs: number | null;
    ttfaMs: number | null;
    latencyMs: number;
    usage: ChatUsage | null;
    message: ApiChatMessage;
  };
  /**
   * The provider or the server failed. `message` is the answer as stored, status `error`: when
   * the database rejected the answer itself, as MySQL does past 16 MiB, its content is what was
   * stored before, usually empty, and `error` says so.
   */
  error: { messageId: number; error: ChatMessageError; message: ApiChatMessage };
}

export type ChatStreamEventType = keyof ChatStreamEvents;

/** One parsed chat event, discriminated by `type`. */
export type ChatStreamEvent = {
  [K in ChatStreamEventType]: { type: K; data: ChatStreamEvents[K] };
}[ChatStreamEventType];

export const CHAT_STREAM_EVENT_TYPES: readonly ChatStreamEventType[] = [
  'start',
  'reasoning',
  'content',
  'usage',
  'done',
  'error',
];

/** Characters of the first message's first line that become a session's title. */
export const CHAT_TITLE_LENGTH = 60;
