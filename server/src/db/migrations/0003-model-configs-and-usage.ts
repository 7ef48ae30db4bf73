import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';

/** Creates the model_configs and usage_records tables. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createModelConfigs(qi);
  await createUsageRecords(qi);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('usage_records');
  await qi.dropTable('model_configs');
}

async function createModelConfigs(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'model_configs',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      provider_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'providers', key: 'id' },
        onDelete: 'CASCADE',
      },
      model_id: { type: DataTypes.STRING(191), allowNull: false },
      display_name: { type: DataTypes.STRING(191), allowNull: false },
      temperature: { type: DataTypes.DOUBLE, allowNull: false },
      max_tokens: { type: DataTypes.INTEGER, allowNull: false },
      top_p: { type: DataTypes.DOUBLE, allowNull: false },
      top_k: { type: DataTypes.INTEGER, allowNull: false },
      reasoning: { type: DataTypes.JSON, allowNull: true },
      price_input_per_mtok: { type: DataTypes.DOUBLE, allowNull: true },
      price_output_per_mtok: { type: DataTypes.DOUBLE, allowNull: true },
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      model_missing: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  // Two 191-character columns in utf8mb4 plus two integers take 1,536 bytes, within InnoDB's
  // 3,072-byte limit for an index key.
  await qi.addIndex('model_configs', ['owner_id', 'provider_id', 'model_id', 'display_name'], {
    unique: true,
  });
  await qi.addIndex('model_configs', ['provider_id', 'model_id']);
}

async function createUsageRecords(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'usage_records',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      // Usage outlives the user, provider and config it was recorded for, so admin totals by day
      // stay complete after a deletion.
      user_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'users', key: 'id' },
        onDelete: 'SET NULL',
      },
      provider_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'providers', key: 'id' },
        onDelete: 'SET NULL',
      },
      model_config_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'model_configs', key: 'id' },
        onDelete: 'SET NULL',
      },
      model_id: { type: DataTypes.STRING(191), allowNull: false },
      purpose: { type: DataTypes.STRING(16), allowNull: false },
      prompt_tokens: { type: DataTypes.INTEGER, allowNull: true },
      completion_tokens: { type: DataTypes.INTEGER, allowNull: true },
      reasoning_tokens: { type: DataTypes.INTEGER, allowNull: true },
      cost: { type: DataTypes.DOUBLE, allowNull: true },
      latency_ms: { type: DataTypes.INTEGER, allowNull: false },
      ttft_ms: { type: DataTypes.INTEGER, allowNull: true },
      success: { type: DataTypes.BOOLEAN, allowNull: false },
      finish_reason: { type: DataTypes.STRING(16), allowNull: true },
      error_code: { type: DataTypes.STRING(32), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('usage_records', ['created_at']);
  await qi.addIndex('usage_records', ['user_id', 'created_at']);
  await qi.addIndex('usage_records', ['model_id', 'created_at']);
  await qi.addIndex('usage_records', ['model_config_id', 'created_at']);
}
