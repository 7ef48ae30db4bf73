/**
 * Timing of the training supervisor, in milliseconds, read from the TRAINING_* variables by
 * loadConfig. Every value has a default for production use; tests shorten them.
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
