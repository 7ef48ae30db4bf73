/**
 * Messages between the chat panel's host (the extension) and its webview. The webview has no
 * token, so it requests everything from the host, which calls the server and relays each streamed answer as
 * `streamStart`, coalesced `streamDelta` batches, `streamUsage` and one `streamEnd`.
 */
import type { ApiChatMessage, ApiChatSession, ChatExportFormat, ChatUsage } from '../api/chat.js';
import type { CommonHostMessage, CommonWebviewMessage } from './webview.js';

/** An enabled model config as the model picker lists it. */
export interface ChatModelOption {
  id: number;
  displayName: string;
  providerName: string;
  modelId: string;
  /** True when the config sets a reasoning effort or budget. */
  reasoning: boolean;
}

/**
 * The answer that is streaming when a conversation is sent, so a webview that was hidden or
 * reloaded mid-answer picks the stream up where it is.
 */
export interface ChatLiveAnswer {
  messageId: number;
  /** Milliseconds the model has spent reasoning so far, as the host measured it. */
  reasoningMs: number;
  /** True once the first answer token arrived, which ends the reasoning phase. */
  answering: boolean;
}

// Host to webview.

/** The view a webview shows first: a session, a new chat on a model, or null for its saved one. */
export type ChatFirstView = { sessionId: number } | { newChatModelId: number } | null;

/** The account state and what the webview should show first. */
export interface ChatInitMessage {
  type: 'init';
  signedIn: boolean;
  show: ChatFirstView;
}

/** A page of the session list, newest first, for the search text in `query`. */
export interface ChatSessionsMessage {
  type: 'sessions';
  query: string;
  sessions: ApiChatSession[];
  /** Sessions that match `query` on the server, loaded or not. */
  total: number;
  /** True when `sessions` follow the ones already shown; false when they replace them. */
  append: boolean;
}

/** The enabled model configs for the picker. */
export interface ChatModelsMessage {
  type: 'models';
  models: ChatModelOption[];
}

/** A whole conversation, which replaces the one shown. */
export interface ChatConversationMessage {
  type: 'conversation';
  session: ApiChatSession;
  /** Oldest first. A streaming answer carries the text that arrived so far. */
  messages: ApiChatMessage[];
  live: ChatLiveAnswer | null;
}

/**
 * Clears the conversation pane for a new chat on `modelConfigId`, or on the model picked last when
 * null. The session is created when the first message is sent.
 */
export interface ChatNewChatMessage {
  type: 'newChat';
  modelConfigId: number | null;
}

/** A session was created, renamed, retitled by its first message, or moved to another model. */
export interface ChatSessionChangedMessage {
  type: 'sessionChanged';
  session: ApiChatSession;
}

export interface ChatSessionRemovedMessage {
  type: 'sessionRemoved';
  sessionId: number;
}

/** Messages of a session to add or replace (matched by id) and ids to remove. */
export interface ChatMessagesChangedMessage {
  type: 'messagesChanged';
  sessionId: number;
  upsert: ApiChatMessage[];
  remove: number[];
}

/**
 * Whether the host has a request in flight for a session: a send, a regeneration or a stop.
 * `sessionId` is null for the first message of a new chat while its session is being created.
 */
export interface ChatBusyMessage {
  type: 'busy';
  sessionId: number | null;
  busy: boolean;
}

/** An answer started streaming. `replacedMessageId` is the answer a regeneration deleted. */
export interface ChatStreamStartMessage {
  type: 'streamStart';
  sessionId: number;
  userMessage: ApiChatMessage;
  assistantMessage: ApiChatMessage;
  replacedMessageId: number | null;
}

/** Text that arrived since the previous delta; either part may be empty. */
export interface ChatStreamDeltaMessage {
  type: 'streamDelta';
  sessionId: number;
  messageId: number;
  reasoning: string;
  content: string;
}

