import * as vscode from 'vscode';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import { ChatPanel, type ChatDependencies } from '../panels/chatPanel.js';
import { ChatApi } from '../panels/chatApi.js';

/** A model config item of the Providers view, as VS Code passes it to a menu command. */
export interface ChatModelTarget {
  config: ApiModelConfig;
}

/**
 * Registers Open Chat, Chat with This Model (on a model config of the Providers view) and the
 * serializer that restores the chat panel after a reload. The commands return the panel, which
 * the in-host tests drive.
 */
export function registerChatCommands(deps: ChatDependencies): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('llmWorkbench.chat.open', () => ChatPanel.show(deps)),
    vscode.commands.registerCommand(
      'llmWorkbench.chat.openWithModel',
      async (target?: ChatModelTarget) => {
        const config = target?.config ?? (await pickModel(deps));
        if (config === undefined) {
          return undefined;
        }
        if (!config.enabled) {
          void vscode.window.showErrorMessage(
            vscode.l10n.t(
              'The model config {0} is disabled. Enable it in the Providers view to chat with it.',
              config.displayName,
            ),
          );
          return undefined;
        }
        return ChatPanel.show(deps, { modelConfigId: config.id });
      },
    ),
    ChatPanel.registerSerializer(deps),
  ];
}

/** Asks for one of the enabled model configs; undefined when the user cancels or has none. */
async function pickModel(deps: ChatDependencies): Promise<ApiModelConfig | undefined> {
  let configs: ApiModelConfig[];
  try {
    configs = await new ChatApi(deps.client, deps.store).listEnabledModels();
  } catch (error) {
    deps.log.showError(vscode.l10n.t('Loading the model configs failed.'), error);
    return undefined;
  }
  if (configs.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('No enabled model configs yet. Add one in the Providers view first.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    configs.map((config) => ({
      label: config.displayName,
      description: config.providerName,
      detail: config.modelId,
      config,
    })),
    { title: vscode.l10n.t('Chat with This Model'), placeHolder: vscode.l10n.t('Pick a model') },
  );
  return picked?.config;
}
