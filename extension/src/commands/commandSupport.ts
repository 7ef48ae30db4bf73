// Helpers that the provider and model config commands share.
import * as vscode from 'vscode';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import { ApiError } from '../api/errors.js';
import { canChange } from '../views/access.js';
import type { ProvidersView } from '../views/providersView.js';
import { kindInfo } from './providerFields.js';

/** A tree item that belongs to a provider: the provider itself, its model group or a model. */
export interface ProviderTarget {
  provider: ApiProvider;
}

/**
 * Registers `llmWorkbench.providers.<verb>`. A failure the command did not report itself, such
 * as an unreachable server while it lists providers to choose from, is shown as one sentence.
 */
export function registerGuarded<Target>(
  view: ProvidersView,
  verb: string,
  title: string,
  run: (target?: Target) => Promise<unknown>,
): vscode.Disposable {
  return vscode.commands.registerCommand(
    `llmWorkbench.providers.${verb}`,
    async (target?: Target) => {
      try {
        return await run(target);
      } catch (error) {
        await view.prompts.showError(
          vscode.l10n.t('{0} failed: {1}', title, failureReason(error)),
          error,
        );
        return undefined;
      }
    },
  );
}

/** Returns the message of a failed request: the server's sentence, or the error's message. */
export function failureReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Returns the provider of a tree item, or asks the user to pick one when the command came from
 * the Command Palette. `writable` limits the choice to providers the user may change.
 */
export async function resolveProvider(
  view: ProvidersView,
  target: ProviderTarget | undefined,
  placeholder: string,
  writable = false,
): Promise<ApiProvider | undefined> {
  if (target?.provider !== undefined) {
    return target.provider;
  }
  const user = await view.currentUser();
  const providers = (await view.api.list()).filter(
    (provider) => !writable || canChange(user, provider.ownerId),
  );
  if (providers.length === 0) {
    const add = vscode.l10n.t('Add Provider');
    const choice = await view.prompts.notify(
      'info',
      vscode.l10n.t('You have no providers yet.'),
      add,
    );
    if (choice === add) {
      await vscode.commands.executeCommand('llmWorkbench.providers.add');
    }
    return undefined;
  }
  const items = providers.map((provider) => ({
    label: provider.name,
    description: `${kindInfo(provider.kind).label} · ${provider.baseUrl}`,
    provider,
  }));
  const result = await view.prompts.pick({
    title: placeholder,
    step: 1,
    totalSteps: 1,
    placeholder,
    items,
  });
  return result?.action === 'next' ? result.value.provider : undefined;
}

/** Reports whether the server rejected what the user entered, so editing it may help. */
export function isRejectedInput(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 400 || error.status === 409);
}

/** Reports whether a request ended because the user cancelled its progress notification. */
export function isCancellation(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Returns an AbortSignal that aborts when the progress notification is cancelled. */
export function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
