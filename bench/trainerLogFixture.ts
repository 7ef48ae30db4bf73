// A trainer_log.jsonl as LLaMA-Factory 0.9 writes it, for the training-log benchmark. It is
// generated from a seed, so every run measures the same bytes and the repository needs no 20 MB
// recording.
import { seededRandom } from '../shared/src/testing/chunking.js';

/** Shape of a simulated LoRA run. */
export interface TrainerRunShape {
  totalSteps: number;
  /** An evaluation record follows every this many steps, merged into that step by the server. */
  evalEvery: number;
  seed: number;
}

/** The generated log and what a reader must recover from it. */
export interface TrainerLogFixture {
  bytes: Buffer;
  lines: number;
  /** Training records: one per step, with loss, lr and throughput. */
  trainingLines: number;
  /** Evaluation records: eval_loss at a step that already has a training record. */
  evalLines: number;
  totalSteps: number;
  seed: number;
}

/** 96,000 training records and 4,000 evaluation records: 100,000 lines. */
export const RECORDED_RUN: TrainerRunShape = {
  totalSteps: 96_000,
  evalEvery: 24,
  seed: 20_241_205,
};

const PEAK_LEARNING_RATE = 5e-5;
/** Share of the steps in linear warm-up before the cosine decay, as `warmup_ratio` sets. */
const WARMUP_RATIO = 0.03;
/** Simulated wall time of one step in seconds, so the run lasts past a day (`1 day, H:MM:SS`). */
const SECONDS_PER_STEP = 1.3;
const TOKENS_PER_STEP = 4096;

/**
 * Writes the records of a simulated run with the key order, value rounding and number formatting
 * of LLaMA-Factory 0.9's LogCallback, which drops keys whose value is None and writes each
 * record with Python's `json.dumps`.
 */
export class TrainerLogWriter {
  private readonly random: () => number;
  private elapsedSeconds = 0;
  private tokens = 0;

  constructor(private readonly shape: TrainerRunShape) {
    this.random = seededRandom(shape.seed);
  }

  /** Returns the training record of `step` (1-based), ending in a newline. Steps go in order. */
  trainingLine(step: number): string {
    this.elapsedSeconds += SECONDS_PER_STEP * (0.9 + 0.2 * this.random());
    this.tokens += Math.round(TOKENS_PER_STEP * (0.8 + 0.4 * this.random()));
    const loss = this.lossAt(step, 0.08);
    return this.record(step, [
      ['loss', pythonFloat(roundTo(loss, 4))],
      ['lr', pythonFloat(this.learningRateAt(step))],
    ]);
  }

  /** Returns the evaluation record of `step`, written after that step's training record. */
  evalLine(step: number): string {
    return this.record(step, [['eval_loss', pythonFloat(this.lossAt(step, 0.02) + 0.05)]]);
  }

  private record(step: number, values: [string, string][]): string {
    const { totalSteps } = this.shape;
    const elapsed = Math.trunc(this.elapsedSeconds);
    const remaining = Math.trunc((this.elapsedSeconds / step) * (totalSteps - step));
    const fields: [string, string][] = [
      ['current_steps', String(step)],
      ['total_steps', String(totalSteps)],
      ...values,
      ['epoch', pythonFloat(roundTo((step / totalSteps) * 3, 2))],
      ['percentage', pythonFloat(roundTo((step / totalSteps) * 100, 2))],
      ['elapsed_time', JSON.stringify(pythonTimedelta(elapsed))],
      ['remaining_time', JSON.stringify(pythonTimedelta(remaining))],
      ['throughput', pythonFloat(roundTo(this.tokens / this.elapsedSeconds, 2))],
      ['total_tokens', String(this.tokens)],
    ];
    return `{${fields.map(([key, value]) => `"${key}": ${value}`).join(', ')}}\n`;
  }

  /** Returns a loss that falls from about 2.4 towards 0.6 over the run, with relative noise. */
  private lossAt(step: number, noise: number): number {
    const clean = 0.6 + 1.8 * Math.exp(-step / (this.shape.totalSteps / 12));
    return clean * (1 + noise * (this.random() - 0.5));
  }

  /** Linear warm-up, then cosine decay to 0, as `lr_scheduler_type: cosine` does. */
  private learningRateAt(step: number): number {
    const warmupSteps = Math.ceil(this.shape.totalSteps * WARMUP_RATIO);
    if (step < warmupSteps) {
      return (PEAK_LEARNING_RATE * step) / warmupSteps;
    }
    const progress = (step - warmupSteps) / (this.shape.totalSteps - warmupSteps);
    return PEAK_LEARNING_RATE * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}

/** Generates the whole log of a run: each step's training record, and the evaluations. */
export function generateTrainerLog(shape: TrainerRunShape = RECORDED_RUN): TrainerLogFixture {
  const writer = new TrainerLogWriter(shape);
  const parts: string[] = [];
  let evalLines = 0;
  for (let step = 1; step <= shape.totalSteps; step += 1) {
    parts.push(writer.trainingLine(step));
    if (step % shape.evalEvery === 0) {
      parts.push(writer.evalLine(step));
      evalLines += 1;
    }
  }
  return {
    bytes: Buffer.from(parts.join(''), 'utf8'),
    lines: parts.length,
    trainingLines: shape.totalSteps,
    evalLines,
    totalSteps: shape.totalSteps,
    seed: shape.seed,
  };
}

function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Formats a float as Python's `repr` does: the same shortest digits as JavaScript, but exponent
 * notation below 1e-4 or from 1e16 up, with at least two exponent digits (`5e-05`), and `.0`
 * after a whole number.
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'Infinity' : '-Infinity';
  }
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (value !== 0 && (exponent < -4 || exponent >= 16)) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Formats whole seconds as Python's `str(timedelta)`: `H:MM:SS`, or `N day(s), H:MM:SS`. */
export function pythonTimedelta(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const rest = totalSeconds - days * 86_400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest % 3600) / 60);
  const seconds = rest % 60;
  const clock = `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  if (days === 0) {
    return clock;
  }
  return `${days} day${days === 1 ? '' : 's'}, ${clock}`;
}
