import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';
import { mediumText } from '../textTypes.js';

/** Creates the comparisons table and the comparison_results table of their slots' answers. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createComparisons(qi);
  await createComparisonResults(qi);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('comparison_results');
  await qi.dropTable('comparisons');
}

async function createComparisons(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'comparisons',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      // MEDIUMTEXT holds 16 MiB on MySQL, where TEXT stops at 64 KiB.
      prompt: { type: mediumText(qi.sequelize), allowNull: false },
      prompt_template: { type: mediumText(qi.sequelize), allowNull: true },
      variables: { type: DataTypes.JSON, allowNull: true },
      // No foreign key: comparison_results already references this table, and a result goes
      // only with its comparison.
      best_result_id: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('comparisons', ['owner_id', 'created_at']);
}

async function createComparisonResults(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'comparison_results',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      comparison_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'comparisons', key: 'id' },
        onDelete: 'CASCADE',
      },
      slot: { type: DataTypes.INTEGER, allowNull: false },
      // A comparison outlives its model configs; the names below keep it readable.
      model_config_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'model_configs', key: 'id' },
        onDelete: 'SET NULL',
      },
      model_config_name: { type: DataTypes.STRING(191), allowNull: false },
      model_id: { type: DataTypes.STRING(191), allowNull: false },
      provider_name: { type: DataTypes.STRING(191), allowNull: false },
      system_prompt: { type: mediumText(qi.sequelize), allowNull: true },
      content: { type: mediumText(qi.sequelize), allowNull: false },
      reasoning: { type: mediumText(qi.sequelize), allowNull: true },
      status: { type: DataTypes.STRING(16), allowNull: false },
      prompt_tokens: { type: DataTypes.INTEGER, allowNull: true },
      completion_tokens: { type: DataTypes.INTEGER, allowNull: true },
      reasoning_tokens: { type: DataTypes.INTEGER, allowNull: true },
      ttft_ms: { type: DataTypes.INTEGER, allowNull: true },
      ttfa_ms: { type: DataTypes.INTEGER, allowNull: true },
      answer_ms: { type: DataTypes.INTEGER, allowNull: true },
      latency_ms: { type: DataTypes.INTEGER, allowNull: true },
      tokens_per_second: { type: DataTypes.DOUBLE, allowNull: true },
      cost: { type: DataTypes.DOUBLE, allowNull: true },
      finish_reason: { type: DataTypes.STRING(16), allowNull: true },
      provider_finish_reason: { type: DataTypes.STRING(64), allowNull: true },
      error: { type: DataTypes.JSON, allowNull: true },
      rating: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('comparison_results', ['comparison_id', 'slot'], { unique: true });
}
