import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';
import { mediumText } from '../textTypes.js';

/** Creates the chat_sessions and chat_messages tables. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createChatSessions(qi);
  await createChatMessages(qi);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('chat_messages');
  await qi.dropTable('chat_sessions');
}

async function createChatSessions(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'chat_sessions',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      // A session outlives its model config, so its messages stay readable; sending asks for a
      // new config then.
      model_config_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'model_configs', key: 'id' },
        onDelete: 'SET NULL',
      },
      title: { type: DataTypes.STRING(191), allowNull: true },
      // NOTE: no foreign key yet, because the system_prompts table comes in a later migration.
      system_prompt_id: { type: DataTypes.INTEGER, allowNull: true },
      system_prompt: { type: mediumText(qi.sequelize), allowNull: true },
      last_message_at: { type: DataTypes.DATE(3), allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('chat_sessions', ['owner_id', 'last_message_at']);
}

async function createChatMessages(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'chat_messages',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      session_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'chat_sessions', key: 'id' },
        onDelete: 'CASCADE',
      },
      role: { type: DataTypes.STRING(16), allowNull: false },
      // MEDIUMTEXT holds 16 MiB on MySQL, where TEXT stops at 64 KiB: a long answer or its
      // reasoning can pass that.
      content: { type: mediumText(qi.sequelize), allowNull: false },
      reasoning: { type: mediumText(qi.sequelize), allowNull: true },
      reasoning_blocks: { type: DataTypes.JSON, allowNull: true },
      status: { type: DataTypes.STRING(16), allowNull: false },
      model_config_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'model_configs', key: 'id' },
        onDelete: 'SET NULL',
      },
      model_id: { type: DataTypes.STRING(191), allowNull: true },
      streamed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      prompt_tokens: { type: DataTypes.INTEGER, allowNull: true },
      completion_tokens: { type: DataTypes.INTEGER, allowNull: true },
      reasoning_tokens: { type: DataTypes.INTEGER, allowNull: true },
      ttft_ms: { type: DataTypes.INTEGER, allowNull: true },
      ttfa_ms: { type: DataTypes.INTEGER, allowNull: true },
      latency_ms: { type: DataTypes.INTEGER, allowNull: true },
      finish_reason: { type: DataTypes.STRING(16), allowNull: true },
      provider_finish_reason: { type: DataTypes.STRING(64), allowNull: true },
      error: { type: DataTypes.JSON, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('chat_messages', ['session_id', 'id']);
}
