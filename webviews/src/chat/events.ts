/** The events the chat elements send up to `chat-app`, by name, with their detail. */
export interface ChatEventDetails {
  'message-action': { action: 'copy' | 'regenerate' | 'delete'; messageId: number };
  'copy-text': { text: string };
  'session-open': { sessionId: number };
  'session-new': Record<string, never>;
  'session-rename': { sessionId: number; title: string };
  'session-delete': { sessionId: number };
  'session-search': { query: string };
  'session-more': Record<string, never>;
  'composer-send': { content: string };
  'composer-stop': Record<string, never>;
  'composer-input': { content: string };
}

export type ChatEventName = keyof ChatEventDetails;

/** Dispatches a chat event that bubbles out of shadow roots. */
export function emit<Name extends ChatEventName>(
  target: EventTarget,
  name: Name,
  detail: ChatEventDetails[Name],
): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'message-action': CustomEvent<ChatEventDetails['message-action']>;
    'copy-text': CustomEvent<ChatEventDetails['copy-text']>;
    'session-open': CustomEvent<ChatEventDetails['session-open']>;
    'session-new': CustomEvent<ChatEventDetails['session-new']>;
    'session-rename': CustomEvent<ChatEventDetails['session-rename']>;
    'session-delete': CustomEvent<ChatEventDetails['session-delete']>;
    'session-search': CustomEvent<ChatEventDetails['session-search']>;
    'session-more': CustomEvent<ChatEventDetails['session-more']>;
    'composer-send': CustomEvent<ChatEventDetails['composer-send']>;
    'composer-stop': CustomEvent<ChatEventDetails['composer-stop']>;
    'composer-input': CustomEvent<ChatEventDetails['composer-input']>;
  }
}
