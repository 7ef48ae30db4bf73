/**
 * Messages between the compare panel's host (the extension) and its webview. The webview holds no
 * token: it asks the host, which calls the server and relays a streamed comparison as
 * `slotStart`, coalesced `slotDelta` batches, `slotUsage`, one `slotEnd` per slot and `complete`.
 */
import type { ChatUsage } from '../api/chat.js';
import type {
  ApiComparison,
  ApiComparisonResult,
  CompareExportFormat,
  CompareSlotRequest,
} from '../api/compare.js';
import type { CommonHostMessage, CommonWebviewMessage } from './webview.js';

/** An enabled model config as a column's model picker lists it. */
export interface CompareModelOption {
  id: number;
  displayName: string;
  providerName: string;
  modelId: string;
}

/** A saved system prompt that a column's system-prompt picker offers. */
export interface CompareSystemPromptOption {
  id: number;
  name: string;
  content: string;
}

// Host to webview.

/** The account state; a signed-out webview shows a Sign In button instead of the columns. */
export interface CompareInitMessage {
  type: 'init';
  signedIn: boolean;
}

export interface CompareModelsMessage {
  type: 'models';
  models: CompareModelOption[];
}

/**
 * The saved system prompts for the pickers. The list is empty until the server has a prompt
 * library, and the webview shows the picker only when the list has entries.
 */
export interface CompareSystemPromptsMessage {
  type: 'systemPrompts';
  prompts: CompareSystemPromptOption[];
}

/** A whole comparison to show, from the history or after a reload, replacing the one shown. */
export interface CompareShowMessage {
  type: 'comparison';
  comparison: ApiComparison;
}

/** A slot started: its result is stored with status `streaming`. */
export interface CompareSlotStartMessage {
  type: 'slotStart';
  comparisonId: number;
  result: ApiComparisonResult;
}

/** Text of one slot that arrived since the previous delta; either part may be empty. */
export interface CompareSlotDeltaMessage {
  type: 'slotDelta';
  comparisonId: number;
  slot: number;
  reasoning: string;
  content: string;
}

export interface CompareSlotUsageMessage {
  type: 'slotUsage';
  comparisonId: number;
  slot: number;
  usage: ChatUsage;
}

/** A slot ended (complete, stopped or failed); `result` is stored, with its metrics. */
export interface CompareSlotEndMessage {
  type: 'slotEnd';
  comparisonId: number;
  result: ApiComparisonResult;
}

/** Every slot ended; `comparison` is stored with all its results. */
export interface CompareCompleteMessage {
  type: 'complete';
  comparison: ApiComparison;
}

/** Whether a comparison is running, which disables Send and enables Stop. */
export interface CompareBusyMessage {
  type: 'busy';
  busy: boolean;
}

/** A failure or a confirmation to show in the panel. */
export interface CompareNoticeMessage {
  type: 'notice';
  level: 'error' | 'info';
  message: string;
}

export type CompareHostMessage =
  | CompareInitMessage
  | CompareModelsMessage
  | CompareSystemPromptsMessage
  | CompareShowMessage
  | CompareSlotStartMessage
  | CompareSlotDeltaMessage
  | CompareSlotUsageMessage
  | CompareSlotEndMessage
  | CompareCompleteMessage
  | CompareBusyMessage
  | CompareNoticeMessage
  | CommonHostMessage;

// Webview to host.

/** Runs a comparison: the prompt with its `{{variables}}` filled, on each picked column. */
export interface CompareRunRequest {
  type: 'run';
  prompt: string;
  variables: Record<string, string>;
  slots: CompareSlotRequest[];
}

/** Stops the running comparison; the partial answers are kept. */
export interface CompareStopRequest {
  type: 'stop';
}

/** Puts text on the clipboard through VS Code, which works where the webview's own cannot. */
export interface CompareCopyRequest {
  type: 'copy';
  text: string;
}

/** Asks where to save the comparison, then writes the server's export there. */
export interface CompareExportRequest {
  type: 'export';
  comparisonId: number;
  format: CompareExportFormat;
}

/** Marks a result as the best answer, or clears the pick with null. */
export interface ComparePickBestRequest {
  type: 'pickBest';
  comparisonId: number;
  resultId: number | null;
}

/** Rates a result from 1 to 5, or clears its rating with null. */
export interface CompareRateRequest {
  type: 'rate';
  comparisonId: number;
  resultId: number;
  rating: number | null;
}

/** Buttons that need no argument; `openHistory` lists past comparisons in a quick pick. */
export interface CompareActionRequest {
  type: 'openHistory' | 'refreshModels' | 'signIn';
}

export type CompareWebviewMessage =
  | CompareRunRequest
  | CompareStopRequest
  | CompareCopyRequest
  | CompareExportRequest
  | ComparePickBestRequest
  | CompareRateRequest
  | CompareActionRequest
  | CommonWebviewMessage;

/** One column's picks as the webview saves them. */
export interface CompareColumnState {
  modelConfigId: number | null;
  systemPrompt: string;
}

/**
 * What the compare webview saves with `setState`. VS Code hands it to the panel serializer after
 * a reload, which shows `comparisonId` again.
 */
export interface CompareWebviewState {
  prompt: string;
  /** Values typed for the prompt's variables, by name. */
  variables: Record<string, string>;
  columns: CompareColumnState[];
  /** The comparison shown, or null for none. */
  comparisonId: number | null;
}
