// The multi-step inputs of the Add Provider and Edit Provider commands.
import * as vscode from 'vscode';
import type { ApiProvider, ProviderKind } from '../../../shared/src/api/providers.js';
import type { CreateProviderRequest, UpdateProviderRequest } from '../views/providersApi.js';
import {
  checkApiKey,
  checkBaseUrl,
  checkProviderName,
  defaultBaseUrl,
  kindInfo,
  PROVIDER_KIND_INFO,
  type FieldCheck,
  type ProviderKindInfo,
} from './providerFields.js';
import {
  activeItem,
  inputStep,
  pickStep,
  runFlow,
  type FlowStep,
  type PromptUi,
  type StepPosition,
} from './promptUi.js';

/** The entries of Add Provider, kept to reopen the steps after a failed save. */
export interface NewProviderDraft {
  kind?: ProviderKind;
  name?: string;
  /** The base URL typed, and the kind it was typed for. */
  baseUrl?: { kind: ProviderKind; value: string };
  apiKey?: string;
}

type KindItem = vscode.QuickPickItem & { info: ProviderKindInfo };

/**
 * Asks for the kind, name, base URL and API key of a new provider, starting from `draft`, which
 * it fills in. `takenNames` are the names of the user's providers. Resolves with the request, or
 * undefined when the user cancels.
 */
export async function askNewProvider(
  ui: PromptUi,
  takenNames: readonly string[],
  draft: NewProviderDraft = {},
): Promise<CreateProviderRequest | undefined> {
  const position = (step: number) => ({
    title: vscode.l10n.t('Add Provider'),
    step,
    totalSteps: 4,
  });
  const steps: FlowStep<NewProviderDraft>[] = [
    kindStep(ui, position(1)),
    inputStep(
      ui,
      (state) => ({
        ...position(2),
        prompt: vscode.l10n.t('Name of the provider, shown in the Providers view'),
        value: state.name ?? unusedName(kindInfo(kindOf(state)).label, takenNames),
        validate: (value) => checkProviderName(value, takenNames),
      }),
      (state, value) => {
        state.name = value.trim();
      },
    ),
    newBaseUrlStep(ui, position(3)),
    newApiKeyStep(ui, position(4)),
  ];
  const done = await runFlow(steps, draft);
  return done === undefined ? undefined : createRequestOf(done);
}

function kindStep(ui: PromptUi, position: StepPosition): FlowStep<NewProviderDraft> {
  const items: KindItem[] = PROVIDER_KIND_INFO.map((info) => ({
    label: info.label,
    description: info.description,
    info,
  }));
  return pickStep(
    ui,
    (state) => ({
      ...position,
      placeholder: vscode.l10n.t('Choose the kind of provider'),
      items,
      ...activeItem(items, (item) => item.info.kind === state.kind),
    }),
    (state, item) => {
      state.kind = item.info.kind;
    },
  );
}

/** Returns the base URL step, prefilled with the kind's default until the user types a URL. */
function newBaseUrlStep(ui: PromptUi, position: StepPosition): FlowStep<NewProviderDraft> {
  return inputStep(
    ui,
    (state) => {
      const kind = kindOf(state);
      return {
        ...position,
        prompt: vscode.l10n.t('Base URL of the {0} API', kindInfo(kind).label),
        value: state.baseUrl?.kind === kind ? state.baseUrl.value : defaultBaseUrl(kind),
        placeholder: kindInfo(kind).baseUrlExample,
        validate: (value) => checkBaseUrl(kind, value),
      };
    },
    (state, value) => {
      state.baseUrl = { kind: kindOf(state), value: value.trim() };
    },
  );
}

function newApiKeyStep(ui: PromptUi, position: StepPosition): FlowStep<NewProviderDraft> {
  return inputStep(
    ui,
    (state) => {
      const info = kindInfo(kindOf(state));
      return {
        ...position,
        prompt: info.requiresApiKey
          ? vscode.l10n.t('API key of your {0} account; the server stores it encrypted', info.label)
          : vscode.l10n.t('API key, if the server requires one; leave it empty otherwise'),
        value: state.apiKey ?? '',
        password: true,
        validate: (value) => checkApiKey(info.kind, value),
      };
    },
    (state, value) => {
      state.apiKey = value.trim();
    },
  );
}

function createRequestOf(draft: NewProviderDraft): CreateProviderRequest {
  return {
    kind: kindOf(draft),
    name: draft.name ?? '',
    ...(draft.baseUrl?.value ? { baseUrl: draft.baseUrl.value } : {}),
    ...(draft.apiKey ? { apiKey: draft.apiKey } : {}),
  };
}

/** The entries of Edit Provider. */
export interface ProviderEditDraft {
  name?: string;
  baseUrl?: string;
  keyAction?: 'keep' | 'replace' | 'clear';
  apiKey?: string;
}

type KeyItem = vscode.QuickPickItem & { action: 'keep' | 'replace' | 'clear' };

/**
 * Asks for a provider's new name, base URL and key, each prefilled with the current value.
 * Resolves with only the fields that changed, which may be none, or undefined on cancel.
 */
