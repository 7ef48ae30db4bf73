import * as vscode from 'vscode';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider, ApiProviderModel } from '../../../shared/src/api/providers.js';
import type { Logger } from '../log.js';
import { canChange } from '../views/access.js';
import type { ProvidersView } from '../views/providersView.js';
import type { UpdateModelConfigRequest } from '../views/providersApi.js';
import {
  askModelConfig,
  modelConfigDraftOf,
  modelConfigFieldsOf,
  newModelConfigDraft,
  type ModelConfigDraft,
  type ModelConfigFields,
  type ModelConfigFlowOptions,
} from './modelConfigFlow.js';
import {
  failureReason,
  isRejectedInput,
  registerGuarded,
  resolveProvider,
  type ProviderTarget,
} from './commandSupport.js';
import { syncProviderModels } from './syncModels.js';

/** A model config item of the tree. */
export interface ModelConfigTarget {
  config: ApiModelConfig;
}

/** A provider item, or a synced model item, which preselects its model. */
export type AddModelConfigTarget = ProviderTarget & { model?: ApiProviderModel };

/** Registers the model config commands of the Providers view. */
export function registerModelConfigCommands(view: ProvidersView, log: Logger): vscode.Disposable[] {
  const commands = new ModelConfigCommands(view, log);
  return [
    registerGuarded(
      view,
      'addModelConfig',
      vscode.l10n.t('Add Model Config'),
      (target?: AddModelConfigTarget) => commands.add(target),
    ),
    registerGuarded(
      view,
      'editModelConfig',
      vscode.l10n.t('Edit Model Config'),
      (target?: ModelConfigTarget) => commands.edit(target),
    ),
    registerGuarded(
      view,
      'enableModelConfig',
      vscode.l10n.t('Enable Model Config'),
      (target?: ModelConfigTarget) => commands.setEnabled(target, true),
    ),
    registerGuarded(
      view,
      'disableModelConfig',
      vscode.l10n.t('Disable Model Config'),
      (target?: ModelConfigTarget) => commands.setEnabled(target, false),
    ),
    registerGuarded(
      view,
      'deleteModelConfig',
      vscode.l10n.t('Delete Model Config'),
      (target?: ModelConfigTarget) => commands.remove(target),
    ),
  ];
}

class ModelConfigCommands {
  constructor(
    private readonly view: ProvidersView,
    private readonly log: Logger,
  ) {}

  private get ui() {
    return this.view.prompts;
  }

  /**
   * Adds a model config from a synced model, offering to sync first when the provider has none.
   * On a rejected save the user can correct the entries and try again.
   */
  async add(target?: AddModelConfigTarget): Promise<ApiModelConfig | undefined> {
    try {
      const provider = await resolveProvider(
        this.view,
        target,
        vscode.l10n.t('Choose the provider of the model'),
      );
      if (provider === undefined) {
        return undefined;
      }
      const models = target?.model === undefined ? await this.modelsToPick(provider) : undefined;
      if (models === null) {
        return undefined;
      }
      const draft = newModelConfigDraft(target?.model);
      const options = await this.flowOptions(
        vscode.l10n.t('Add Model Config to {0}', provider.name),
        provider.id,
        models,
      );
      return await this.saveLoop(options, draft, async (fields) => {
        const config = await this.view.api.createModelConfig({
          providerId: provider.id,
          ...fields,
        });
        this.log.info(
          `Added model config ${config.displayName} (id ${config.id}) to ${provider.name}`,
        );
        void this.ui.notify(
          'info',
          vscode.l10n.t(
            'Added model config {0} ({1} on {2}).',
            config.displayName,
            config.modelId,
            provider.name,
          ),
        );
        return config;
      });
    } catch (error) {
      await this.ui.showError(
        vscode.l10n.t('Could not add a model config: {0}', failureReason(error)),
        error,
      );
      return undefined;
    }
  }

