import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { TrainingSettings } from './training/settings.js';
import { isWellFormedUnicode } from './validation/requestText.js';

/** Server settings, read once from the environment at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  jwtSecret: string;
  appSecret: string;
  bcryptRounds: number;
  corsOrigins: string[];
  maxUploadMb: number;
  logLevel: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /**
   * Failed logins or registrations in the window before an account is blocked. An address is
   * blocked after four times as many.
   */
  authMaxFailures: number;
  authFailureWindowMs: number;
  /**
   * Whether a reverse proxy sits in front of the server: the client address is then read from
   * X-Forwarded-For and the scheme from X-Forwarded-Proto.
   */
  trustProxy: boolean;
  /**
   * Time limit in milliseconds for listing a provider's models, all pages and requests together,
   * in a connection test and in a sync alike.
   */
  providerListTimeoutMs: number;
  /**
   * The users whose providers may reach loopback and private networks: `admins` or `all`.
   * Link-local and cloud metadata addresses stay closed to everyone.
   */
  providerPrivateNetworks: 'admins' | 'all';
  /** Connection tests one user may run per minute, over all providers. */
  providerTestsPerMinute: number;
  /** How long a resumable dataset upload lives after it starts or stores its last chunk. */
  uploadExpiryMs: number;
  /** Silence in milliseconds after which a chat or compare stream gets a keep-alive comment. */
  chatKeepAliveMs: number;
  /**
   * Characters of one chat answer, content and reasoning together, after which the provider
   * request is aborted and the answer ends with finish reason `length`.
   */
  chatMaxAnswerChars: number;
  /** Chat answers one user may have running at once, over all sessions. */
  chatMaxAnswersPerUser: number;
  /**
   * How long a chat stream waits for a client that stopped reading before it stops the answer,
   * in milliseconds.
   */
  chatWriteTimeoutMs: number;
  /** Resumable dataset uploads one user may have open (started, not completed or expired). */
  uploadMaxOpenPerUser: number;
  /** Bytes the open resumable uploads of one user may announce in total, in MiB. */
  uploadMaxReservedMb: number;
  /** Timing of the training supervisor, from the TRAINING_* variables. */
  training: TrainingSettings;
}

/** Thrown at start when an environment variable has a value the server cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intInRange = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const milliseconds = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number of milliseconds from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

/** The TRAINING_* variables: timing of the training supervisor in milliseconds. */
const trainingVariables = {
  TRAINING_POLL_INTERVAL_MS: milliseconds('TRAINING_POLL_INTERVAL_MS', 50, 600_000).default(400),
  TRAINING_STOP_GRACE_MS: milliseconds('TRAINING_STOP_GRACE_MS', 0, 3_600_000).default(120_000),
  TRAINING_TERM_GRACE_MS: milliseconds('TRAINING_TERM_GRACE_MS', 0, 3_600_000).default(30_000),
  TRAINING_RECONNECT_MIN_MS: milliseconds('TRAINING_RECONNECT_MIN_MS', 10, 600_000).default(1000),
  TRAINING_RECONNECT_MAX_MS: milliseconds('TRAINING_RECONNECT_MAX_MS', 10, 3_600_000).default(
    60_000,
  ),
  TRAINING_LEASE_MS: milliseconds('TRAINING_LEASE_MS', 500, 3_600_000).default(60_000),
  TRAINING_SSH_READY_TIMEOUT_MS: milliseconds(
    'TRAINING_SSH_READY_TIMEOUT_MS',
    100,
    600_000,
  ).default(20_000),
  TRAINING_SSH_KEEPALIVE_MS: milliseconds('TRAINING_SSH_KEEPALIVE_MS', 0, 600_000).default(15_000),
  TRAINING_COMMAND_TIMEOUT_MS: milliseconds('TRAINING_COMMAND_TIMEOUT_MS', 100, 3_600_000).default(
    120_000,
  ),
  TRAINING_SSE_KEEPALIVE_MS: milliseconds('TRAINING_SSE_KEEPALIVE_MS', 10, 600_000).default(15_000),
};

/** bcrypt reads only the first 72 bytes of a password. */
const MAX_BCRYPT_BYTES = 72;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Reports whether HOST is an IP address or a host name. A name of digits and dots that is no
 * IPv4 address, such as 999.1.1.1, is a typo: the resolver would look it up in DNS and fail.
 */
function isListenHost(host: string): boolean {
  if (net.isIP(host) !== 0) {
    return true;
  }
  return HOST_NAME.test(host) && !/^[\d.]+$/.test(host);
}

