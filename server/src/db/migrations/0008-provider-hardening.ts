import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

/** The length of `providers.name_key`: a 64-character name can grow when lowercased. */
const NAME_KEY_LENGTH = 255;

/**
 * Hardens the provider tables:
 * - `providers.name_key`, the name in lowercase NFC, with a unique index per owner in place of
 *   the one on `name`. MySQL's `utf8mb4_unicode_ci` treated "Café" and "cafe" as one name while
 *   SQLite told "Claude" from "claude", so the key is compared byte by byte on both.
 * - `providers.connection_version`, raised whenever the base URL, key or headers change, so a
 *   sync that listed the old address does not store its result under the new one.
 * - `providers.allow_private_network`, set when an admin saved the base URL, which lets the
 *   provider reach loopback and private networks. Existing providers of admins get it.
 * - `model_configs.exceeds_context_length`, set by a sync that lowered the model's context length
 *   below the config's max tokens.
 * - On MySQL, `model_id` columns compare byte by byte without trailing-space padding, because
 *   providers list ids such as `model` and `Model` as different models.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  const binary = mysql ? await binaryCollation(qi) : null;

  await qi.addColumn('providers', 'name_key', {
    type: DataTypes.STRING(NAME_KEY_LENGTH),
    allowNull: false,
    defaultValue: '',
  });
  await qi.addColumn('providers', 'connection_version', {
    type: DataTypes.INTEGER,
    allowNull: false,
    defaultValue: 0,
  });
  await qi.addColumn('providers', 'allow_private_network', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
  await qi.addColumn('model_configs', 'exceeds_context_length', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
  if (binary !== null) {
    await qi.sequelize.query(
      `ALTER TABLE providers MODIFY name_key VARCHAR(${NAME_KEY_LENGTH}) ` +
        `CHARACTER SET utf8mb4 COLLATE ${binary} NOT NULL DEFAULT ''`,
    );
    for (const table of ['provider_models', 'model_configs']) {
      await qi.sequelize.query(
        `ALTER TABLE ${table} MODIFY model_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE ${binary} NOT NULL`,
      );
    }
  }

  await fillNameKeys(qi);
  await qi.sequelize.query(
    `UPDATE providers SET allow_private_network = ${mysql ? 'TRUE' : '1'} ` +
      "WHERE owner_id IN (SELECT id FROM users WHERE role = 'admin')",
  );
  await qi.addIndex('providers', ['owner_id', 'name_key'], { unique: true });
  await qi.removeIndex('providers', ['owner_id', 'name']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  await qi.addIndex('providers', ['owner_id', 'name'], { unique: true });
  await qi.removeIndex('providers', ['owner_id', 'name_key']);
  // SQLite's removeColumn rebuilds the table, and dropping the old table would cascade to the
  // rows that reference it, so the columns go with ALTER TABLE DROP COLUMN on both databases.
  for (const [table, column] of [
    ['providers', 'name_key'],
    ['providers', 'connection_version'],
    ['providers', 'allow_private_network'],
    ['model_configs', 'exceeds_context_length'],
  ]) {
    await qi.sequelize.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
  if (mysql) {
    for (const table of ['provider_models', 'model_configs']) {
      await qi.sequelize.query(
        `ALTER TABLE ${table} MODIFY model_id VARCHAR(191) ` +
          'CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL',
      );
    }
  }
}

/**
 * Returns the binary collation without trailing-space padding that the server has: MariaDB's
 * `utf8mb4_nopad_bin` or MySQL 8's `utf8mb4_0900_bin`. MySQL 5.7 has only `utf8mb4_bin`, which
 * pads, and the sync skips ids with surrounding spaces for that reason.
 */
async function binaryCollation(qi: QueryInterface): Promise<string> {
  const rows = await qi.sequelize.query<{ Collation: string }>(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
    { type: QueryTypes.SELECT },
  );
  const names = rows.map((row) => row.Collation);
  return names.find((name) => name === 'utf8mb4_nopad_bin') ?? names[0] ?? 'utf8mb4_bin';
}

/**
 * The key of a name as providerNameKey in server/src/providers/providerNames.ts builds it then. A
 * migration keeps its own copy, so a later change there does not change what this one did.
 */
function providerNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Fills `name_key` for every provider. Names that differ only in case were allowed on SQLite;
 * the later one of two such names gets its id appended, so the unique index can be created.
 */
async function fillNameKeys(qi: QueryInterface): Promise<void> {
  const rows = await qi.sequelize.query<{ id: number; owner_id: number; name: string }>(
    'SELECT id, owner_id, name FROM providers ORDER BY id',
    { type: QueryTypes.SELECT },
  );
  const taken = new Set<string>();
  for (const row of rows) {
    let name = row.name;
    let key = providerNameKey(name);
    if (taken.has(`${row.owner_id}:${key}`)) {
      name = `${Array.from(row.name).slice(0, 54).join('')} (${row.id})`;
      key = providerNameKey(name);
    }
    taken.add(`${row.owner_id}:${key}`);
    await qi.sequelize.query('UPDATE providers SET name = ?, name_key = ? WHERE id = ?', {
      replacements: [name, key, row.id],
    });
  }
}
