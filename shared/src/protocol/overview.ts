import type { ApiUser } from '../api/users.js';
import type { CommonHostMessage, CommonWebviewMessage } from './webview.js';

/** The server as the overview panel shows it. */
export interface ServerStatus {
  url: string;
  reachable: boolean;
  version?: string;
  database?: string;
  /** The reason the server could not be reached, when it could not. */
  error?: string;
}

/** Host to webview: the full state to render. */
export interface OverviewStateMessage {
  type: 'state';
  server: ServerStatus;
  user: ApiUser | undefined;
  checkedAt: string;
}

/** Webview to host: the buttons of the panel. */
export interface OverviewActionMessage {
  type: 'refresh' | 'signIn' | 'signOut' | 'openAdminPage';
}

export type OverviewHostMessage = OverviewStateMessage | CommonHostMessage;
export type OverviewWebviewMessage = OverviewActionMessage | CommonWebviewMessage;

/** The state the overview webview saves with `setState`, so a reload renders at once. */
export interface OverviewWebviewState {
  last?: OverviewStateMessage;
}
