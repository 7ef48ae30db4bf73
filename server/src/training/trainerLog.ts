// Parsing of LLaMA-Factory's trainer_log.jsonl records. No Node imports, so it can move to shared/.

/** One trainer log record, with every field LLaMA-Factory may leave out as null. */
export interface TrainerRecord {
  step: number;
  totalSteps: number | null;
  loss: number | null;
  evalLoss: number | null;
  lr: number | null;
  epoch: number | null;
  /** 0 to 100. */
  percent: number | null;
  elapsedMs: number | null;
  remainingMs: number | null;
  /** Tokens per second. */
  throughput: number | null;
}

export type ParsedLine = { record: TrainerRecord } | { error: string };

/**
 * Parses one line of trainer_log.jsonl. Both key sets are accepted: LLaMA-Factory 0.9 writes
 * `lr` and drops keys whose value is None; older versions write `learning_rate` and null values.
 * Python's json module writes a NaN loss as a bare `NaN`, which is read as a missing value.
 */
export function parseTrainerLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    try {
      value = JSON.parse(line.replace(/\b(?:-?Infinity|NaN)\b/g, 'null'));
    } catch {
      return { error: `not JSON: ${line.slice(0, 120)}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `not a JSON object: ${line.slice(0, 120)}` };
  }
  const fields = value as Record<string, unknown>;
  const step = numberOf(fields.current_steps) ?? numberOf(fields.global_step);
  if (step === null || !Number.isInteger(step) || step < 0) {
    return { error: `no current_steps: ${line.slice(0, 120)}` };
  }
  return {
    record: {
      step,
      totalSteps: numberOf(fields.total_steps),
      loss: numberOf(fields.loss),
      evalLoss: numberOf(fields.eval_loss),
      lr: numberOf(fields.lr) ?? numberOf(fields.learning_rate),
      epoch: numberOf(fields.epoch),
      percent: numberOf(fields.percentage),
      elapsedMs: parseDuration(fields.elapsed_time),
      remainingMs: parseDuration(fields.remaining_time),
      throughput: numberOf(fields.throughput) ?? numberOf(fields.train_tokens_per_second),
    },
  };
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Parses Python's `str(timedelta)` as LLaMA-Factory writes elapsed and remaining time:
 * `H:MM:SS`, or `N day(s), H:MM:SS` past 24 hours. Returns milliseconds, or null.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value !== 'string') {
    return null;
  }
  const match = /^(?:(-?\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(value.trim());
  if (match === null) {
    return null;
  }
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return (
    ((Number(days) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000
  );
}
