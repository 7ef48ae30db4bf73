import * as vscode from 'vscode';
import type { Logger } from '../log.js';
import type { FieldCheck } from './providerFields.js';

/** The outcome of one step of a multi-step input: a value, a step back, or undefined to cancel. */
export type StepResult<T> = { action: 'next'; value: T } | { action: 'back' } | undefined;

/** The title and step counter a QuickInput shows. */
export interface StepPosition {
  title: string;
  step: number;
  totalSteps: number;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  placeholder: string;
  items: readonly T[];
  /** The item highlighted when the step opens, such as the current value when editing. */
  activeItem?: T;
}

export interface InputStep extends StepPosition {
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Checks the typed value: an error blocks it, an info is shown as a hint. */
  validate?(value: string): FieldCheck | undefined;
}

/** The severity of a notification. */
export type NoticeSeverity = 'info' | 'warning' | 'error';

/**
 * The prompts, dialogs and messages of the provider commands, which show them only through it,
 * so the in-host tests can answer modal dialogs and read the messages. Progress notifications
 * go to VS Code directly.
 */
export interface PromptUi {
  /** Shows a QuickPick step; a step after the first has a Back button. */
  pick<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<StepResult<T>>;
  /** Shows an InputBox step; a step after the first has a Back button. */
  input(step: InputStep): Promise<StepResult<string>>;
  /** Asks a modal question; resolves true when the user chooses `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** Shows a notification and resolves with the action the user chose, if any. */
  notify(
    severity: NoticeSeverity,
    message: string,
    ...actions: string[]
  ): Promise<string | undefined>;
  /**
   * Shows a failure as one sentence with the given actions and Show Log, and writes the error's
   * details to the log. Resolves with the action chosen other than Show Log.
   */
  showError(message: string, error: unknown, ...actions: string[]): Promise<string | undefined>;
}

/** The QuickInput a QuickInputPrompts step shows, for tests that drive the real widget. */
export type ShownInput = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

/** PromptUi on VS Code's QuickPick, InputBox and message APIs. */
export class QuickInputPrompts implements PromptUi, vscode.Disposable {
  private readonly shown = new vscode.EventEmitter<ShownInput>();
  /** Fires after each step's QuickInput appears. */
  readonly onDidShowInput = this.shown.event;

  constructor(private readonly log: Logger) {}

  pick<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<StepResult<T>> {
    const quickPick = vscode.window.createQuickPick<T>();
    setPosition(quickPick, step);
    quickPick.placeholder = step.placeholder;
    quickPick.items = step.items;
    quickPick.matchOnDescription = true;
    if (step.activeItem !== undefined) {
      quickPick.activeItems = [step.activeItem];
    }
    return this.run(quickPick, (resolve) =>
      quickPick.onDidAccept(() => {
        const [chosen] = quickPick.selectedItems;
        if (chosen !== undefined) {
          resolve({ action: 'next', value: chosen });
        }
      }),
    );
  }

  input(step: InputStep): Promise<StepResult<string>> {
    const inputBox = vscode.window.createInputBox();
    setPosition(inputBox, step);
    inputBox.prompt = step.prompt;
    inputBox.value = step.value ?? '';
    inputBox.placeholder = step.placeholder;
    inputBox.password = step.password === true;
    const validate = (value: string) => {
      const check = step.validate?.(value);
      inputBox.validationMessage = check === undefined ? undefined : toValidationMessage(check);
      return check?.severity !== 'error';
    };
    validate(inputBox.value);
    return this.run(inputBox, (resolve) =>
      vscode.Disposable.from(
        inputBox.onDidChangeValue(validate),
        inputBox.onDidAccept(() => {
          if (validate(inputBox.value)) {
            resolve({ action: 'next', value: inputBox.value });
          }
        }),
      ),
    );
  }

  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
    return choice === action;
  }

  async notify(
    severity: NoticeSeverity,
    message: string,
    ...actions: string[]
  ): Promise<string | undefined> {
    if (severity === 'info') {
      return vscode.window.showInformationMessage(message, ...actions);
    }
    if (severity === 'warning') {
      return vscode.window.showWarningMessage(message, ...actions);
    }
    return vscode.window.showErrorMessage(message, ...actions);
  }

  async showError(
    message: string,
    error: unknown,
    ...actions: string[]
  ): Promise<string | undefined> {
    this.log.error(message, ...(error === undefined ? [] : [error]));
    const showLog = vscode.l10n.t('Show Log');
    const choice = await vscode.window.showErrorMessage(message, ...actions, showLog);
    if (choice === showLog) {
      this.log.show();
      return undefined;
    }
    return choice;
  }

  dispose(): void {
    this.shown.dispose();
  }

  /**
   * Shows a QuickInput and resolves with what `listen` resolves, with back on the Back button,
   * or with undefined when it is hidden. The QuickInput is disposed afterwards.
   */
  private run<T>(
    input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
    listen: (resolve: (result: StepResult<T>) => void) => vscode.Disposable,
  ): Promise<StepResult<T>> {
    return new Promise<StepResult<T>>((resolve) => {
      let settled = false;
      const finish = (result: StepResult<T>) => {
        if (!settled) {
          settled = true;
          subscriptions.dispose();
          input.dispose();
          resolve(result);
        }
      };
      const subscriptions = vscode.Disposable.from(
        listen(finish),
        input.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) {
            finish({ action: 'back' });
          }
        }),
        input.onDidHide(() => finish(undefined)),
      );
      input.show();
      this.shown.fire(input);
    });
  }
}

