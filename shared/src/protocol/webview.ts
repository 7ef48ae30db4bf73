/**
 * Messages every webview panel exchanges with its host, whatever the panel. Each panel adds its own
 * messages in a file beside this one and unions them with these.
 */

/** Sent by a webview once its script runs, so the host can start posting messages. */
export interface ReadyMessage {
  type: 'ready';
}

/** Sent by a webview to have the host log a failure the user saw. */
export interface WebviewErrorMessage {
  type: 'error';
  message: string;
}

/** Sent by the host when the VS Code theme changes between light, dark and high contrast. */
export interface ThemeMessage {
  type: 'theme';
  kind: 'light' | 'dark' | 'highContrast' | 'highContrastLight';
}

export type CommonWebviewMessage = ReadyMessage | WebviewErrorMessage;
export type CommonHostMessage = ThemeMessage;