const envSchema = z.object({
  PORT: intInRange('PORT', 0, 65535).default(8000),
  HOST: z
    .string()
    .refine(
      isListenHost,
      'HOST must be an IP address such as 127.0.0.1, 0.0.0.0 or ::1, or a host name such as localhost',
    )
    .default('127.0.0.1'),
  DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .refine(
      (url) => url.startsWith('sqlite:') || url.startsWith('mysql://'),
      'DATABASE_URL must start with sqlite: (a file path) or mysql:// (user:password@host:port/database)',
    )
    .optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  APP_SECRET: z.string().min(32, 'APP_SECRET must be at least 32 characters').optional(),
  BCRYPT_ROUNDS: intInRange('BCRYPT_ROUNDS', 4, 15).default(10),
  CORS_ORIGINS: z.string().default(''),
  MAX_UPLOAD_MB: intInRange('MAX_UPLOAD_MB', 1, 102400).default(512),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  ADMIN_EMAIL: z.email('ADMIN_EMAIL must be an email address').optional(),
  ADMIN_PASSWORD: z
    .string()
    .min(8, 'ADMIN_PASSWORD must be at least 8 characters')
    .refine(
      (password) => Buffer.byteLength(password, 'utf8') <= MAX_BCRYPT_BYTES,
      `ADMIN_PASSWORD must be at most ${MAX_BCRYPT_BYTES} bytes in UTF-8, because bcrypt ignores the rest`,
    )
    .refine(isWellFormedUnicode, 'ADMIN_PASSWORD must be well-formed Unicode text')
    .optional(),
  AUTH_MAX_FAILURES: intInRange('AUTH_MAX_FAILURES', 1, 1000).default(5),
  AUTH_FAILURE_WINDOW_MINUTES: intInRange('AUTH_FAILURE_WINDOW_MINUTES', 1, 1440).default(15),
  TRUST_PROXY: z
    .enum(['true', 'false'], { error: 'TRUST_PROXY must be true or false' })
    .default('false'),
  PROVIDER_LIST_TIMEOUT_MS: intInRange('PROVIDER_LIST_TIMEOUT_MS', 100, 600_000).optional(),
  /** The earlier name of PROVIDER_LIST_TIMEOUT_MS, still read when that is unset. */
  PROVIDER_TEST_TIMEOUT_MS: intInRange('PROVIDER_TEST_TIMEOUT_MS', 100, 600_000).optional(),
  PROVIDER_PRIVATE_NETWORKS: z
    .enum(['admins', 'all'], {
      error:
        'PROVIDER_PRIVATE_NETWORKS must be admins (only admins connect providers on private networks) or all',
    })
    .default('admins'),
  PROVIDER_TESTS_PER_MINUTE: intInRange('PROVIDER_TESTS_PER_MINUTE', 1, 10_000).default(10),
  UPLOAD_EXPIRY_HOURS: intInRange('UPLOAD_EXPIRY_HOURS', 1, 8760).default(24),
  CHAT_KEEPALIVE_MS: milliseconds('CHAT_KEEPALIVE_MS', 10, 600_000).default(15_000),
  CHAT_MAX_ANSWER_CHARS: intInRange('CHAT_MAX_ANSWER_CHARS', 1000, 100_000_000).default(1_000_000),
  CHAT_MAX_ANSWERS_PER_USER: intInRange('CHAT_MAX_ANSWERS_PER_USER', 1, 1000).default(8),
  CHAT_WRITE_TIMEOUT_MS: milliseconds('CHAT_WRITE_TIMEOUT_MS', 100, 3_600_000).default(60_000),
  UPLOAD_MAX_OPEN_PER_USER: intInRange('UPLOAD_MAX_OPEN_PER_USER', 1, 1000).default(5),
  UPLOAD_MAX_RESERVED_MB: intInRange('UPLOAD_MAX_RESERVED_MB', 1, 1_048_576).optional(),
  ...trainingVariables,
});

type EnvValues = z.output<typeof envSchema>;

type Env = Record<string, string | undefined>;