export interface ChatStreamUsageMessage {
  type: 'streamUsage';
  sessionId: number;
  messageId: number;
  usage: ChatUsage;
}

/** The answer ended (complete, stopped or failed); `message` is the answer as stored. */
export interface ChatStreamEndMessage {
  type: 'streamEnd';
  sessionId: number;
  message: ApiChatMessage;
}

/** A failure to show in the panel, such as a rejected rename or an unreachable server. */
export interface ChatNoticeMessage {
  type: 'notice';
  level: 'error' | 'info';
  message: string;
}

export type ChatHostMessage =
  | ChatInitMessage
  | ChatSessionsMessage
  | ChatModelsMessage
  | ChatConversationMessage
  | ChatNewChatMessage
  | ChatSessionChangedMessage
  | ChatSessionRemovedMessage
  | ChatMessagesChangedMessage
  | ChatBusyMessage
  | ChatStreamStartMessage
  | ChatStreamDeltaMessage
  | ChatStreamUsageMessage
  | ChatStreamEndMessage
  | ChatNoticeMessage
  | CommonHostMessage;

// Webview to host.

/** Loads the first page of sessions whose title contains `query`, or the next page. */
export interface ChatLoadSessionsRequest {
  type: 'loadSessions';
  query: string;
  /** Page to load, from 1. */
  page: number;
}

export interface ChatOpenSessionRequest {
  type: 'openSession';
  sessionId: number;
}

export interface ChatRenameSessionRequest {
  type: 'renameSession';
  sessionId: number;
  title: string;
}

/** Deletes a session once the user confirms it in VS Code's dialog. */
export interface ChatDeleteSessionRequest {
  type: 'deleteSession';
  sessionId: number;
}

export interface ChatSetModelRequest {
  type: 'setModel';
  sessionId: number;
  modelConfigId: number;
}

/** Sends a message; with `sessionId` null the host first creates a session on `modelConfigId`. */
export interface ChatSendRequest {
  type: 'send';
  sessionId: number | null;
  modelConfigId: number | null;
  content: string;
  stream: boolean;
}

/** Stops the answer that is streaming in a session. */
export interface ChatStopRequest {
  type: 'stop';
  sessionId: number;
}

/** Replaces an answer, which must be the session's last message, with a new one. */
export interface ChatRegenerateRequest {
  type: 'regenerate';
  sessionId: number;
  messageId: number;
  stream: boolean;
}

export interface ChatDeleteMessageRequest {
  type: 'deleteMessage';
  sessionId: number;
  messageId: number;
}

/** Puts text on the clipboard through VS Code, which works where the webview's own cannot. */
export interface ChatCopyRequest {
  type: 'copy';
  text: string;
}

/** Asks where to save the session in `format`, then writes the server's export there. */
export interface ChatExportRequest {
  type: 'export';
  sessionId: number;
  format: ChatExportFormat;
}

/** Buttons that need no argument. */
export interface ChatActionRequest {
  type: 'refreshModels' | 'signIn';
}

export type ChatWebviewMessage =
  | ChatLoadSessionsRequest
  | ChatOpenSessionRequest
  | ChatRenameSessionRequest
  | ChatDeleteSessionRequest
  | ChatSetModelRequest
  | ChatSendRequest
  | ChatStopRequest
  | ChatRegenerateRequest
  | ChatDeleteMessageRequest
  | ChatCopyRequest
  | ChatExportRequest
  | ChatActionRequest
  | CommonWebviewMessage;

/**
 * The state the chat webview saves with `setState`. VS Code hands it to the panel serializer after a
 * reload, which reopens `activeSessionId`.
 */
export interface ChatWebviewState {
  activeSessionId: number | null;
  /** Whether answers stream; off sends one JSON request and shows the answer when it is whole. */
  stream: boolean;
  /** The model picked last, used for a new session. */
  modelConfigId: number | null;
  /** Text typed and not yet sent, per session id, and under `new` for a chat not yet created. */
  drafts: Record<string, string>;
}
