import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';

/** Creates the providers and provider_models tables. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'providers',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: DataTypes.STRING(64), allowNull: false },
      kind: { type: DataTypes.STRING(32), allowNull: false },
      base_url: { type: DataTypes.STRING(512), allowNull: false },
      api_key_encrypted: { type: DataTypes.TEXT, allowNull: true },
      api_key_masked: { type: DataTypes.STRING(16), allowNull: true },
      headers_encrypted: { type: DataTypes.TEXT, allowNull: true },
      header_names: { type: DataTypes.JSON, allowNull: false },
      shared: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'unknown' },
      last_error: { type: DataTypes.TEXT, allowNull: true },
      last_checked_at: { type: DataTypes.DATE(3), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('providers', ['owner_id', 'name'], { unique: true });
  await qi.addIndex('providers', ['shared']);

  await qi.createTable(
    'provider_models',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      provider_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'providers', key: 'id' },
        onDelete: 'CASCADE',
      },
      model_id: { type: DataTypes.STRING(191), allowNull: false },
      display_name: { type: DataTypes.STRING(191), allowNull: false },
      type: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'chat' },
      capabilities: { type: DataTypes.JSON, allowNull: false },
      context_length: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('provider_models', ['provider_id', 'model_id'], { unique: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('provider_models');
  await qi.dropTable('providers');
}
