import * as vscode from 'vscode';
import { ApiClient } from './api/client.js';
import { WorkbenchAuthenticationProvider } from './auth/authenticationProvider.js';
import { configuredServerUrl, SessionStore } from './auth/sessionStore.js';
import { registerAccountCommands } from './commands/accountCommands.js';
import { registerChatCommands } from './commands/chatCommands.js';
import { registerCompareCommands } from './commands/compareCommands.js';
import { registerTrainingCommands } from './commands/trainingCommands.js';
import { registerViewCommands } from './commands/viewCommands.js';
import { DatasetDiagnostics } from './datasets/diagnostics.js';
import { createLogger, type Logger } from './log.js';
import { OverviewPanel } from './panels/overviewPanel.js';
import { registerPromptFeatures } from './prompts/promptFeatures.js';
import { WorkbenchStatusBar } from './statusBar.js';
import { DatasetsView } from './views/datasetsView.js';
import { PromptsView } from './views/promptsView.js';
import { ProvidersView } from './views/providersView.js';
import { TrainingTasksView } from './views/trainingTasksView.js';

/**
 * The objects the extension created, returned from `activate` for the in-host tests. Only test and
 * development hosts get them, because any installed extension can read another's exports, and the
 * store and the secrets contain the refresh token.
 */
export interface WorkbenchApi {
  store: SessionStore;
  client: ApiClient;
  secrets: vscode.SecretStorage;
  authProvider: WorkbenchAuthenticationProvider;
  statusBar: WorkbenchStatusBar;
  views: {
    providers: ProvidersView;
    prompts: PromptsView;
    datasets: DatasetsView;
    trainingTasks: TrainingTasksView;
  };
  /** Returns the open overview panel, or undefined when none is open. */
  overviewPanel(): OverviewPanel | undefined;
}

/** Wires the top-level objects together; each feature registers its own commands. */
export function activate(context: vscode.ExtensionContext): WorkbenchApi | undefined {
  const log = createLogger();
  const store = new SessionStore(context.secrets);
  const client = new ApiClient(store, fetch, log);
  const provider = new WorkbenchAuthenticationProvider(store, client, log);
  const statusBar = new WorkbenchStatusBar(store, client);
  const views = {
    providers: new ProvidersView(client, store, log),
    datasets: new DatasetsView({ client, store, log, state: context.globalState }),
    prompts: new PromptsView(client, store, log),
    trainingTasks: new TrainingTasksView(client, store, log),
  };
  const overviewDeps = { extensionUri: context.extensionUri, client, store, log };

  context.subscriptions.push(
    log,
    store,
    provider,
    statusBar,
    ...Object.values(views),
    ...registerTreeViews(views),
    ...registerAccountCommands({
      store,
      provider,
      statusBar,
      log,
      startGuideUri: vscode.Uri.joinPath(context.extensionUri, 'media', 'start-server.md'),
    }),
    ...registerViewCommands(views),
    new DatasetDiagnostics(log),
    ...registerPromptFeatures(views.prompts, log),
    ...registerPanels(overviewDeps),
    ...registerTrainingCommands({ ...overviewDeps, view: views.trainingTasks }),
    trackSignedInContext(store, log),
    reloadOnReconnect(statusBar, views, { store, log }),
  );
  log.info(
    `LLM Workbench ${(context.extension.packageJSON as { version: string }).version} activated`,
  );
  if (context.extensionMode === vscode.ExtensionMode.Production) {
    return undefined;
  }
  return {
    store,
    client,
    secrets: context.secrets,
    authProvider: provider,
    statusBar,
    views,
    overviewPanel: () => OverviewPanel.open,
  };
}

type Views = Record<
  'providers' | 'datasets' | 'prompts' | 'trainingTasks',
  vscode.TreeDataProvider<vscode.TreeItem> & { refresh(): void }
>;

function registerTreeViews(views: Views): vscode.Disposable[] {
  return [
    vscode.window.registerTreeDataProvider('llmWorkbench.providers', views.providers),
    vscode.window.registerTreeDataProvider('llmWorkbench.datasets', views.datasets),
    vscode.window.registerTreeDataProvider('llmWorkbench.prompts', views.prompts),
    vscode.window.registerTreeDataProvider('llmWorkbench.trainingTasks', views.trainingTasks),
  ];
}

/** Registers the webview panels' commands and the serializers that restore them after a reload. */
function registerPanels(deps: Parameters<typeof OverviewPanel.show>[0]): vscode.Disposable[] {
  return [
    ...registerChatCommands(deps),
    ...registerCompareCommands(deps),
    vscode.commands.registerCommand('llmWorkbench.server.openOverview', () => {
      OverviewPanel.show(deps);
    }),
    OverviewPanel.registerSerializer(deps),
  ];
}

/** Reloads the views and the overview once the server answers again after being unreachable. */
function reloadOnReconnect(
  statusBar: WorkbenchStatusBar,
  views: Views,
  deps: { store: SessionStore; log: Logger },
): vscode.Disposable {
  // Lists loaded while the server was down show an error, so they load again once it is back.
  return statusBar.onDidReconnect(() => {
    deps.log.info(
      `The server at ${deps.store.serverUrl()} is reachable again; reloading the views.`,
    );
    for (const view of Object.values(views)) {
      view.refresh();
    }
    void OverviewPanel.open?.refresh();
  });
}

/**
 * Keeps the `llmWorkbench.signedIn` context key, which selects the views' welcome content, in step
 * with the session, and reports a session that expired.
 */
function trackSignedInContext(store: SessionStore, log: Logger): vscode.Disposable {
  void store
    .user()
    .then((user) =>
      vscode.commands.executeCommand('setContext', 'llmWorkbench.signedIn', user !== undefined),
    );
  const settingWatch = vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (
      !event.affectsConfiguration('llmWorkbench.serverUrl') ||
      (await store.user()) === undefined
    ) {
      return;
    }
    const configured = configuredServerUrl();
    if (configured !== store.serverUrl()) {
      const signOut = vscode.l10n.t('Sign Out');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          'You are signed in to {0}; sign out to use {1}.',
          store.serverUrl(),
          configured,
        ),
        signOut,
      );
      if (choice === signOut) {
        await vscode.commands.executeCommand('llmWorkbench.account.signOut');
      }
    }
  });
  const sessionWatch = store.onDidChange((change) => {
    void vscode.commands.executeCommand(
      'setContext',
      'llmWorkbench.signedIn',
      change.kind !== 'signedOut' && change.kind !== 'expired',
    );
    if (change.kind === 'expired') {
      log.showError(
        vscode.l10n.t('Your LLM Workbench session ended. Sign in again: {0}', change.reason),
      );
    }
  });
  return vscode.Disposable.from(settingWatch, sessionWatch);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
