import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import * as usersAndAuth from './migrations/0001-users-and-auth.js';
import * as providers from './migrations/0002-providers.js';
import * as modelConfigsAndUsage from './migrations/0003-model-configs-and-usage.js';
import * as chat from './migrations/0004-chat.js';
import * as training from './migrations/0005-training.js';
import * as datasets from './migrations/0006-datasets.js';
import * as compare from './migrations/0007-compare.js';
import * as providerHardening from './migrations/0008-provider-hardening.js';
import * as prompts from './migrations/0009-prompts.js';
import { withoutQueryTimeout } from './mysqlTimeouts.js';

/**
 * Every migration in order. They are listed by hand, not found by a file glob, because the server
 * ships as one bundle.
 */
const MIGRATIONS = [
  { name: '0001-users-and-auth', module: usersAndAuth },
  { name: '0002-providers', module: providers },
  { name: '0003-model-configs-and-usage', module: modelConfigsAndUsage },
  { name: '0004-chat', module: chat },
  { name: '0005-training', module: training },
  { name: '0006-datasets', module: datasets },
  { name: '0007-compare', module: compare },
  { name: '0008-provider-hardening', module: providerHardening },
  { name: '0009-prompts', module: prompts },
];

/** Creates the umzug migrator over the `migrations` table. */
export function createMigrator(sequelize: Sequelize, logger: Logger) {
  const context = sequelize.getQueryInterface();
  return new Umzug({
    migrations: MIGRATIONS.map(({ name, module }) => ({
      name,
      up: () => module.up({ context }),
      down: () => module.down({ context }),
    })),
    context,
    storage: new SequelizeStorage({ sequelize, tableName: 'migrations' }),
    logger: {
      info: (event) => logger.info(event, 'migration'),
      warn: (event) => logger.warn(event, 'migration'),
      error: (event) => logger.error(event, 'migration'),
      debug: (event) => logger.debug(event, 'migration'),
    },
  });
}

/**
 * Applies every pending migration and returns the names applied. Migrations run without the MySQL
 * query time limit, because rebuilding a large table can take minutes.
 */
export async function migrateUp(sequelize: Sequelize, logger: Logger): Promise<string[]> {
  const applied = await withoutQueryTimeout(() => createMigrator(sequelize, logger).up());
  return applied.map((migration) => migration.name);
}
