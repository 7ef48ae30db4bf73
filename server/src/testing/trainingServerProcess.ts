// Runs a server in its own process for the restart tests, which kill it with SIGKILL. Reads its
// settings from the environment, logs JSON lines to SERVER_LOG_FILE and prints `ready <url>` on
// standard output once it listens.
import pino from 'pino';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { trainingOf } from '../training/registry.js';
import { fixtureDatasets } from './trainingFixture.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logFile = process.env.SERVER_LOG_FILE ?? '/dev/stderr';
  const logger = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: true }));
  const running = await startServer(config, logger);
  trainingOf(running.services).useDatasetSource(fixtureDatasets);
  process.stdout.write(`ready ${running.url}\n`);
  process.once('SIGTERM', () => {
    void running.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
