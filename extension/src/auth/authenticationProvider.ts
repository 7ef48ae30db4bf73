import * as vscode from 'vscode';
import type { ApiUser } from '../../../shared/src/api/users.js';
import type { ApiClient } from '../api/client.js';
import type { Logger } from '../log.js';
import type { SessionStore } from './sessionStore.js';
import { promptSignIn } from './signIn.js';

export const AUTH_PROVIDER_ID = 'llmWorkbench';
export const AUTH_PROVIDER_LABEL = 'LLM Workbench';

/**
 * Exposes the LLM Workbench session through VS Code's authentication API, so the account shows in
 * the Accounts menu and other code requests it with `vscode.authentication.getSession`.
 */
export class WorkbenchAuthenticationProvider
  implements vscode.AuthenticationProvider, vscode.Disposable
{
  private readonly changed =
    new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private current: vscode.AuthenticationSession | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      this.changed,
      vscode.authentication.registerAuthenticationProvider(
        AUTH_PROVIDER_ID,
        AUTH_PROVIDER_LABEL,
        this,
        {
          supportsMultipleAccounts: false,
        },
      ),
      store.onDidChange((change) => {
        const previous = this.current;
        if (change.kind === 'signedIn' || change.kind === 'refreshed') {
          this.current = toSession(this.store.serverUrl(), change.user, this.store.accessToken());
          this.changed.fire({
            added: previous === undefined ? [this.current] : [],
            removed: [],
            changed: previous === undefined ? [] : [this.current],
          });
        } else {
          this.current = undefined;
          this.changed.fire({
            added: [],
            removed: previous === undefined ? [] : [previous],
            changed: [],
          });
        }
      }),
    );
  }

  /** Returns the session, restoring it from SecretStorage with a refresh in a new window. */
  async getSessions(): Promise<vscode.AuthenticationSession[]> {
    if (this.current !== undefined) {
      return [this.current];
    }
    const user = await this.store.user();
    if (user === undefined) {
      return [];
    }
    this.current = toSession(this.store.serverUrl(), user, this.store.accessToken());
    return [this.current];
  }

  async createSession(): Promise<vscode.AuthenticationSession> {
    const signedIn = await promptSignIn(this.store, this.log);
    if (signedIn === undefined) {
      throw new vscode.CancellationError();
    }
    return toSession(this.store.serverUrl(), signedIn, this.store.accessToken());
  }

  /**
   * Signs out: revokes the refresh token on the server, then clears the session here. Returns
   * false when the server could not be reached, so its session lives on until it expires.
   */
  async signOut(): Promise<boolean> {
    const refreshToken = await this.store.refreshToken();
    let revoked = true;
    if (refreshToken !== undefined) {
      try {
        await this.client.request('POST', '/api/auth/logout', {
          anonymous: true,
          body: { refreshToken },
        });
      } catch (error) {
        revoked = false;
        this.log.warn(
          'Sign-out could not reach the server; the session is forgotten here only',
          error,
        );
      }
    }
    await this.store.signOut();
    return revoked;
  }

  /** Sign-out from the Accounts menu. */
  async removeSession(): Promise<void> {
    await this.signOut();
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

function toSession(
  serverUrl: string,
  user: ApiUser,
  accessToken: string | undefined,
): vscode.AuthenticationSession {
  return {
    id: `${serverUrl}#${user.id}`,
    accessToken: accessToken ?? '',
    account: { id: String(user.id), label: `${user.nickname} (${new URL(serverUrl).host})` },
    scopes: [],
  };
}
