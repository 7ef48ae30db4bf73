import fs from 'node:fs';
import { createLogger } from './logger.js';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

/** Entry point of `npm start`: reads `.env` when present, starts, and stops on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    if (error instanceof ConfigError || isListenError(error)) {
      logger.fatal({ err: error }, 'server failed to start');
      process.stderr.write(`${startFailureMessage(error, config.port, config.host)}\n`);
      logger.flush();
      process.exit(1);
    }
    throw error;
  }

  if (running.createdAdmin !== undefined) {
    printAdminBanner(running.url, running.createdAdmin);
  }
  process.stderr.write(
    `LLM Workbench server at ${running.url} (admin page: ${running.url}/admin/)\n`,
  );

  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    running
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Errors of `listen`, including the host name lookup (getaddrinfo) that comes before it. */
function isListenError(error: unknown): error is NodeJS.ErrnoException {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  return (
    code === 'EADDRINUSE' ||
    code === 'EACCES' ||
    code === 'EADDRNOTAVAIL' ||
    syscall === 'getaddrinfo'
  );
}

function startFailureMessage(error: unknown, port: number, host: string): string {
  if (isListenError(error)) {
    if (error.code === 'EADDRINUSE') {
      return `Port ${port} on ${host} is already in use; stop the other server or set PORT.`;
    }
    if (error.syscall === 'getaddrinfo') {
      return `HOST=${host} could not be resolved to an address (${error.code}); set HOST to an IP address of this machine, such as 127.0.0.1.`;
    }
    return `Cannot listen on ${host}:${port} (${error.code}); set HOST and PORT to an address this machine has.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Prints the first admin's credentials once, outside the JSON log. */
function printAdminBanner(
  url: string,
  admin: { email: string; nickname: string; generatedPassword?: string },
) {
  const lines = [
    '',
    'Created the first admin account:',
    `  login:    ${admin.nickname} (or ${admin.email})`,
    admin.generatedPassword === undefined
      ? '  password: the value of ADMIN_PASSWORD'
      : `  password: ${admin.generatedPassword}`,
    ...(admin.generatedPassword === undefined
      ? []
      : ['  This password is shown only now. Sign in and change it with PUT /api/auth/password.']),
    `  Sign in at ${url}/admin/`,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
