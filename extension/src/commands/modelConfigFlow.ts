// The multi-step input of the Add Model Config and Edit Model Config commands.
import * as vscode from 'vscode';
import {
  MODEL_CONFIG_DEFAULTS,
  type ApiModelConfig,
  type ApiReasoningSetting,
  type CreateModelConfigRequest,
} from '../../../shared/src/api/modelConfigs.js';
import type { ApiProviderModel } from '../../../shared/src/api/providers.js';
import {
  checkBudgetTokens,
  checkDisplayName,
  checkMaxTokens,
  checkModelId,
  checkNumber,
  checkPrice,
  parseNumber,
  parsePrice,
  REASONING_EFFORTS,
  TEMPERATURE,
  TOP_K,
  TOP_P,
} from './modelConfigFields.js';
import type { FieldCheck } from './providerFields.js';
import {
  activeItem,
  inputStep,
  outcomeOf,
  runFlow,
  type FlowStep,
  type PromptUi,
  type StepPosition,
} from './promptUi.js';

type ReasoningChoice = 'off' | (typeof REASONING_EFFORTS)[number] | 'budget';

/** The entries of the model config steps, as typed, so a failed save can reopen them. */
export interface ModelConfigDraft {
  modelId?: string;
  /** The context length of the chosen model, when its provider reports one. */
  contextLength: number | null;
  displayName?: string;
  temperature: string;
  maxTokens: string;
  topP: string;
  topK: string;
  reasoning: ReasoningChoice;
  budgetTokens: string;
  priceInput: string;
  priceOutput: string;
}

/** The fields a model config request takes, parsed from a finished draft. */
export type ModelConfigFields = Required<Omit<CreateModelConfigRequest, 'providerId' | 'enabled'>>;

/** Returns a draft with the server's defaults, for a new config. */
export function newModelConfigDraft(model?: ApiProviderModel): ModelConfigDraft {
  return {
    ...(model === undefined ? {} : { modelId: model.modelId, displayName: model.modelId }),
    contextLength: model?.contextLength ?? null,
    temperature: String(MODEL_CONFIG_DEFAULTS.temperature),
    maxTokens: String(
      Math.min(MODEL_CONFIG_DEFAULTS.maxTokens, model?.contextLength ?? Number.MAX_SAFE_INTEGER),
    ),
    topP: String(MODEL_CONFIG_DEFAULTS.topP),
    topK: String(MODEL_CONFIG_DEFAULTS.topK),
    reasoning: 'off',
    budgetTokens: '',
    priceInput: '',
    priceOutput: '',
  };
}

/** Returns a draft with a config's current values, for editing it. */
export function modelConfigDraftOf(
  config: ApiModelConfig,
  contextLength: number | null,
): ModelConfigDraft {
  const reasoning = config.reasoning;
  return {
    modelId: config.modelId,
    contextLength,
    displayName: config.displayName,
    temperature: String(config.temperature),
    maxTokens: String(config.maxTokens),
    topP: String(config.topP),
    topK: String(config.topK),
    reasoning: reasoning?.effort ?? (reasoning?.budgetTokens === undefined ? 'off' : 'budget'),
    budgetTokens: reasoning?.budgetTokens === undefined ? '' : String(reasoning.budgetTokens),
    priceInput: config.priceInputPerMTok === null ? '' : String(config.priceInputPerMTok),
    priceOutput: config.priceOutputPerMTok === null ? '' : String(config.priceOutputPerMTok),
  };
}

/** Parses a draft whose every step passed its check. */
export function modelConfigFieldsOf(draft: ModelConfigDraft): ModelConfigFields {
  const number = (text: string) => parseNumber(text) ?? 0;
  let reasoning: ApiReasoningSetting | null = null;
  if (draft.reasoning === 'budget') {
    reasoning = { budgetTokens: number(draft.budgetTokens) };
  } else if (draft.reasoning !== 'off') {
    reasoning = { effort: draft.reasoning };
  }
  return {
    modelId: draft.modelId ?? '',
    displayName: (draft.displayName ?? draft.modelId ?? '').trim(),
    temperature: number(draft.temperature),
    maxTokens: number(draft.maxTokens),
    topP: number(draft.topP),
    topK: number(draft.topK),
    reasoning,
    priceInputPerMTok: parsePrice(draft.priceInput),
    priceOutputPerMTok: parsePrice(draft.priceOutput),
  };
}

export interface ModelConfigFlowOptions {
  title: string;
  /**
   * The provider's synced models to pick from; an empty list asks for a typed model id, and
   * undefined skips the model step, as when editing or when the model was chosen in the tree.
   */
  models?: readonly ApiProviderModel[];
  /** Returns the display names already used by configs of a model. */
  takenNames(modelId: string): readonly string[];
}

type ModelItem = vscode.QuickPickItem & { model: ApiProviderModel };
type ReasoningItem = vscode.QuickPickItem & { choice: ReasoningChoice };

