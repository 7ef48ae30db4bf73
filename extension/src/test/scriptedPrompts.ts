// A PromptUi for the in-host tests: it answers the provider commands' steps from a script,
// checks each typed answer with the step's own validation, and records every step, dialog and
// message. With `widgets`, QuickPick and InputBox steps show VS Code's real QuickInput instead,
// and the script types into it and accepts it the way a user would.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type {
  InputStep,
  NoticeSeverity,
  PickStep,
  PromptUi,
  QuickInputPrompts,
  ShownInput,
  StepResult,
} from '../commands/promptUi.js';

/** One scripted reply to a step. */
export type StepAnswer =
  /** Chooses the item whose label matches. */
  | { pick: string | RegExp }
  /**
   * Types `input`. With `rejected`, the step's validation must reject it with a matching
   * message and the step stays open for the next answer; with `note`, it must accept it with a
   * matching info message. `before` runs first, such as a change made by someone else meanwhile.
   */
  | { input: string; rejected?: RegExp; note?: RegExp; before?: () => Promise<void> }
  /** Accepts the value an InputBox opened with, or the item a QuickPick highlighted. */
  | { keep: true }
  | { back: true }
  | { cancel: true };

/** A step as it was shown. */
export interface ShownStep {
  kind: 'pick' | 'input';
  title: string;
  step: number;
  totalSteps: number;
  /** The prompt of an InputBox, or the placeholder of a QuickPick. */
  prompt: string;
  /** The value an InputBox opened with. */
  value?: string;
  /** The labels of a QuickPick's items. */
  items?: string[];
  /** The label of the item highlighted when the QuickPick opened. */
  activeItem?: string;
  password?: boolean;
}

export interface Notice {
  severity: NoticeSeverity;
  message: string;
  actions: string[];
}

/** A reply to a notification or error whose message matches `match`. */
export interface NoticeAnswer {
  match: RegExp;
  choose: string;
}

export class ScriptedPrompts implements PromptUi {
  readonly steps: ShownStep[] = [];
  readonly notices: Notice[] = [];
  readonly errors: { message: string; actions: string[] }[] = [];
  readonly confirmations: { message: string; detail: string; action: string }[] = [];
  private readonly answers: StepAnswer[] = [];
  private readonly confirmAnswers: boolean[] = [];
  private readonly noticeAnswers: NoticeAnswer[] = [];

  /** With `widgets`, steps show on the real QuickInput and the script drives it. */
  constructor(private readonly widgets?: QuickInputPrompts) {}

  /** Queues replies for the next steps. */
  answer(...answers: StepAnswer[]): this {
    this.answers.push(...answers);
    return this;
  }

  /** Queues replies for the next modal confirmations. */
  confirmWith(...answers: boolean[]): this {
    this.confirmAnswers.push(...answers);
    return this;
  }

  /** Queues a reply for the next notification or error whose message matches. */
  chooseOn(match: RegExp, choose: string): this {
    this.noticeAnswers.push({ match, choose });
    return this;
  }

  /** Fails unless every queued reply was used, and clears the records for the next test. */
  assertDone(): void {
    assert.deepEqual(this.answers, [], 'step answers left unused');
    assert.deepEqual(this.confirmAnswers, [], 'confirmation answers left unused');
    assert.deepEqual(
      this.noticeAnswers.map((answer) => String(answer.match)),
      [],
      'notification answers left unused',
    );
    this.steps.length = 0;
    this.notices.length = 0;
    this.errors.length = 0;
    this.confirmations.length = 0;
  }

  /** Returns the messages of the notifications shown, of one severity. */
  messages(severity: NoticeSeverity): string[] {
    return this.notices.filter((notice) => notice.severity === severity).map((n) => n.message);
  }

  async pick<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<StepResult<T>> {
    this.steps.push({
      kind: 'pick',
      title: step.title,
      step: step.step,
      totalSteps: step.totalSteps,
      prompt: step.placeholder,
      items: step.items.map((item) => item.label),
      ...(step.activeItem === undefined ? {} : { activeItem: step.activeItem.label }),
    });
    const answer = this.nextAnswer(step.title);
    if (this.widgets !== undefined) {
      return this.onWidget(answer, () => this.widgets!.pick(step));
    }
    if ('back' in answer || 'cancel' in answer) {
      return 'back' in answer ? { action: 'back' } : undefined;
    }
    if ('keep' in answer) {
      assert.ok(step.activeItem, `step ${step.step} of ${step.title} highlights no item to keep`);
      return { action: 'next', value: step.activeItem };
    }
    assert.ok('pick' in answer, `step ${step.step} of ${step.title} is a QuickPick, not an input`);
    const chosen = step.items.find((item) => labelMatches(item.label, answer.pick));
    assert.ok(
      chosen,
      `no item matches ${String(answer.pick)} in ${step.items.map((i) => i.label).join(', ')}`,
    );
    return { action: 'next', value: chosen };
  }

