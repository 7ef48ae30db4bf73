import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  ApiComparison,
  ApiComparisonResult,
  CompareExportFormat,
} from '../../../shared/src/api/compare.js';
import { MAX_COMPARE_SLOTS } from '../../../shared/src/api/compare.js';
import type {
  CompareColumnState,
  CompareHostMessage,
  CompareModelOption,
  CompareRunRequest,
  CompareSystemPromptOption,
  CompareWebviewMessage,
  CompareWebviewState,
} from '../../../shared/src/protocol/compare.js';
import { scanVariables } from '../../../shared/src/prompts/variables.js';
import { LiveAnswer } from '../chat/liveAnswer.js';

/** What one column shows: its stored result, and the streaming answer while it runs. */
export interface ColumnView {
  result: ApiComparisonResult | undefined;
  live: LiveAnswer | undefined;
}

/** A run as sent, with the column each slot came from, for Rerun and for placing results. */
interface SentRun {
  request: CompareRunRequest;
  slotColumns: number[];
}

const emptyColumns = (): CompareColumnState[] =>
  Array.from({ length: MAX_COMPARE_SLOTS }, () => ({ modelConfigId: null, systemPrompt: '' }));

const emptyViews = (): ColumnView[] =>
  Array.from({ length: MAX_COMPARE_SLOTS }, () => ({ result: undefined, live: undefined }));

/**
 * The compare webview's state and how each host message changes it. Every change except a
 * streamed delta requests a render of the host element. Deltas go straight to each column's
 * `LiveAnswer`, which renders the streaming answer itself once per frame.
 */