export async function askProviderChanges(
  ui: PromptUi,
  provider: ApiProvider,
  takenNames: readonly string[],
  draft: ProviderEditDraft = {},
): Promise<UpdateProviderRequest | undefined> {
  const title = vscode.l10n.t('Edit Provider {0}', provider.name);
  const position = (step: number) => ({ title, step, totalSteps: 4 });
  const info = kindInfo(provider.kind);
  const steps: FlowStep<ProviderEditDraft>[] = [
    inputStep(
      ui,
      (state) => ({
        ...position(1),
        prompt: vscode.l10n.t('Name of the provider'),
        value: state.name ?? provider.name,
        validate: (value) => checkProviderName(value, takenNames),
      }),
      (state, value) => {
        state.name = value.trim();
      },
    ),
    inputStep(
      ui,
      (state) => ({
        ...position(2),
        prompt: vscode.l10n.t('Base URL of the {0} API', info.label),
        value: state.baseUrl ?? provider.baseUrl,
        placeholder: info.baseUrlExample,
        validate: (value) => checkBaseUrl(provider.kind, value),
      }),
      (state, value) => {
        state.baseUrl = value.trim();
      },
    ),
    keyActionStep(ui, provider, position(3)),
    replacementKeyStep(ui, provider, position(4)),
  ];
  const done = await runFlow(steps, draft);
  return done === undefined ? undefined : changesOf(provider, done);
}

function keyActionStep(
  ui: PromptUi,
  provider: ApiProvider,
  position: StepPosition,
): FlowStep<ProviderEditDraft> {
  return pickStep(
    ui,
    (state) => {
      const moved = originChanged(provider, state.baseUrl);
      const items = apiKeyItems(provider, moved);
      const wanted = state.keyAction ?? (moved ? 'replace' : 'keep');
      return {
        ...position,
        placeholder: moved
          ? vscode.l10n.t('API key: the stored key is not sent to a new address')
          : vscode.l10n.t('API key'),
        items,
        ...activeItem(items, (item) => item.action === wanted),
      };
    },
    (state, item) => {
      state.keyAction = item.action;
    },
  );
}

/** Returns the step for the new key, which runs only when the user chose to replace the key. */
function replacementKeyStep(
  ui: PromptUi,
  provider: ApiProvider,
  position: StepPosition,
): FlowStep<ProviderEditDraft> {
  const validate = (value: string): FieldCheck | undefined =>
    value.trim() === ''
      ? {
          severity: 'error',
          message: vscode.l10n.t('Enter the new key, or go back and keep the current one.'),
        }
      : checkApiKey(provider.kind, value);
  return inputStep(
    ui,
    (state) =>
      state.keyAction !== 'replace'
        ? 'skip'
        : {
            ...position,
            prompt: vscode.l10n.t('New API key; the server stores it encrypted'),
            value: state.apiKey ?? '',
            password: true,
            validate,
          },
    (state, value) => {
      state.apiKey = value.trim();
    },
  );
}

function changesOf(provider: ApiProvider, draft: ProviderEditDraft): UpdateProviderRequest {
  const changes: UpdateProviderRequest = {};
  if (draft.name !== undefined && draft.name !== provider.name) {
    changes.name = draft.name;
  }
  if (draft.baseUrl !== undefined && draft.baseUrl !== provider.baseUrl) {
    changes.baseUrl = draft.baseUrl;
  }
  if (draft.keyAction === 'replace' && draft.apiKey !== undefined) {
    changes.apiKey = draft.apiKey;
  } else if (draft.keyAction === 'clear') {
    changes.apiKey = null;
  }
  // The server sends stored secrets only to the address they were given for, so a move to
  // another origin drops the custom header values; the key is entered again or cleared above.
  if (originChanged(provider, changes.baseUrl) && provider.headerNames.length > 0) {
    changes.headers = null;
  }
  return changes;
}

/** Returns whether a new base URL points at another scheme, host or port than the stored one. */
function originChanged(provider: ApiProvider, baseUrl: string | undefined): boolean {
  if (baseUrl === undefined || baseUrl === provider.baseUrl) {
    return false;
  }
  try {
    return new URL(baseUrl).origin !== new URL(provider.baseUrl).origin;
  } catch {
    return false;
  }
}

function apiKeyItems(provider: ApiProvider, moved: boolean): KeyItem[] {
  if (provider.apiKeyMasked === null) {
    return [
      { label: vscode.l10n.t('Keep Without a Key'), action: 'keep' },
      { label: vscode.l10n.t('Set a Key'), action: 'replace' },
    ];
  }
  if (moved) {
    return [
      { label: vscode.l10n.t('Enter the Key Again'), action: 'replace' },
      { label: vscode.l10n.t('Remove the Key'), action: 'clear' },
    ];
  }
  const info = kindInfo(provider.kind);
  return [
    {
      label: vscode.l10n.t('Keep the Current Key'),
      description: provider.apiKeyMasked,
      action: 'keep',
    },
    { label: vscode.l10n.t('Replace the Key'), action: 'replace' },
    {
      label: vscode.l10n.t('Clear the Key'),
      description: info.requiresApiKey
        ? vscode.l10n.t('{0} rejects requests without a key', info.label)
        : vscode.l10n.t('for servers that need no key'),
      action: 'clear',
    },
  ];
}

function kindOf(state: NewProviderDraft): ProviderKind {
  if (state.kind === undefined) {
    throw new Error('The provider kind is asked before the other fields');
  }
  return state.kind;
}

/** Returns `base`, or `base 2`, `base 3`… when the user already has a provider of that name. */
function unusedName(base: string, takenNames: readonly string[]): string {
  if (!takenNames.includes(base)) {
    return base;
  }
  let suffix = 2;
  while (takenNames.includes(`${base} ${suffix}`)) {
    suffix += 1;
  }
  return `${base} ${suffix}`;
}
