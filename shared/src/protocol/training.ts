/**
 * Messages between the training panels' host (the extension) and their webviews: the task form,
 * which creates a task, and the monitor, which follows one task live. The webviews hold no token:
 * the host calls the server and relays the task's event stream, already free of duplicates.
 */
import type { DatasetSchema } from '../datasets/types.js';
import type {
  ApiTrainingHostChoice,
  ApiTrainingMetric,
  ApiTrainingTask,
  CreateTrainingTaskRequest,
  TrainingDefaultsResponse,
  TrainingStatus,
} from '../api/training.js';
import type { CommonHostMessage, CommonWebviewMessage } from './webview.js';

// The task form.

/** A dataset the form offers. */
export interface TrainingFormDataset {
  id: number;
  name: string;
  schema: DatasetSchema;
  recordCount: number;
  /** Records the validation rejected; the server refuses to train on a dataset with errors. */
  invalidCount: number;
}

/** The form's choices and the server's parameter defaults, explanations and ranges. */
export interface TrainingFormInitMessage {
  type: 'init';
  signedIn: boolean;
  /** Null when signed out. */
  defaults: TrainingDefaultsResponse | null;
  datasets: TrainingFormDataset[];
  hosts: ApiTrainingHostChoice[];
}

/** Fresh dataset and host lists, after the user asked to reload them. */
export interface TrainingFormChoicesMessage {
  type: 'choices';
  datasets: TrainingFormDataset[];
  hosts: ApiTrainingHostChoice[];
}

/**
 * The server rejected the request. `fieldErrors` maps a form field (`name`, `baseModel`,
 * `datasetId`, `gpuHostId` or `parameters.<name>`) to the server's message for it; `message` is
 * the whole error, shown above the buttons.
 */
export interface TrainingFormRejectedMessage {
  type: 'rejected';
  message: string;
  fieldErrors: Record<string, string>;
}

/** Whether a submission is in flight; the buttons are disabled meanwhile. */
export interface TrainingFormBusyMessage {
  type: 'busy';
  busy: boolean;
}

export type TrainingFormHostMessage =
  | TrainingFormInitMessage
  | TrainingFormChoicesMessage
  | TrainingFormRejectedMessage
  | TrainingFormBusyMessage
  | CommonHostMessage;

/** Creates the task; with `start`, starts it too. The host closes the form when both worked. */
export interface TrainingFormSubmitRequest {
  type: 'submit';
  request: CreateTrainingTaskRequest;
  start: boolean;
}

export interface TrainingFormReloadChoicesRequest {
  type: 'reloadChoices';
}

export interface TrainingFormCancelRequest {
  type: 'cancel';
}

export interface TrainingFormSignInRequest {
  type: 'signIn';
}

export type TrainingFormWebviewMessage =
  | TrainingFormSubmitRequest
  | TrainingFormReloadChoicesRequest
  | TrainingFormCancelRequest
  | TrainingFormSignInRequest
  | CommonWebviewMessage;

/** What the form saves with `setState`: every field as typed, so a hidden form comes back. */
export interface TrainingFormState {
  values: Record<string, string>;
}

// The monitor.

/** The state of the host's connection to the task's event stream. */
export type MonitorConnection =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; retryInMs: number; reason: string }
  /** The task finished, so the stream ended for good. */
  | { state: 'ended' };

/** Another task whose curves are drawn over the monitored task's, for comparison. */
export interface MonitorOverlay {
  taskId: number;
  name: string;
  metrics: ApiTrainingMetric[];
}

/** A task the user can pick as an overlay. */
export interface MonitorOverlayCandidate {
  taskId: number;
  name: string;
  status: TrainingStatus;
}

/** Everything the monitor shows; sent on `ready` and whenever the host starts over. */
export interface MonitorInitMessage {
  type: 'init';
  signedIn: boolean;
  task: ApiTrainingTask | null;
  /** The dataset's and host's names, when the host could read them. */
  datasetName: string | null;
  hostName: string | null;
  /** In step order, one record per step. */
  metrics: ApiTrainingMetric[];
  /** The end of train.log that the host holds, oldest first. */
  logLines: string[];
  /** True when older lines were dropped from `logLines`. */
  logTruncated: boolean;
  connection: MonitorConnection;
  overlays: MonitorOverlay[];
}

/** The task changed: status, progress, exit code or error tail. */
export interface MonitorTaskMessage {
  type: 'task';
  task: ApiTrainingTask;
}

/**
 * New or changed trainer records of the monitored task. A record replaces the one of the same
 * step, as when an evaluation loss is added to a step's record.
 */
export interface MonitorMetricsMessage {
  type: 'metrics';
  metrics: ApiTrainingMetric[];
}

/** Lines appended to train.log. `gap` is true when lines may be missing before these. */
export interface MonitorLogMessage {
  type: 'log';
  lines: string[];
  gap: boolean;
}

export interface MonitorConnectionMessage {
  type: 'connection';
  connection: MonitorConnection;
}

/** The overlays drawn now, after one was added or removed. */
export interface MonitorOverlaysMessage {
  type: 'overlays';
  overlays: MonitorOverlay[];
}

/** The tasks the user may overlay, in answer to `listOverlayCandidates`. */
export interface MonitorOverlayCandidatesMessage {
  type: 'overlayCandidates';
  candidates: MonitorOverlayCandidate[];
}

/** The report as Markdown from the server, or why it could not be read. */
export interface MonitorReportMessage {
  type: 'report';
  markdown: string | null;
  error: string | null;
}

export interface MonitorNoticeMessage {
  type: 'notice';
  level: 'error' | 'info';
  message: string;
}

export type MonitorHostMessage =
  | MonitorInitMessage
  | MonitorTaskMessage
  | MonitorMetricsMessage
  | MonitorLogMessage
  | MonitorConnectionMessage
  | MonitorOverlaysMessage
  | MonitorOverlayCandidatesMessage
  | MonitorReportMessage
  | MonitorNoticeMessage
  | CommonHostMessage;

export interface MonitorListOverlayCandidatesRequest {
  type: 'listOverlayCandidates';
}

export interface MonitorAddOverlayRequest {
  type: 'addOverlay';
  taskId: number;
}

export interface MonitorRemoveOverlayRequest {
  type: 'removeOverlay';
  taskId: number;
}

export interface MonitorLoadReportRequest {
  type: 'loadReport';
}

/** Saves the log lines the webview shows (after its level filter) to a file the user picks. */
export interface MonitorExportLogRequest {
  type: 'exportLog';
  lines: string[];
}

/** Runs a task command on the monitored task, with the same confirmations as the view. */
export interface MonitorTaskActionRequest {
  type: 'taskAction';
  action: 'start' | 'stop' | 'resume' | 'openReport';
}

export interface MonitorSignInRequest {
  type: 'signIn';
}

export type MonitorWebviewMessage =
  | MonitorListOverlayCandidatesRequest
  | MonitorAddOverlayRequest
  | MonitorRemoveOverlayRequest
  | MonitorLoadReportRequest
  | MonitorExportLogRequest
  | MonitorTaskActionRequest
  | MonitorSignInRequest
  | CommonWebviewMessage;

/** Log levels the monitor filters by. */
export const MONITOR_LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type MonitorLogLevel = (typeof MONITOR_LOG_LEVELS)[number];

/** What the monitor saves with `setState`; the serializer reopens the task after a reload. */
export interface MonitorState {
  taskId: number;
  /** EMA weight from 0 (raw values) to 0.99. */
  smoothing: number;
  tab: 'charts' | 'log' | 'report';
  /** Levels the log shows. */
  levels: MonitorLogLevel[];
  follow: boolean;
}