export class CompareState implements ReactiveController {
  signedIn: boolean | undefined = undefined;
  models: CompareModelOption[] = [];
  systemPrompts: CompareSystemPromptOption[] = [];
  prompt: string;
  variables: Record<string, string>;
  columns: CompareColumnState[];
  views: ColumnView[] = emptyViews();
  comparisonId: number | null;
  bestResultId: number | null = null;
  busy = false;
  notice: { level: 'error' | 'info'; message: string } | undefined = undefined;
  private lastRun: SentRun | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly post: (message: CompareWebviewMessage) => void,
    private readonly save: (state: CompareWebviewState) => void,
    saved: CompareWebviewState | undefined,
  ) {
    host.addController(this);
    this.prompt = saved?.prompt ?? '';
    this.variables = { ...saved?.variables };
    this.columns = saved?.columns.slice(0, MAX_COMPARE_SLOTS) ?? emptyColumns();
    while (this.columns.length < MAX_COMPARE_SLOTS) {
      this.columns.push({ modelConfigId: null, systemPrompt: '' });
    }
    this.comparisonId = saved?.comparisonId ?? null;
  }

  hostDisconnected(): void {
    for (const view of this.views) {
      view.live?.dispose();
    }
  }

  /** The names of the `{{variables}}` the prompt uses, in order of first use. */
  get variableNames(): string[] {
    return [...new Set(scanVariables(this.prompt).map((use) => use.name))];
  }

  /** True when a run can start: signed in, idle, a prompt, and at least one model picked. */
  get canRun(): boolean {
    return (
      this.signedIn === true &&
      !this.busy &&
      this.prompt.trim() !== '' &&
      this.columns.some((column) => column.modelConfigId !== null)
    );
  }

  get canRerun(): boolean {
    return this.lastRun !== undefined && !this.busy && this.signedIn === true;
  }

  apply(message: CompareHostMessage): void {
    switch (message.type) {
      case 'init':
        this.signedIn = message.signedIn;
        break;
      case 'models':
        this.models = message.models;
        break;
      case 'systemPrompts':
        this.systemPrompts = message.prompts;
        break;
      case 'comparison':
        this.show(message.comparison);
        break;
      case 'slotStart':
        this.startSlot(message.comparisonId, message.result);
        break;
      case 'slotDelta':
        this.viewOf(message.slot)?.live?.append(message.reasoning, message.content);
        return;
      case 'slotUsage':
        this.viewOf(message.slot)?.live?.setUsage(message.usage);
        return;
      case 'slotEnd':
        this.endSlot(message.result);
        break;
      case 'complete':
        this.complete(message.comparison);
        break;
      case 'busy':
        this.busy = message.busy;
        break;
      case 'notice':
        this.notice = { level: message.level, message: message.message };
        break;
      case 'theme':
        return;
    }
    this.host.requestUpdate();
  }

  /** Sends the prompt to every column with a model picked. */
  run(): void {
    if (!this.canRun) {
      return;
    }
    const slotColumns = this.columns.flatMap((column, index) =>
      column.modelConfigId === null ? [] : [index],
    );
    const variables = Object.fromEntries(
      this.variableNames.map((name) => [name, this.variables[name] ?? '']),
    );
    const request: CompareRunRequest = {
      type: 'run',
      prompt: this.prompt,
      variables,
      slots: slotColumns.map((index) => {
        const column = this.columns[index]!;
        return { modelConfigId: column.modelConfigId!, systemPrompt: column.systemPrompt };
      }),
    };
    this.send({ request, slotColumns });
  }

  /** Sends the last run again as a new comparison. */
  rerun(): void {
    if (this.canRerun && this.lastRun !== undefined) {
      this.send(this.lastRun);
    }
  }

  stop(): void {
    this.post({ type: 'stop' });
  }

  setPrompt(prompt: string): void {
    this.prompt = prompt;
    this.persist();
  }

  setVariable(name: string, value: string): void {
    this.variables = { ...this.variables, [name]: value };
    this.persist();
  }

  setColumn(index: number, change: Partial<CompareColumnState>): void {
    this.columns = this.columns.map((column, position) =>
      position === index ? { ...column, ...change } : column,
    );
    this.persist();
    this.host.requestUpdate();
  }

  /** Marks a result as the best answer, or clears the pick, here at once and on the server. */
  pickBest(resultId: number | null): void {
    if (this.comparisonId === null) {
      return;
    }
    this.bestResultId = resultId;
    this.post({ type: 'pickBest', comparisonId: this.comparisonId, resultId });
    this.host.requestUpdate();
  }

  rate(resultId: number, rating: number | null): void {
    if (this.comparisonId === null) {
      return;
    }
    this.views = this.views.map((view) =>
      view.result?.id === resultId ? { ...view, result: { ...view.result, rating } } : view,
    );
    this.post({ type: 'rate', comparisonId: this.comparisonId, resultId, rating });
    this.host.requestUpdate();
  }

  exportAs(format: CompareExportFormat): void {
    if (this.comparisonId !== null) {
      this.post({ type: 'export', comparisonId: this.comparisonId, format });
    }
  }

  dismissNotice(): void {
    this.notice = undefined;
    this.host.requestUpdate();
  }

  private send(run: SentRun): void {
    this.lastRun = run;
    this.notice = undefined;
    this.clearViews();
    this.comparisonId = null;
    this.bestResultId = null;
    this.post(run.request);
    this.persist();
    this.host.requestUpdate();
  }

  /** Shows a stored comparison: its prompt, its models and system prompts, and its results. */
  private show(comparison: ApiComparison): void {
    this.clearViews();
    // A result whose config was deleted cannot run again, so Rerun leaves its slot out.
    const rerunnable = comparison.results.filter((result) => result.modelConfigId !== null);
    this.prompt = comparison.promptTemplate ?? comparison.prompt;
    this.variables = { ...comparison.variables };
    this.columns = emptyColumns().map((empty, index) => {
      const result = comparison.results.find((item) => item.slot === index);
      return result === undefined
        ? empty
        : { modelConfigId: result.modelConfigId, systemPrompt: result.systemPrompt ?? '' };
    });
    for (const result of comparison.results) {
      this.views[result.slot] = { result, live: undefined };
    }
    this.comparisonId = comparison.id;
    this.bestResultId = comparison.bestResultId;
    this.lastRun = {
      slotColumns: rerunnable.map((result) => result.slot),
      request: {
        type: 'run',
        prompt: this.prompt,
        variables: { ...comparison.variables },
        slots: rerunnable.map((result) => ({
          modelConfigId: result.modelConfigId!,
          systemPrompt: result.systemPrompt ?? '',
        })),
      },
    };
    this.persist();
  }

  private startSlot(comparisonId: number, result: ApiComparisonResult): void {
    this.comparisonId = comparisonId;
    const index = this.columnOf(result.slot);
    this.views[index]?.live?.dispose();
    this.views[index] = { result, live: new LiveAnswer(result.id) };
    this.persist();
  }

  /**
   * Replaces a slot's streaming answer with its stored result. A rating given while the other
   * slots ran is kept, because the stored result may predate it.
   */
  private endSlot(result: ApiComparisonResult): void {
    const index = this.columnOf(result.slot);
    const view = this.views[index];
    if (view === undefined) {
      return;
    }
    view.live?.dispose();
    this.views[index] = {
      result: { ...result, rating: view.result?.rating ?? result.rating },
      live: undefined,
    };
  }

  private complete(comparison: ApiComparison): void {
    this.comparisonId = comparison.id;
    for (const result of comparison.results) {
      this.endSlot(result);
    }
    this.bestResultId ??= comparison.bestResultId;
    this.persist();
  }

  private columnOf(slot: number): number {
    return this.lastRun?.slotColumns[slot] ?? slot;
  }

  private viewOf(slot: number): ColumnView | undefined {
    return this.views[this.columnOf(slot)];
  }

  private clearViews(): void {
    for (const view of this.views) {
      view.live?.dispose();
    }
    this.views = emptyViews();
  }

  private persist(): void {
    this.save({
      prompt: this.prompt,
      variables: this.variables,
      columns: this.columns,
      comparisonId: this.comparisonId,
    });
  }
}