/** Runs the steps of a model config over `draft`; resolves with it, or undefined on cancel. */
export function askModelConfig(
  ui: PromptUi,
  options: ModelConfigFlowOptions,
  draft: ModelConfigDraft,
): Promise<ModelConfigDraft | undefined> {
  const first = options.models === undefined ? 0 : 1;
  const position = (step: number) => ({
    title: options.title,
    step: first + step,
    totalSteps: first + 9,
  });
  const text = (step: number, prompt: string, field: TextField, check: FieldChecker) =>
    textStep(ui, { ...position(step), prompt }, field, check);
  const steps: FlowStep<ModelConfigDraft>[] = [
    modelStep(ui, options, position(0)),
    text(
      1,
      vscode.l10n.t('Display name, shown in chat and comparisons'),
      'displayName',
      (value, state) => checkDisplayName(value, options.takenNames(state.modelId ?? '')),
    ),
    text(2, vscode.l10n.t('Temperature, from 0 to 2'), 'temperature', (value) =>
      checkNumber(TEMPERATURE, value),
    ),
    text(3, vscode.l10n.t('Max tokens of an answer'), 'maxTokens', (value, state) =>
      checkMaxTokens(value, state.contextLength),
    ),
    text(4, vscode.l10n.t('top_p, from 0 to 1'), 'topP', (value) => checkNumber(TOP_P, value)),
    text(5, vscode.l10n.t('top_k; 0 leaves it to the provider'), 'topK', (value) =>
      checkNumber(TOP_K, value),
    ),
    reasoningStep(ui, position(6)),
    budgetStep(ui, position(7)),
    text(
      8,
      vscode.l10n.t('Input price in dollars per million tokens; empty when unknown'),
      'priceInput',
      checkPrice,
    ),
    text(
      9,
      vscode.l10n.t('Output price in dollars per million tokens; empty when unknown'),
      'priceOutput',
      checkPrice,
    ),
  ];
  return runFlow(steps, draft);
}

/** The draft fields that hold typed text. */
type TextField = {
  [Key in keyof ModelConfigDraft]-?: ModelConfigDraft[Key] extends string | undefined ? Key : never;
}[keyof ModelConfigDraft];

type FieldChecker = (value: string, state: ModelConfigDraft) => FieldCheck | undefined;

/** Returns a step that edits one text field of the draft. */
function textStep(
  ui: PromptUi,
  step: StepPosition & { prompt: string },
  field: TextField,
  check: FieldChecker,
): FlowStep<ModelConfigDraft> {
  return inputStep(
    ui,
    (state) => ({ ...step, value: state[field] ?? '', validate: (value) => check(value, state) }),
    (state, value) => {
      state[field] = value.trim() as never;
    },
  );
}

/** Returns the reasoning budget step, which runs only when the user chose a token budget. */
function budgetStep(ui: PromptUi, position: StepPosition): FlowStep<ModelConfigDraft> {
  return async (state) => {
    if (state.reasoning !== 'budget') {
      return 'skip';
    }
    const maxTokens = parseNumber(state.maxTokens) ?? 0;
    if (state.budgetTokens === '') {
      state.budgetTokens = String(Math.min(4096, Math.floor(maxTokens / 2)));
    }
    const step = textStep(
      ui,
      { ...position, prompt: vscode.l10n.t('Reasoning budget in tokens, below max tokens') },
      'budgetTokens',
      (value) => checkBudgetTokens(value, maxTokens),
    );
    return step(state);
  };
}

function modelStep(
  ui: PromptUi,
  options: ModelConfigFlowOptions,
  position: StepPosition,
): FlowStep<ModelConfigDraft> {
  const models = options.models;
  return async (state) => {
    if (models === undefined) {
      return 'skip';
    }
    if (models.length === 0) {
      return outcomeOf(
        await ui.input({
          ...position,
          prompt: vscode.l10n.t('Model id, as the provider names it'),
          value: state.modelId ?? '',
          validate: checkModelId,
        }),
        (value) => {
          chooseModel(state, value.trim(), null);
        },
      );
    }
    const items: ModelItem[] = models.map((model) => ({
      label: model.modelId,
      description: [
        model.type,
        ...(model.contextLength === null ? [] : [vscode.l10n.t('{0} tokens', model.contextLength)]),
      ].join(' · '),
      ...(model.displayName === model.modelId ? {} : { detail: model.displayName }),
      model,
    }));
    return outcomeOf(
      await ui.pick({
        ...position,
        placeholder: vscode.l10n.t('Choose a model synced from the provider'),
        items,
        ...activeItem(items, (item) => item.model.modelId === state.modelId),
      }),
      (item) => {
        chooseModel(state, item.model.modelId, item.model.contextLength);
      },
    );
  };
}

/**
 * Stores the chosen model. A new model resets the display name to its id, the server's default,
 * and lowers max tokens to the model's context length when it is known and smaller.
 */
function chooseModel(state: ModelConfigDraft, modelId: string, contextLength: number | null): void {
  if (state.modelId !== modelId) {
    state.displayName = modelId;
  }
  state.modelId = modelId;
  state.contextLength = contextLength;
  const maxTokens = parseNumber(state.maxTokens);
  if (contextLength !== null && maxTokens !== undefined && maxTokens > contextLength) {
    state.maxTokens = String(contextLength);
  }
}

function reasoningStep(ui: PromptUi, position: StepPosition): FlowStep<ModelConfigDraft> {
  const items: ReasoningItem[] = [
    {
      label: vscode.l10n.t('Off'),
      description: vscode.l10n.t('send no reasoning setting; the model decides'),
      choice: 'off',
    },
    ...REASONING_EFFORTS.map((effort) => ({
      label: vscode.l10n.t('Effort: {0}', effort),
      description: vscode.l10n.t('reasoning effort, as OpenAI reasoning models take it'),
      choice: effort,
    })),
    {
      label: vscode.l10n.t('Token Budget…'),
      description: vscode.l10n.t('a thinking budget, as Anthropic models take it'),
      choice: 'budget',
    },
  ];
  return async (state) =>
    outcomeOf(
      await ui.pick({
        ...position,
        placeholder: vscode.l10n.t('Reasoning'),
        items,
        ...activeItem(items, (item) => item.choice === state.reasoning),
      }),
      (item) => {
        state.reasoning = item.choice;
      },
    );
}
