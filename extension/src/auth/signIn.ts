import * as vscode from 'vscode';
import type { ApiUser, TokenResponse } from '../../../shared/src/api/users.js';
import { ApiClient } from '../api/client.js';
import { ApiError, ServerUnreachableError } from '../api/errors.js';
import type { Logger } from '../log.js';
import { configuredServerUrl, type SessionStore } from './sessionStore.js';

/** Credentials collected from the user. */
export interface SignInInput {
  serverUrl: string;
  login: string;
  password: string;
}

/**
 * Asks for the server URL, the email or nickname and the password, signs in, and stores the
 * session. Returns undefined when the user cancels; failures are shown and logged.
 */
export function promptSignIn(store: SessionStore, log: Logger): Promise<ApiUser | undefined> {
  // One sign-in at a time: a second request while one runs waits for the same result.
  pending ??= runSignIn(store, log).finally(() => {
    pending = undefined;
  });
  return pending;
}

let pending: Promise<ApiUser | undefined> | undefined;

async function runSignIn(store: SessionStore, log: Logger): Promise<ApiUser | undefined> {
  const input = await askCredentials();
  if (input === undefined) {
    return undefined;
  }
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Signing in to {0}…', input.serverUrl),
        cancellable: true,
      },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return signIn(store, input, abort.signal);
      },
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') {
      log.info('Sign-in cancelled');
      return undefined;
    }
    log.showError(describeSignInFailure(error, input.serverUrl), error);
    return undefined;
  }
}

/** Signs in with the given credentials and stores the session; throws on failure. */
export async function signIn(
  store: SessionStore,
  input: SignInInput,
  signal?: AbortSignal,
): Promise<ApiUser> {
  const anonymous = anonymousClient(input.serverUrl);
  const session = await anonymous.request<TokenResponse>('POST', '/api/auth/login', {
    anonymous: true,
    body: { login: input.login, password: input.password, tokenDelivery: 'body' },
    ...(signal === undefined ? {} : { signal }),
  });
  // Signing in as someone else ends the previous session on its server first.
  const previousToken = await store.refreshToken();
  if (previousToken !== undefined) {
    await anonymousClient(store.serverUrl())
      .request('POST', '/api/auth/logout', {
        anonymous: true,
        body: { refreshToken: previousToken },
      })
      .catch(() => undefined);
    await store.signOut();
  }
  await store.signIn(input.serverUrl, session);
  const settings = vscode.workspace.getConfiguration('llmWorkbench');
  if (settings.get<string>('serverUrl') !== input.serverUrl) {
    await settings.update('serverUrl', input.serverUrl, vscode.ConfigurationTarget.Global);
  }
  return session.user;
}

function anonymousClient(serverUrl: string): ApiClient {
  return new ApiClient({
    serverUrl: () => serverUrl,
    accessToken: () => undefined,
    refreshToken: () => Promise.resolve(undefined),
    update: () => Promise.resolve(),
    expire: () => Promise.resolve(),
  });
}

/** Turns a sign-in failure into one sentence that names the problem and the next step. */
export function describeSignInFailure(error: unknown, serverUrl: string): string {
  if (error instanceof ServerUnreachableError && /SSL|TLS|EPROTO/i.test(error.reason)) {
    return vscode.l10n.t(
      'The server at {0} does not speak HTTPS ({1}). Use an http:// URL for a local server.',
      serverUrl,
      error.reason,
    );
  }
  if (error instanceof ServerUnreachableError) {
    return vscode.l10n.t(
      'Cannot reach the server at {0} ({1}). Start it with npm start, or check the server URL.',
      serverUrl,
      error.reason,
    );
  }
  if (error instanceof ApiError) {
    if (error.code === 'account_disabled') {
      return vscode.l10n.t(
        'This account is disabled. Ask an admin of {0} to enable it.',
        serverUrl,
      );
    }
    if (error.code === 'invalid_credentials') {
      return vscode.l10n.t('The email, nickname or password is incorrect.');
    }
    if (error.code === 'too_many_attempts') {
      return error.message;
    }
    return vscode.l10n.t('Sign-in failed: {0}', error.message);
  }
  return vscode.l10n.t(
    'Sign-in failed: {0}',
    error instanceof Error ? error.message : String(error),
  );
}

async function askCredentials(): Promise<SignInInput | undefined> {
  const serverUrl = await vscode.window.showInputBox({
    title: vscode.l10n.t('Sign In to LLM Workbench (1/3)'),
    prompt: vscode.l10n.t('Server URL'),
    value: configuredServerUrl(),
    ignoreFocusOut: true,
    validateInput: validateServerUrl,
  });
  if (serverUrl === undefined) {
    return undefined;
  }
  const login = await vscode.window.showInputBox({
    title: vscode.l10n.t('Sign In to LLM Workbench (2/3)'),
    prompt: vscode.l10n.t('Email or nickname'),
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === ''
        ? vscode.l10n.t('Enter your email or nickname.')
        : value.trim().length > 254
          ? vscode.l10n.t('An email or nickname has at most 254 characters.')
          : undefined,
  });
  if (login === undefined) {
    return undefined;
  }
  const password = await vscode.window.showInputBox({
    title: vscode.l10n.t('Sign In to LLM Workbench (3/3)'),
    prompt: vscode.l10n.t('Password'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value === '' ? vscode.l10n.t('Enter your password.') : undefined),
  });
  if (password === undefined) {
    return undefined;
  }
  return { serverUrl: new URL(serverUrl.trim()).origin, login: login.trim(), password };
}

/** Returns an error message for a server URL that is not http(s), or undefined when valid. */
export function validateServerUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return vscode.l10n.t('Enter a URL such as http://127.0.0.1:8000.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return vscode.l10n.t('The server URL must start with http:// or https://.');
  }
  if (url.username !== '' || url.password !== '') {
    return vscode.l10n.t('Leave the user name and password out of the URL; they are asked next.');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return vscode.l10n.t('Enter only the scheme, host and port, such as {0}.', url.origin);
  }
  return undefined;
}
