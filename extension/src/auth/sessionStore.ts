import * as vscode from 'vscode';
import type { ApiUser, TokenResponse } from '../../../shared/src/api/users.js';
import type { SessionTokens } from '../api/client.js';

const SECRET_KEY = 'llmWorkbench.session';

/** Session data kept in SecretStorage between windows; it never includes the access token. */
interface StoredSession {
  serverUrl: string;
  refreshToken: string;
  user: ApiUser;
}

/** A session change and its cause, for listeners that show a message. */
export type SessionChange =
  | { kind: 'signedIn'; user: ApiUser }
  | { kind: 'refreshed'; user: ApiUser }
  | { kind: 'signedOut' }
  | { kind: 'expired'; reason: string };

/**
 * The signed-in session. The refresh token lives in SecretStorage; the access token only in
 * memory, so a new window starts by refreshing.
 */
export class SessionStore implements SessionTokens, vscode.Disposable {
  private access: string | undefined;
  private stored: StoredSession | undefined;
  private loaded: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<SessionChange>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Returns the server of the session, or the configured server when signed out. */
  serverUrl(): string {
    return this.stored?.serverUrl ?? configuredServerUrl();
  }

  accessToken(): string | undefined {
    return this.access;
  }

  /**
   * Replaces the in-memory access token without touching the stored session. The in-host tests
   * use it to stand in for an access token that expired.
   */
  replaceAccessTokenForTests(token: string): void {
    this.access = token;
  }

  async refreshToken(): Promise<string | undefined> {
    await this.load();
    return this.stored?.refreshToken;
  }

  /** Returns the signed-in user, read from SecretStorage on first use. */
  async user(): Promise<ApiUser | undefined> {
    await this.load();
    return this.stored?.user;
  }

  /** Starts a session after sign-in. */
  async signIn(serverUrl: string, session: TokenResponse): Promise<void> {
    await this.save(serverUrl, session);
    this.changed.fire({ kind: 'signedIn', user: session.user });
  }

  async update(session: TokenResponse): Promise<void> {
    await this.save(this.serverUrl(), session);
    this.changed.fire({ kind: 'refreshed', user: session.user });
  }

  async expire(reason: string): Promise<void> {
    const hadSession = this.stored !== undefined;
    await this.clear();
    if (hadSession) {
      this.changed.fire({ kind: 'expired', reason });
    }
  }

  async signOut(): Promise<void> {
    await this.clear();
    this.changed.fire({ kind: 'signedOut' });
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async save(serverUrl: string, session: TokenResponse): Promise<void> {
    if (session.refreshToken === undefined) {
      throw new Error('The server sent no refresh token; it must support body token delivery.');
    }
    this.access = session.accessToken;
    this.stored = { serverUrl, refreshToken: session.refreshToken, user: session.user };
    await Promise.resolve(this.secrets.store(SECRET_KEY, JSON.stringify(this.stored)));
  }

  private async clear(): Promise<void> {
    this.access = undefined;
    this.stored = undefined;
    await Promise.resolve(this.secrets.delete(SECRET_KEY));
  }

  private load(): Promise<void> {
    this.loaded ??= Promise.resolve(this.secrets.get(SECRET_KEY)).then((text) => {
      if (text === undefined || this.stored !== undefined) {
        return;
      }
      try {
        this.stored = JSON.parse(text) as StoredSession;
      } catch {
        this.stored = undefined;
      }
    });
    return this.loaded;
  }
}

/** Returns the `llmWorkbench.serverUrl` setting, or the default when it is empty. */
export function configuredServerUrl(): string {
  const value = vscode.workspace.getConfiguration('llmWorkbench').get<string>('serverUrl');
  return value === undefined || value.trim() === '' ? 'http://127.0.0.1:8000' : value.trim();
}
