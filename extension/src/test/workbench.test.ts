import assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { ApiUser } from '../../../shared/src/api/users.js';
import { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { AUTH_PROVIDER_ID } from '../auth/authenticationProvider.js';
import { describeSignInFailure, signIn, validateServerUrl } from '../auth/signIn.js';
import type { WorkbenchApi } from '../extension.js';
import {
  activateExtension,
  closedLoopbackPort,
  countRequestsByPath,
  EXTENSION_ID,
  readTestConfig,
  waitFor,
  type TestConfig,
} from './environment.js';

// The suites share one extension host and one server, and run in order: signed out, sign-in
// failures, sign-in, token refresh, the overview panel, sign-out.

const SESSION_SECRET_KEY = 'llmWorkbench.session';
const VIEW_IDS = [
  'llmWorkbench.providers',
  'llmWorkbench.datasets',
  'llmWorkbench.prompts',
  'llmWorkbench.trainingTasks',
];

let config: TestConfig;
let api: WorkbenchApi;

suiteSetup(async () => {
  config = readTestConfig();
  api = await activateExtension();
});

/** Returns the error that `promise` rejects with, and fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

suite('activation', () => {
  test('extension activates with its API', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    assert.equal(extension.isActive, true);
    assert.ok(api.store);
    assert.ok(api.client);
    assert.ok(api.statusBar);
  });

  test('commands are registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const expected = [
      'llmWorkbench.account.signIn',
      'llmWorkbench.account.signOut',
      'llmWorkbench.account.showMenu',
      'llmWorkbench.showLog',
      'llmWorkbench.server.openOverview',
      'llmWorkbench.server.showStartGuide',
      ...VIEW_IDS.map((id) => `${id}.refresh`),
    ];
    for (const command of expected) {
      assert.ok(registered.has(command), `${command} is not registered`);
    }
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const manifest = extension?.packageJSON as { contributes: { commands: { command: string }[] } };
    for (const { command } of manifest.contributes.commands) {
      assert.ok(registered.has(command), `contributed command ${command} is not registered`);
    }
  });

  test('views are contributed', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const manifest = extension?.packageJSON as {
      contributes: { views: Record<string, { id: string }[]> };
    };
    assert.deepEqual(
      manifest.contributes.views.llmWorkbench?.map((view) => view.id),
      VIEW_IDS,
    );
    // The workbench registers `<view id>.focus` for every view it accepted from the manifest.
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of VIEW_IDS) {
      assert.ok(registered.has(`${id}.focus`), `view ${id} is not registered in the workbench`);
    }
    await vscode.commands.executeCommand('workbench.view.extension.llmWorkbench');
    await vscode.commands.executeCommand('llmWorkbench.datasets.focus');
  });

  test('starts signed out', async () => {
    assert.equal(await api.store.user(), undefined);
    assert.deepEqual(await api.authProvider.getSessions(), []);
    assert.match(api.statusBar.text, /LLM Workbench: Sign In$/);
  });
});

suite('sign-in failures', () => {
  test('wrong password', async () => {
    const error = await rejectionOf(
      signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: `${config.password}-wrong`,
      }),
    );
    assert.equal(
      describeSignInFailure(error, config.serverUrl),
      'The email, nickname or password is incorrect.',
    );
    assert.equal(await api.store.user(), undefined);
  });

  test('disabled account', async () => {
    const login = 'disabled-user';
    const password = 'disabled-user-password';
    const registered = await fetch(`${config.serverUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${login}@example.com`, nickname: login, password }),
    });
    assert.equal(registered.status, 201);
    const { user } = (await registered.json()) as { user: ApiUser };
    const adminLogin = await fetch(`${config.serverUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        login: config.login,
        password: config.password,
        tokenDelivery: 'body',
      }),
    });
    const { accessToken } = (await adminLogin.json()) as { accessToken: string };
    const disabled = await fetch(`${config.serverUrl}/api/admin/users/${user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ isActive: false }),
    });
    assert.equal(disabled.status, 200);

    const error = await rejectionOf(
      signIn(api.store, { serverUrl: config.serverUrl, login, password }),
    );

    assert.equal(
      describeSignInFailure(error, config.serverUrl),
      `This account is disabled. Ask an admin of ${config.serverUrl} to enable it.`,
    );
    assert.equal(await api.store.user(), undefined);
  });

  test('unreachable server', async () => {
    const serverUrl = `http://127.0.0.1:${await closedLoopbackPort()}`;
    const error = await rejectionOf(
      signIn(api.store, { serverUrl, login: config.login, password: config.password }),
    );
    const message = describeSignInFailure(error, serverUrl);
    assert.equal(
      message,
      `Cannot reach the server at ${serverUrl} (ECONNREFUSED). Start it with npm start, or ` +
        'check the server URL.',
    );
    assert.equal(await api.store.user(), undefined);
  });
});

suite('request log', () => {
  test('request lines carry status and id', async () => {
    const lines: string[] = [];
    const client = new ApiClient(
      {
        serverUrl: () => config.serverUrl,
        accessToken: () => undefined,
        refreshToken: () => Promise.resolve(undefined),
        update: () => Promise.resolve(),
        expire: () => Promise.resolve(),
      },
      fetch,
      { debug: (line) => lines.push(line) },
    );

    await client.request('GET', '/api/health', { anonymous: true });
    const error = await rejectionOf(
      client.request('POST', '/api/auth/login', {
        anonymous: true,
        body: { login: 'nobody-here', password: 'not-the-password' },
      }),
    );

    assert.match(lines[0] ?? '', /^GET \/api\/health → HTTP 200 in \d+ ms \(request id [\w-]+\)$/);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.match(error.requestId ?? '', /^[\w-]+$/);
    assert.ok(
      lines[1]?.endsWith(`(request id ${error.requestId})`),
      `the log line names the failed request: ${lines[1]}`,
    );
  });
});

suite('server URL input', () => {
  const cases: [string, string | undefined][] = [
    ['http://127.0.0.1:8000', undefined],
    ['https://workbench.example.com', undefined],
    ['127.0.0.1:8000', 'Enter a URL such as http://127.0.0.1:8000.'],
    ['ftp://127.0.0.1', 'The server URL must start with http:// or https://.'],
    [
      'http://admin:secret@127.0.0.1:8000',
      'Leave the user name and password out of the URL; they are asked next.',
    ],
    [
      'http://127.0.0.1:8000/admin?x=1',
      'Enter only the scheme, host and port, such as http://127.0.0.1:8000.',
    ],
  ];
  for (const [value, expected] of cases) {
    test(`validates ${value}`, () => {
      assert.equal(validateServerUrl(value), expected);
    });
  }
});

suite('signed in', () => {
  test('sign-in creates the session', async () => {
    const sessionsChanged = new Promise<void>((resolve) => {
      const listener = vscode.authentication.onDidChangeSessions((event) => {
        if (event.provider.id === AUTH_PROVIDER_ID) {
          listener.dispose();
          resolve();
        }
      });
    });
    const user = await signIn(api.store, {
      serverUrl: config.serverUrl,
      login: config.login,
      password: config.password,
    });
    assert.equal(user.nickname, config.nickname);
    await sessionsChanged;
    // The Accounts menu lists what the provider returns.
    const sessions = await api.authProvider.getSessions();
    assert.equal(sessions.length, 1);
    const [session] = sessions;
    assert.ok(session);
    assert.equal(session.account.label, `${config.nickname} (${new URL(config.serverUrl).host})`);
    assert.equal(session.accessToken, api.store.accessToken());
  });

  test('status bar shows the nickname', async () => {
    await waitFor('the nickname in the status bar', () =>
      api.statusBar.text.endsWith(` ${config.nickname}`),
    );
    await waitFor('the reachable server in the accessible label', () =>
      (api.statusBar.accessibleLabel ?? '').endsWith(`Server ${config.serverUrl} is reachable.`),
    );
    assert.match(api.statusBar.accessibleLabel ?? '', /^LLM Workbench account: Signed in as /);
  });

  test('secrets keep only the refresh token', async () => {
    const stored = await api.secrets.get(SESSION_SECRET_KEY);
    assert.ok(stored, 'no session in SecretStorage');
    const session = JSON.parse(stored) as Record<string, unknown>;
    assert.equal(typeof session.refreshToken, 'string');
    assert.equal(session.refreshToken, await api.store.refreshToken());
    assert.equal(session.serverUrl, config.serverUrl);
    const accessToken = api.store.accessToken();
    assert.ok(accessToken, 'no access token in memory');
    assert.equal('accessToken' in session, false);
    assert.equal(stored.includes(accessToken), false);
  });
});

suite('token refresh', () => {
  test('five requests share one refresh', async () => {
    const before = countRequestsByPath(config.serverLog);
    const refreshToken = await api.store.refreshToken();
    // The server rejects this token with 401, as it does an access token that expired.
    api.store.replaceAccessTokenForTests('expired-access-token');

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api.client.request<{ user: ApiUser }>('GET', '/api/auth/me')),
    );
    for (const response of responses) {
      assert.equal(response.user.nickname, config.nickname);
    }
    assert.notEqual(api.store.accessToken(), 'expired-access-token');
    assert.notEqual(await api.store.refreshToken(), refreshToken, 'refresh token not rotated');

    // Each request is logged twice, rejected with 401 and then retried, so ten new lines for
    // /api/auth/me mean every request, and the refresh before the retries, reached the log.
    const meBefore = before.get('/api/auth/me') ?? 0;
    const after = await waitFor('ten /api/auth/me lines in the server log', () => {
      const counts = countRequestsByPath(config.serverLog);
      return (counts.get('/api/auth/me') ?? 0) - meBefore >= 10 && counts;
    });
    assert.equal((after.get('/api/auth/me') ?? 0) - meBefore, 10);
    const refreshes =
      (after.get('/api/auth/refresh') ?? 0) - (before.get('/api/auth/refresh') ?? 0);
    assert.equal(
      refreshes,
      1,
      `expected one POST /api/auth/refresh, the server logged ${refreshes}`,
    );
  });
});

suite('overview panel', () => {
  test('panel opens and renders the state', async () => {
    await vscode.commands.executeCommand('llmWorkbench.server.openOverview');
    const panel = api.overviewPanel();
    assert.ok(panel, 'no overview panel after llmWorkbench.server.openOverview');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new Error('the overview webview sent no ready message within 15 s'));
      }, 15_000);
      const listener = panel.webview.onDidReceiveMessage((message: { type: string }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          listener.dispose();
          resolve();
        }
      });
    });
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    assert.ok(
      tabs.some(
        (tab) =>
          tab.input instanceof vscode.TabInputWebview &&
          tab.input.viewType.endsWith('llmWorkbench.overview'),
      ),
      'no overview tab is open',
    );
    const state = await panel.refresh();
    assert.equal(state.server.url, config.serverUrl);
    assert.equal(state.server.reachable, true);
    assert.equal(state.user?.nickname, config.nickname);
  });
});

suite('sign-out', () => {
  test('sign-out revokes the refresh token', async () => {
    const refreshToken = await api.store.refreshToken();
    assert.ok(refreshToken, 'not signed in');
    await vscode.commands.executeCommand('llmWorkbench.account.signOut');

    assert.equal(await api.store.user(), undefined);
    assert.equal(api.store.accessToken(), undefined);
    assert.equal(await api.secrets.get(SESSION_SECRET_KEY), undefined);
    assert.deepEqual(await api.authProvider.getSessions(), []);
    const response = await fetch(new URL('/api/auth/refresh', config.serverUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken, tokenDelivery: 'body' }),
    });
    assert.equal(response.status, 401);
  });

  test('status bar and panel show signed out', async () => {
    await waitFor('the sign-in prompt in the status bar', () =>
      api.statusBar.text.endsWith('LLM Workbench: Sign In'),
    );
    const panel = api.overviewPanel();
    assert.ok(panel, 'the overview panel closed on sign-out');
    const state = await panel.refresh();
    assert.equal(state.user, undefined);
    panel.dispose();
  });

  test('reconnect reloads the views', async () => {
    const settings = vscode.workspace.getConfiguration('llmWorkbench');
    const configured = settings.inspect<string>('serverUrl')?.globalValue;
    const reconnected = new Promise<void>((resolve) => {
      const listener = api.statusBar.onDidReconnect(() => {
        listener.dispose();
        resolve();
      });
    });

    const closedUrl = `http://127.0.0.1:${await closedLoopbackPort()}`;
    await settings.update('serverUrl', closedUrl, vscode.ConfigurationTarget.Global);
    await waitFor('the status bar to see the server gone', () => api.statusBar.reachable === false);
    await settings.update('serverUrl', config.serverUrl, vscode.ConfigurationTarget.Global);

    await reconnected;
    assert.equal(api.statusBar.reachable, true);
    if (configured !== undefined) {
      await settings.update('serverUrl', configured, vscode.ConfigurationTarget.Global);
    }
  });
});
