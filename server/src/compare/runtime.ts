import type { AppServices } from '../context.js';
import type { AbortCause } from '../chat/runtime.js';

/** A comparison whose slots are answering, with one abort controller per slot. */
export class RunningComparison {
  readonly controllers: AbortController[];
  /** Promises by slot, each settled once that slot's answer is stored. */
  readonly slotsFinished: Promise<void>[];
  private readonly resolveSlots: (() => void)[] = [];
  private resolveFinished!: () => void;
  /** Settles when every slot's answer is stored. */
  readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    readonly comparisonId: number,
    slotCount: number,
    private readonly onRelease: (running: RunningComparison) => void,
  ) {
    this.controllers = Array.from({ length: slotCount }, () => new AbortController());
    this.slotsFinished = this.controllers.map(
      () => new Promise<void>((resolve) => this.resolveSlots.push(resolve)),
    );
  }

  /** Records that a slot's answer is stored. */
  slotFinished(slot: number): void {
    this.resolveSlots[slot]?.();
  }

  /** Aborts one slot, or every slot when `slot` is undefined; a slot that ended ignores it. */
  abort(cause: AbortCause, slot?: number): void {
    const targets = slot === undefined ? this.controllers : [this.controllers[slot]];
    for (const controller of targets) {
      if (controller !== undefined && !controller.signal.aborted) {
        controller.abort(cause);
      }
    }
  }

  /** Returns the cause a slot was aborted with, or null while it runs. */
  abortCause(slot: number): AbortCause | null {
    const signal = this.controllers[slot]?.signal;
    return signal?.aborted === true ? (signal.reason as AbortCause) : null;
  }

  release(): void {
    this.onRelease(this);
    for (const resolve of this.resolveSlots) {
      resolve();
    }
    this.resolveFinished();
  }
}

/**
 * The comparisons running in this server process, by id, so that the stop and delete routes can
 * abort them.
 * NOTE: behind a load balancer, a stop request that reaches another instance finds nothing to
 * abort, as for chat answers.
 */
export class CompareRuntime {
  private readonly running = new Map<number, RunningComparison>();

  begin(comparisonId: number, slotCount: number): RunningComparison {
    const running = new RunningComparison(comparisonId, slotCount, (released) => {
      if (this.running.get(released.comparisonId) === released) {
        this.running.delete(released.comparisonId);
      }
    });
    this.running.set(comparisonId, running);
    return running;
  }

  find(comparisonId: number): RunningComparison | undefined {
    return this.running.get(comparisonId);
  }

  /** Stops every running comparison, as the server does when it shuts down. */
  stopAll(): void {
    for (const running of this.running.values()) {
      running.abort('stopped');
    }
  }
}

const runtimes = new WeakMap<AppServices, CompareRuntime>();

/** Returns the compare runtime of a server, made on first use. */
export function compareRuntime(services: AppServices): CompareRuntime {
  let runtime = runtimes.get(services);
  if (runtime === undefined) {
    const created = new CompareRuntime();
    services.stopping.addEventListener('abort', () => created.stopAll(), { once: true });
    runtime = created;
    runtimes.set(services, runtime);
  }
  return runtime;
}
