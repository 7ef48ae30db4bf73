import { z } from 'zod';

/**
 * Timing of the training supervisor, in milliseconds. Every value has a default for production
 * use; tests shorten them through the environment.
 */
export interface TrainingSettings {
  /** How often a watcher reads new log bytes and checks whether the run ended. */
  pollIntervalMs: number;
  /** After SIGABRT, how long LLaMA-Factory gets to finish its step and save before SIGTERM. */
  stopGraceMs: number;
  /** After SIGTERM, how long the run gets to exit before SIGKILL. */
  termGraceMs: number;
  /** First wait before reconnecting to a host; it doubles on every failure up to the maximum. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a watcher's claim on a task lasts without renewal before another server may take it. */
  leaseMs: number;
  /** Time limit for the TCP connection and SSH handshake. */
  sshReadyTimeoutMs: number;
  /** Interval of SSH keepalives; three unanswered ones drop the connection. */
  sshKeepaliveMs: number;
  /** Time limit for one remote command. */
  commandTimeoutMs: number;
  /** Interval of comment lines on an idle event stream. */
  sseKeepAliveMs: number;
}

const milliseconds = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number of milliseconds`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`)
    .optional()
    .transform((value) => value ?? fallback);

const settingsSchema = z.object({
  TRAINING_POLL_INTERVAL_MS: milliseconds('TRAINING_POLL_INTERVAL_MS', 2000, 50, 600_000),
  TRAINING_STOP_GRACE_MS: milliseconds('TRAINING_STOP_GRACE_MS', 120_000, 0, 3_600_000),
  TRAINING_TERM_GRACE_MS: milliseconds('TRAINING_TERM_GRACE_MS', 30_000, 0, 3_600_000),
  TRAINING_RECONNECT_MIN_MS: milliseconds('TRAINING_RECONNECT_MIN_MS', 1000, 10, 600_000),
  TRAINING_RECONNECT_MAX_MS: milliseconds('TRAINING_RECONNECT_MAX_MS', 60_000, 10, 3_600_000),
  TRAINING_LEASE_MS: milliseconds('TRAINING_LEASE_MS', 60_000, 500, 3_600_000),
  TRAINING_SSH_READY_TIMEOUT_MS: milliseconds(
    'TRAINING_SSH_READY_TIMEOUT_MS',
    20_000,
    100,
    600_000,
  ),
  TRAINING_SSH_KEEPALIVE_MS: milliseconds('TRAINING_SSH_KEEPALIVE_MS', 15_000, 0, 600_000),
  TRAINING_COMMAND_TIMEOUT_MS: milliseconds('TRAINING_COMMAND_TIMEOUT_MS', 120_000, 100, 3_600_000),
  TRAINING_SSE_KEEPALIVE_MS: milliseconds('TRAINING_SSE_KEEPALIVE_MS', 15_000, 10, 600_000),
});

/** Reads the TRAINING_* variables; throws an Error naming each invalid one. */
export function readTrainingSettings(
  env: Record<string, string | undefined> = process.env,
): TrainingSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name.startsWith('TRAINING_') && value !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`Invalid training settings: ${problems}.`);
  }
  const values = parsed.data;
  return {
    pollIntervalMs: values.TRAINING_POLL_INTERVAL_MS,
    stopGraceMs: values.TRAINING_STOP_GRACE_MS,
    termGraceMs: values.TRAINING_TERM_GRACE_MS,
    reconnectMinMs: values.TRAINING_RECONNECT_MIN_MS,
    reconnectMaxMs: Math.max(values.TRAINING_RECONNECT_MAX_MS, values.TRAINING_RECONNECT_MIN_MS),
    leaseMs: values.TRAINING_LEASE_MS,
    sshReadyTimeoutMs: values.TRAINING_SSH_READY_TIMEOUT_MS,
    sshKeepaliveMs: values.TRAINING_SSH_KEEPALIVE_MS,
    commandTimeoutMs: values.TRAINING_COMMAND_TIMEOUT_MS,
    sseKeepAliveMs: values.TRAINING_SSE_KEEPALIVE_MS,
  };
}