function setPosition<T extends vscode.QuickPickItem>(
  input: vscode.QuickPick<T> | vscode.InputBox,
  position: StepPosition,
): void {
  input.title = position.title;
  // A single prompt shows no step counter.
  if (position.totalSteps > 1) {
    input.step = position.step;
    input.totalSteps = position.totalSteps;
  }
  input.ignoreFocusOut = true;
  if (position.step > 1) {
    input.buttons = [vscode.QuickInputButtons.Back];
  }
}

function toValidationMessage(check: FieldCheck): vscode.InputBoxValidationMessage {
  return {
    message: check.message,
    severity:
      check.severity === 'error'
        ? vscode.InputBoxValidationSeverity.Error
        : vscode.InputBoxValidationSeverity.Info,
  };
}

/** A step's outcome for runFlow: go on, go back, skip in the current direction, or cancel. */
export type StepOutcome = 'next' | 'back' | 'skip' | 'cancel';

/** A step of a flow; it reads and changes the flow's state. */
export type FlowStep<State> = (state: State) => Promise<StepOutcome>;

/**
 * Runs steps in order. Back returns to the previous step that was not skipped, and cancel on any
 * step ends the flow. Resolves with the state after the last step, or undefined when cancelled.
 */
export async function runFlow<State>(
  steps: readonly FlowStep<State>[],
  state: State,
): Promise<State | undefined> {
  let index = 0;
  let direction: 1 | -1 = 1;
  while (index < steps.length) {
    const step = steps[index] as FlowStep<State>;
    const outcome = await step(state);
    if (outcome === 'cancel') {
      return undefined;
    }
    if (outcome !== 'skip') {
      direction = outcome === 'back' ? -1 : 1;
    }
    index += direction;
    if (index < 0) {
      // Nothing comes before the first step: show the step the user went back from again.
      direction = 1;
      index = outcome === 'skip' ? 1 : 0;
    }
  }
  return state;
}

/** Turns a step result into a flow outcome, storing the value through `apply` on next. */
export function outcomeOf<T>(result: StepResult<T>, apply: (value: T) => void): StepOutcome {
  if (result === undefined) {
    return 'cancel';
  }
  if (result.action === 'back') {
    return 'back';
  }
  apply(result.value);
  return 'next';
}

/** Returns a flow step that shows the InputBox `build` returns, or skips when it returns 'skip'. */
export function inputStep<State>(
  ui: PromptUi,
  build: (state: State) => InputStep | 'skip',
  apply: (state: State, value: string) => void,
): FlowStep<State> {
  return async (state) => {
    const step = build(state);
    if (step === 'skip') {
      return 'skip';
    }
    return outcomeOf(await ui.input(step), (value) => apply(state, value));
  };
}

/** Returns a flow step that shows the QuickPick `build` returns. */
export function pickStep<State, T extends vscode.QuickPickItem>(
  ui: PromptUi,
  build: (state: State) => PickStep<T>,
  apply: (state: State, item: T) => void,
): FlowStep<State> {
  return async (state) => outcomeOf(await ui.pick(build(state)), (item) => apply(state, item));
}

/** Returns `{ activeItem }` for the first item that matches, or an empty object. */
export function activeItem<T>(
  items: readonly T[],
  matches: (item: T) => boolean,
): { activeItem?: T } {
  const found = items.find(matches);
  return found === undefined ? {} : { activeItem: found };
}