  async input(step: InputStep): Promise<StepResult<string>> {
    this.steps.push({
      kind: 'input',
      title: step.title,
      step: step.step,
      totalSteps: step.totalSteps,
      prompt: step.prompt,
      value: step.value ?? '',
      password: step.password === true,
    });
    for (;;) {
      const answer = this.nextAnswer(step.title);
      if (this.widgets !== undefined) {
        return this.onWidget(answer, () => this.widgets!.input(step));
      }
      if ('back' in answer || 'cancel' in answer) {
        return 'back' in answer ? { action: 'back' } : undefined;
      }
      const typed = 'keep' in answer ? { input: step.value ?? '' } : answer;
      assert.ok('input' in typed, `step ${step.step} of ${step.title} is an input, not a pick`);
      await typed.before?.();
      const check = step.validate?.(typed.input);
      if (typed.rejected !== undefined) {
        assert.equal(check?.severity, 'error', `${step.prompt}: ${typed.input} was accepted`);
        assert.match(check.message, typed.rejected);
        continue;
      }
      assert.notEqual(
        check?.severity,
        'error',
        `${step.prompt}: ${typed.input} was rejected: ${check?.message}`,
      );
      if (typed.note !== undefined) {
        assert.match(check?.message ?? '(no note)', typed.note);
      }
      return { action: 'next', value: typed.input };
    }
  }

  confirm(message: string, detail: string, action: string): Promise<boolean> {
    this.confirmations.push({ message, detail, action });
    const answer = this.confirmAnswers.shift();
    assert.notEqual(answer, undefined, `no answer queued for the confirmation "${message}"`);
    return Promise.resolve(answer === true);
  }

  notify(
    severity: NoticeSeverity,
    message: string,
    ...actions: string[]
  ): Promise<string | undefined> {
    this.notices.push({ severity, message, actions });
    return Promise.resolve(this.replyTo(message, actions));
  }

  showError(message: string, _error: unknown, ...actions: string[]): Promise<string | undefined> {
    this.errors.push({ message, actions });
    return Promise.resolve(this.replyTo(message, actions));
  }

  private replyTo(message: string, actions: string[]): string | undefined {
    const index = this.noticeAnswers.findIndex((answer) => answer.match.test(message));
    if (index === -1) {
      return undefined;
    }
    const [answer] = this.noticeAnswers.splice(index, 1);
    assert.ok(
      answer !== undefined && actions.includes(answer.choose),
      `"${message}" offers ${actions.join(', ')}, not ${answer?.choose}`,
    );
    return answer.choose;
  }

  private nextAnswer(title: string): StepAnswer {
    const answer = this.answers.shift();
    assert.ok(answer, `no answer queued for a step of ${title}`);
    return answer;
  }

  /**
   * Shows the step on the real QuickInput through `show`, then sets the answer on the widget
   * and accepts it (or presses Back, or hides it) with the workbench's own commands.
   */
  private async onWidget<T>(
    answer: StepAnswer,
    show: () => Promise<StepResult<T>>,
  ): Promise<StepResult<T>> {
    const shown = new Promise<ShownInput>((resolve) => {
      const listener = this.widgets!.onDidShowInput((widget) => {
        listener.dispose();
        resolve(widget);
      });
    });
    const result = show();
    const widget = await shown;
    await driveWidget(widget, answer);
    return result;
  }
}

function labelMatches(label: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? label === expected : expected.test(label);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Answers a shown QuickInput. The extension host sends property changes to the workbench after
 * a zero-delay timer, so each change gets a short pause before the command that acts on it.
 */
async function driveWidget(widget: ShownInput, answer: StepAnswer): Promise<void> {
  await delay(100);
  if ('cancel' in answer) {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    return;
  }
  if ('back' in answer) {
    await vscode.commands.executeCommand('workbench.action.quickInputBack');
    return;
  }
  if ('keep' in answer) {
    // The widget already contains the value or highlights the item.
  } else if ('pick' in answer) {
    const quickPick = widget as vscode.QuickPick<vscode.QuickPickItem>;
    const chosen = quickPick.items.find((item) => labelMatches(item.label, answer.pick));
    assert.ok(chosen, `no item matches ${String(answer.pick)} in the QuickPick`);
    quickPick.activeItems = [chosen];
  } else {
    (widget as vscode.InputBox).value = answer.input;
  }
  await delay(100);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}