  async edit(target?: ModelConfigTarget): Promise<ApiModelConfig | undefined> {
    try {
      const config =
        target?.config ??
        (await this.pickConfig(vscode.l10n.t('Choose the model config to edit'), () => true));
      if (config === undefined) {
        return undefined;
      }
      const models = await this.view.api.models(config.providerId);
      const contextLength =
        models.find((model) => model.modelId === config.modelId)?.contextLength ?? null;
      const options = await this.flowOptions(
        vscode.l10n.t('Edit Model Config {0}', config.displayName),
        config.providerId,
        undefined,
        config,
      );
      const draft = modelConfigDraftOf(config, contextLength);
      return await this.saveLoop(options, draft, async (fields) => {
        const changes = changedFields(config, fields);
        if (Object.keys(changes).length === 0) {
          void this.ui.notify(
            'info',
            vscode.l10n.t('Model config {0} is unchanged.', config.displayName),
          );
          return config;
        }
        const saved = await this.view.api.updateModelConfig(config.id, changes);
        this.log.info(
          `Changed ${Object.keys(changes).join(', ')} of model config ${saved.displayName} (id ${saved.id})`,
        );
        void this.ui.notify('info', vscode.l10n.t('Saved model config {0}.', saved.displayName));
        return saved;
      });
    } catch (error) {
      await this.ui.showError(
        vscode.l10n.t('Could not edit the model config: {0}', failureReason(error)),
        error,
      );
      return undefined;
    }
  }

  async setEnabled(
    target: ModelConfigTarget | undefined,
    enabled: boolean,
  ): Promise<ApiModelConfig | undefined> {
    const config =
      target?.config ??
      (await this.pickConfig(
        enabled
          ? vscode.l10n.t('Choose the model config to enable')
          : vscode.l10n.t('Choose the model config to disable'),
        (candidate) => candidate.enabled !== enabled,
      ));
    if (config === undefined) {
      return undefined;
    }
    try {
      const saved = await this.view.api.updateModelConfig(config.id, { enabled });
      this.log.info(`${enabled ? 'Enabled' : 'Disabled'} model config ${saved.displayName}`);
      this.view.refresh();
      return saved;
    } catch (error) {
      await this.ui.showError(
        enabled
          ? vscode.l10n.t(
              'Could not enable model config {0}: {1}',
              config.displayName,
              failureReason(error),
            )
          : vscode.l10n.t(
              'Could not disable model config {0}: {1}',
              config.displayName,
              failureReason(error),
            ),
        error,
      );
      return undefined;
    }
  }

  /** Deletes a model config after a modal confirmation. */
  async remove(target?: ModelConfigTarget): Promise<boolean> {
    const config =
      target?.config ??
      (await this.pickConfig(vscode.l10n.t('Choose the model config to delete'), () => true));
    if (config === undefined) {
      return false;
    }
    const confirmed = await this.ui.confirm(
      vscode.l10n.t('Delete model config {0}?', config.displayName),
      vscode.l10n.t(
        'It uses {0} on provider {1}. This cannot be undone.',
        config.modelId,
        config.providerName,
      ),
      vscode.l10n.t('Delete'),
    );
    if (!confirmed) {
      return false;
    }
    try {
      await this.view.api.removeModelConfig(config.id);
      this.log.info(`Deleted model config ${config.displayName} (id ${config.id})`);
      this.view.refresh();
      return true;
    } catch (error) {
      await this.ui.showError(
        vscode.l10n.t(
          'Could not delete model config {0}: {1}',
          config.displayName,
          failureReason(error),
        ),
        error,
      );
      return false;
    }
  }

  /**
   * Asks for the fields and saves them, reopening the steps with the entries kept when the server
   * rejects them (400 or 409) and the user chooses to edit them.
   */
  private async saveLoop(
    options: ModelConfigFlowOptions,
    draft: ModelConfigDraft,
    save: (fields: ModelConfigFields) => Promise<ApiModelConfig>,
  ): Promise<ApiModelConfig | undefined> {
    for (;;) {
      const done = await askModelConfig(this.ui, options, draft);
      if (done === undefined) {
        return undefined;
      }
      const fields = modelConfigFieldsOf(done);
      try {
        const saved = await save(fields);
        this.view.refresh();
        return saved;
      } catch (error) {
        if (!isRejectedInput(error)) {
          throw error;
        }
        const retry = vscode.l10n.t('Edit and Retry');
        const choice = await this.ui.showError(
          vscode.l10n.t(
            'The server rejected model config {0}: {1}',
            fields.displayName,
            failureReason(error),
          ),
          error,
          retry,
        );
        if (choice !== retry) {
          return undefined;
        }
      }
    }
  }