/**
 * Parses the environment into a Config, creating the data directory and the generated secrets
 * file when they are missing. Throws ConfigError naming every invalid variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${describeValue(name, cleaned[name])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid server configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  const dataDir = path.resolve(values.DATA_DIR);
  ensureDataDir(dataDir);
  const secrets = loadOrCreateSecrets(dataDir, values.JWT_SECRET, values.APP_SECRET);

  return {
    port: values.PORT,
    host: values.HOST,
    dataDir,
    databaseUrl: values.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'workbench.sqlite')}`,
    jwtSecret: secrets.jwtSecret,
    appSecret: secrets.appSecret,
    bcryptRounds: values.BCRYPT_ROUNDS,
    corsOrigins: parseOrigins(values.CORS_ORIGINS),
    maxUploadMb: values.MAX_UPLOAD_MB,
    logLevel: values.LOG_LEVEL,
    adminEmail: values.ADMIN_EMAIL,
    adminPassword: values.ADMIN_PASSWORD,
    authMaxFailures: values.AUTH_MAX_FAILURES,
    authFailureWindowMs: values.AUTH_FAILURE_WINDOW_MINUTES * 60_000,
    trustProxy: values.TRUST_PROXY === 'true',
    providerListTimeoutMs:
      values.PROVIDER_LIST_TIMEOUT_MS ?? values.PROVIDER_TEST_TIMEOUT_MS ?? 15_000,
    providerPrivateNetworks: values.PROVIDER_PRIVATE_NETWORKS,
    providerTestsPerMinute: values.PROVIDER_TESTS_PER_MINUTE,
    uploadExpiryMs: values.UPLOAD_EXPIRY_HOURS * 60 * 60_000,
    chatKeepAliveMs: values.CHAT_KEEPALIVE_MS,
    chatMaxAnswerChars: values.CHAT_MAX_ANSWER_CHARS,
    chatMaxAnswersPerUser: values.CHAT_MAX_ANSWERS_PER_USER,
    chatWriteTimeoutMs: values.CHAT_WRITE_TIMEOUT_MS,
    uploadMaxOpenPerUser: values.UPLOAD_MAX_OPEN_PER_USER,
    uploadMaxReservedMb: values.UPLOAD_MAX_RESERVED_MB ?? 2 * values.MAX_UPLOAD_MB,
    training: trainingSettings(values),
  };
}

/** Builds the training timing; a reconnect maximum below the minimum is raised to it. */
function trainingSettings(values: EnvValues): TrainingSettings {
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

/** Variables whose values are credentials, so error messages show only their length. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'APP_SECRET', 'ADMIN_PASSWORD']);

/** Quotes a variable's value for an error message without revealing a secret or a password. */
function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) {
    return '(unset)';
  }
  if (SECRET_VARIABLES.has(name)) {
    return `(hidden, ${value.length} characters)`;
  }
  if (name === 'DATABASE_URL') {
    return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@'));
  }
  return JSON.stringify(value);
}

function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `DATA_DIR=${JSON.stringify(dataDir)} is not a writable directory (${reason}); ` +
        'point DATA_DIR at a folder the server may write to',
    );
  }
}

function parseOrigins(list: string): string[] {
  const origins = list
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(
        `CORS_ORIGINS entry ${JSON.stringify(origin)} is not a URL; ` +
          'list origins like http://localhost:3000, separated by commas',
      );
    }
    if (url.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS entry ${JSON.stringify(origin)} is not a bare origin; use ${url.origin}`,
      );
    }
  }
  return origins;
}

interface Secrets {
  jwtSecret: string;
  appSecret: string;
}

const storedSecretsSchema = z.object({
  jwtSecret: z.string().min(32).optional(),
  appSecret: z.string().min(32).optional(),
});

/**
 * Returns the JWT and app secrets from the environment, falling back to `secrets.json` in the
 * data directory, which is created with mode 0600 on first start.
 */
function loadOrCreateSecrets(
  dataDir: string,
  jwtSecret: string | undefined,
  appSecret: string | undefined,
): Secrets {
  if (jwtSecret !== undefined && appSecret !== undefined) {
    return { jwtSecret, appSecret };
  }
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) {
    const recoveryHint =
      'restore it from a backup, or delete it to generate new secrets (every signed-in user is ' +
      'then signed out and stored API keys become unreadable)';
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw new ConfigError(`${file} is not valid JSON; ${recoveryHint}`);
    }
    const checked = storedSecretsSchema.safeParse(json);
    if (!checked.success) {
      throw new ConfigError(
        `${file} must be an object with jwtSecret and appSecret strings of at least 32 ` +
          `characters; ${recoveryHint}`,
      );
    }
    stored = checked.data;
  }
  const merged: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomSecret(),
    appSecret: stored.appSecret ?? randomSecret(),
  };
  if (stored.jwtSecret === undefined || stored.appSecret === undefined) {
    fs.writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
  }
  fs.chmodSync(file, 0o600);
  return { jwtSecret: jwtSecret ?? merged.jwtSecret, appSecret: appSecret ?? merged.appSecret };
}

function randomSecret(): string {
  return randomBytes(48).toString('base64url');
}
