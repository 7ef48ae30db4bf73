import * as vscode from 'vscode';
import type { WorkbenchAuthenticationProvider } from '../auth/authenticationProvider.js';
import { promptSignIn } from '../auth/signIn.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import type { WorkbenchStatusBar } from '../statusBar.js';

/** Objects the account commands act on. */
export interface AccountCommandTargets {
  store: SessionStore;
  provider: WorkbenchAuthenticationProvider;
  statusBar: WorkbenchStatusBar;
  log: Logger;
  /** The bundled `media/start-server.md`. */
  startGuideUri: vscode.Uri;
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
      const revoked = await provider.signOut();
      if (revoked) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Signed out of LLM Workbench.'));
      } else {
        void vscode.window.showWarningMessage(
          vscode.l10n.t(
            'Signed out here, but the server could not be reached, so its session stays valid until it expires (7 days at most).',
          ),
        );
      }
    }),
    vscode.commands.registerCommand('llmWorkbench.account.showMenu', async () => {
      await showAccountMenu(store, statusBar);
    }),
    vscode.commands.registerCommand('llmWorkbench.showLog', () => log.show()),
    vscode.commands.registerCommand('llmWorkbench.server.showStartGuide', async () => {
      // A preview of the bundled file leaves no unsaved editor behind.
      await vscode.commands.executeCommand('markdown.showPreview', targets.startGuideUri);
    }),
  ];
}

async function showAccountMenu(store: SessionStore, statusBar: WorkbenchStatusBar): Promise<void> {
  const user = await store.user();
  const reachable = statusBar.reachable;
  const items: (vscode.QuickPickItem & { command: string })[] = [];
  if (user === undefined) {
    items.push({
      label: `$(sign-in) ${vscode.l10n.t('Sign In')}`,
      command: 'llmWorkbench.account.signIn',
    });
  }
  items.push(
    {
      label: `$(globe) ${vscode.l10n.t('Open Server')}`,
      description: `${store.serverUrl()} ${reachable === false ? vscode.l10n.t('(not reachable)') : ''}`,
      command: 'llmWorkbench.server.openOverview',
    },
    {
      label: `$(output) ${vscode.l10n.t('Show Log')}`,
      command: 'llmWorkbench.showLog',
    },
  );
  // Signing out is last, so a quick Enter on the menu never ends the session.
  if (user !== undefined) {
    items.push({
      label: `$(sign-out) ${vscode.l10n.t('Sign Out')}`,
      description: `${user.nickname} (${user.email})`,
      command: 'llmWorkbench.account.signOut',
    });
  }
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('LLM Workbench'),
    placeHolder: user === undefined ? vscode.l10n.t('Not signed in') : user.nickname,
  });
  if (choice !== undefined) {
    await vscode.commands.executeCommand(choice.command);
  }
}