  /**
   * Returns the provider's synced models. When there are none, offers to sync them, or to type a
   * model id (an empty list). Resolves with null when the user dismisses the offer.
   */
  private async modelsToPick(provider: ApiProvider): Promise<ApiProviderModel[] | null> {
    const models = await this.view.api.models(provider.id);
    if (models.length > 0) {
      return models;
    }
    const sync = vscode.l10n.t('Sync Models');
    const typeId = vscode.l10n.t('Enter Model ID');
    const mayChange = canChange(await this.view.currentUser(), provider.ownerId);
    const choice = await this.ui.notify(
      'info',
      vscode.l10n.t('No models have been synced from {0} yet. Sync them first?', provider.name),
      ...(mayChange ? [sync] : []),
      typeId,
    );
    if (choice === typeId) {
      return [];
    }
    if (choice !== sync) {
      return null;
    }
    const result = await syncProviderModels(this.view, this.log, provider);
    return result === undefined ? null : result.models;
  }

  /**
   * Returns the step options. A display name must be unique among the owner's configs of the
   * same model, so `edited`, the config being edited, supplies the owner when given.
   */
  private async flowOptions(
    title: string,
    providerId: number,
    models: readonly ApiProviderModel[] | undefined,
    edited?: ApiModelConfig,
  ): Promise<ModelConfigFlowOptions> {
    const [user, configs] = await Promise.all([
      this.view.currentUser(),
      this.view.api.modelConfigs(providerId),
    ]);
    const ownerId = edited?.ownerId ?? user?.id;
    const own = configs.filter((config) => config.ownerId === ownerId && config.id !== edited?.id);
    return {
      title,
      ...(models === undefined ? {} : { models }),
      takenNames: (modelId) =>
        own.filter((config) => config.modelId === modelId).map((config) => config.displayName),
    };
  }

  private async pickConfig(
    placeholder: string,
    matches: (config: ApiModelConfig) => boolean,
  ): Promise<ApiModelConfig | undefined> {
    const user = await this.view.currentUser();
    const configs = (await this.view.api.modelConfigs()).filter(
      (config) => canChange(user, config.ownerId) && matches(config),
    );
    if (configs.length === 0) {
      void this.ui.notify('info', vscode.l10n.t('No model config fits this command.'));
      return undefined;
    }
    const items = configs.map((config) => ({
      label: config.displayName,
      description: `${config.providerName} · ${config.modelId}${config.enabled ? '' : ` · ${vscode.l10n.t('disabled')}`}`,
      config,
    }));
    const result = await this.ui.pick({
      title: placeholder,
      step: 1,
      totalSteps: 1,
      placeholder,
      items,
    });
    return result?.action === 'next' ? result.value.config : undefined;
  }
}

/** Returns the fields whose parsed value differs from the config's. */
function changedFields(
  config: ApiModelConfig,
  fields: ModelConfigFields,
): UpdateModelConfigRequest {
  const changes: UpdateModelConfigRequest = {};
  const keys = [
    'displayName',
    'temperature',
    'maxTokens',
    'topP',
    'topK',
    'priceInputPerMTok',
    'priceOutputPerMTok',
  ] as const;
  for (const key of keys) {
    if (fields[key] !== config[key]) {
      Object.assign(changes, { [key]: fields[key] });
    }
  }
  if (JSON.stringify(fields.reasoning) !== JSON.stringify(config.reasoning)) {
    changes.reasoning = fields.reasoning;
  }
  return changes;
}
