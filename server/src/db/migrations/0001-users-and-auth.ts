import { DataTypes, type QueryInterface } from 'sequelize';

/** MySQL table options: full Unicode, and case-insensitive comparison for emails and nicknames. */
export const TABLE_OPTIONS = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' };

/** Creates the users, refresh_tokens and audit_log tables. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'users',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
      nickname: { type: DataTypes.STRING(32), allowNull: false, unique: true },
      // The nickname in lowercase: its unique index rejects "Ada" beside "ada" on SQLite too, where
      // text comparison is case-sensitive, and logins look it up without a LOWER() scan.
      nickname_key: { type: DataTypes.STRING(32), allowNull: false, unique: true },
      password_hash: { type: DataTypes.STRING(100), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'user' },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      last_login_at: { type: DataTypes.DATE(3), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('users', ['role', 'is_active']);

  await qi.createTable(
    'refresh_tokens',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      family_id: { type: DataTypes.STRING(36), allowNull: false },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      revoked_at: { type: DataTypes.DATE(3), allowNull: true },
      rotated_at: { type: DataTypes.DATE(3), allowNull: true },
      replaced_by: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('refresh_tokens', ['family_id']);
  await qi.addIndex('refresh_tokens', ['user_id']);

  await qi.createTable(
    'audit_log',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      actor_id: { type: DataTypes.INTEGER, allowNull: true },
      action: { type: DataTypes.STRING(64), allowNull: false },
      target_type: { type: DataTypes.STRING(32), allowNull: true },
      target_id: { type: DataTypes.STRING(64), allowNull: true },
      login: { type: DataTypes.STRING(254), allowNull: true },
      ip: { type: DataTypes.STRING(64), allowNull: true },
      details: { type: DataTypes.JSON, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('audit_log', ['action', 'login', 'created_at']);
  await qi.addIndex('audit_log', ['action', 'ip', 'created_at']);
  await qi.addIndex('audit_log', ['created_at']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('audit_log');
  await qi.dropTable('refresh_tokens');
  await qi.dropTable('users');
}
