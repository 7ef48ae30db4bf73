import * as vscode from 'vscode';
import type { WorkbenchAuthenticationProvider } from '../auth/authenticationProvider.js';
import { promptSignIn } from '../auth/signIn.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import type { WorkbenchStatusBar } from '../statusBar.js';

/** What the account commands act on. */
export interface AccountCommandTargets {
  store: SessionStore;
  provider: WorkbenchAuthenticationProvider;
  statusBar: WorkbenchStatusBar;
  log: Logger;
}

/** Registers sign in, sign out, the status bar menu, Show Log and the local server guide. */
export function registerAccountCommands(targets: AccountCommandTargets): vscode.Disposable[] {
  const { store, provider, statusBar, log } = targets;
  return [
    // The command signs in directly rather than through getSession, which would first ask the
    // user to allow this extension to use its own authentication provider.
    vscode.commands.registerCommand('llmWorkbench.account.signIn', async () => {
      const user = await promptSignIn(store, log);
      if (user !== undefined) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Signed in to LLM Workbench as {0}.', user.nickname),
        );
      }
    }),
    vscode.commands.registerCommand('llmWorkbench.account.signOut', async () => {
      await provider.removeSession();
      void vscode.window.showInformationMessage(vscode.l10n.t('Signed out of LLM Workbench.'));
    }),
    vscode.commands.registerCommand('llmWorkbench.account.showMenu', async () => {
      await showAccountMenu(store, statusBar);
    }),
    vscode.commands.registerCommand('llmWorkbench.showLog', () => log.show()),
    vscode.commands.registerCommand('llmWorkbench.server.showStartGuide', async () => {
      const document = await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: START_GUIDE,
      });
      await vscode.commands.executeCommand('markdown.showPreview', document.uri);
    }),
  ];
}

async function showAccountMenu(store: SessionStore, statusBar: WorkbenchStatusBar): Promise<void> {
  const user = await store.user();
  const reachable = await statusBar.checkServer();
  const items: (vscode.QuickPickItem & { command: string })[] = [];
  if (user === undefined) {
    items.push({
      label: `$(sign-in) ${vscode.l10n.t('Sign In')}`,
      command: 'llmWorkbench.account.signIn',
    });
  } else {
    items.push({
      label: `$(sign-out) ${vscode.l10n.t('Sign Out')}`,
      description: `${user.nickname} (${user.email})`,
      command: 'llmWorkbench.account.signOut',
    });
  }
  items.push(
    {
      label: `$(globe) ${vscode.l10n.t('Open Server')}`,
      description: `${store.serverUrl()} ${reachable ? '' : vscode.l10n.t('(not reachable)')}`,
      command: 'llmWorkbench.server.openOverview',
    },
    {
      label: `$(output) ${vscode.l10n.t('Show Log')}`,
      command: 'llmWorkbench.showLog',
    },
  );
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('LLM Workbench'),
    placeHolder: user === undefined ? vscode.l10n.t('Not signed in') : user.nickname,
  });
  if (choice !== undefined) {
    await vscode.commands.executeCommand(choice.command);
  }
}

const START_GUIDE = `# Start a local LLM Workbench server

1. Clone the LLM Workbench repository and open a terminal in it.
2. Run \`npm install\`, then \`npm start\`.
3. The server listens on http://127.0.0.1:8000 and prints the admin password on its first start.
4. Run **LLM Workbench: Sign In** and sign in as \`admin\` with that password.

Set \`llmWorkbench.serverUrl\` when the server runs elsewhere.
`;
