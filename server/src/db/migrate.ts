import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import * as usersAndAuth from './migrations/0001-users-and-auth.js';
import * as providers from './migrations/0002-providers.js';
import * as modelConfigsAndUsage from './migrations/0003-model-configs-and-usage.js';

/**
 * Every migration in order. They are listed by hand, not found by a file glob, because the server
 * ships as one bundle.
 */
const MIGRATIONS = [
  { name: '0001-users-and-auth', module: usersAndAuth },
  { name: '0002-providers', module: providers },
  { name: '0003-model-configs-and-usage', module: modelConfigsAndUsage },
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

/** Applies every pending migration and returns the names applied. */
export async function migrateUp(sequelize: Sequelize, logger: Logger): Promise<string[]> {
  const applied = await createMigrator(sequelize, logger).up();
  return applied.map((migration) => migration.name);
}
