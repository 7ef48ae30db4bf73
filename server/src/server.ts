import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { version } from '../../package.json';
import { createApp } from './app.js';
import { createAccessTokenKey } from './auth/accessTokens.js';
import { createFirstAdmin, type CreatedAdmin } from './auth/bootstrapAdmin.js';
import { PasswordVerifier } from './auth/passwords.js';
import { FailureLimiter } from './auth/rateLimit.js';
import { RefreshTokenStore } from './auth/refreshTokens.js';
import { UserCache } from './auth/userCache.js';
import { ConfigCache } from './chat/configCache.js';
import { replyToClientError } from './clientErrors.js';
import { stopInterruptedAnswers } from './chat/interruptedAnswers.js';
import type { Config } from './config.js';
import type { AppServices } from './context.js';
import { SecretBox } from './crypto/secretBox.js';
import { scheduleUploadSweeps } from './datasets/sweep.js';
import { connectDatabase } from './db/connect.js';
import { migrateUp } from './db/migrate.js';
import { initModels } from './models/index.js';
import { closeTraining, createTraining } from './training/lifecycle.js';

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  /** Set on the first start, when the admin was created. */
  createdAdmin: CreatedAdmin | undefined;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

/** Maximum time for a client to send one request, headers and body, in milliseconds. */
const REQUEST_TIMEOUT_MS = 5 * 60_000;

/** In-flight requests get this long to finish at shutdown before their sockets are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Opens the database, applies migrations, creates the first admin and starts listening. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const sequelize = await connectDatabase(config.databaseUrl, logger);
  initModels(sequelize);
  const applied = await migrateUp(sequelize, logger);
  if (applied.length > 0) {
    logger.info({ migrations: applied }, 'applied database migrations');
  }
  const stopping = new AbortController();
  const services = createServices(config, logger, sequelize, stopping.signal);
  const training = createTraining(services);

  const handleRequest = createApp(services).callback();
  const inFlight = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    void handleRequest(request, response);
  });
  server.on('clientError', (error: Error, socket) => replyToClientError(error, socket, logger));
  server.headersTimeout = 30_000;
  // A client must send its whole request within this time, so a body trickled byte by byte cannot
  // hold a connection forever. Streamed responses are not limited by it.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, dialect: sequelize.getDialect(), version }, 'server listening');
  // The first admin is created only once the server listens, so a start that fails on a busy
  // port does not create an admin whose generated password is never shown.
  const createdAdmin = await createFirstAdmin(services);
  // Reattaches to runs that went on while no server watched them.
  await training.start();
  // Answers that a crashed server left `streaming` would otherwise stay so for good. Only rows
  // past the heartbeat limit are marked, because another instance on the same database may still
  // be streaming the rest.
  await stopInterruptedAnswers(services);
  const uploadSweeps = scheduleUploadSweeps(services);

  let closing: Promise<void> | undefined;
  const close = () => {
    stopping.abort();
    closing ??= uploadSweeps
      .stop()
      .then(() => closeTraining(services, training))
      .then(() => shutDown(server, inFlight, sequelize, logger))
      .finally(() => {
        services.users.dispose();
        services.configs.dispose();
      });
    return closing;
  };
  return { url, port, services, createdAdmin, close };
}

function createServices(
  config: Config,
  logger: Logger,
  sequelize: Sequelize,
  stopping: AbortSignal,
): AppServices {
  return {
    config,
    logger,
    sequelize,
    accessTokenKey: createAccessTokenKey(config.jwtSecret),
    passwords: new PasswordVerifier(config.bcryptRounds),
    refreshTokens: new RefreshTokenStore(sequelize, config.appSecret),
    limiter: new FailureLimiter(config.authMaxFailures, config.authFailureWindowMs),
    secrets: new SecretBox(config.appSecret),
    users: new UserCache(),
    configs: new ConfigCache(),
    version,
    startedAt: Date.now(),
    stopping,
  };
}

async function shutDown(
  server: http.Server,
  inFlight: ReadonlySet<http.ServerResponse>,
  sequelize: Sequelize,
  logger: Logger,
): Promise<void> {
  logger.info('shutting down: no new connections, waiting for requests in flight');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Even after server.close(), Node keeps a connection open for reuse once its response ends, so
  // closing would wait for the keep-alive timeout. `Connection: close` on the responses not yet
  // sent ends their connections. A response whose headers are already sent keeps its connection
  // until the keep-alive timeout or the grace timer below.
  for (const response of inFlight) {
    if (!response.headersSent) {
      response.setHeader('Connection', 'close');
    }
  }
  const timer = setTimeout(() => {
    logger.warn(
      { graceMs: SHUTDOWN_GRACE_MS },
      'requests still open after the grace time; closing',
    );
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  timer.unref();
  await closed;
  clearTimeout(timer);
  await sequelize.close();
  logger.info('server stopped');
}
