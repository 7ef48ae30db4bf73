import { DataTypes, type QueryInterface } from 'sequelize';
import { BUILTIN_TEMPLATES } from '../../prompts/builtinTemplates.js';
import { promptNameKey } from '../../prompts/names.js';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';
import { mediumText } from '../textTypes.js';

/** Creates the system_prompts table and seeds the built-in templates. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'system_prompts',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      // Null for built-in templates, which belong to no one.
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: DataTypes.STRING(191), allowNull: false },
      // Lowercase NFC of the name: its unique index with the owner rejects "Tutor" beside
      // "tutor" on SQLite too, whose text comparison is case-sensitive.
      name_key: { type: DataTypes.STRING(191), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      format: { type: DataTypes.STRING(16), allowNull: false },
      category: { type: DataTypes.STRING(64), allowNull: true },
      content: { type: mediumText(qi.sequelize), allowNull: false },
      variables: { type: DataTypes.JSON, allowNull: false },
      // The prompt's format while it is its owner's default, else null. The unique index on
      // (owner_id, default_format) allows one default per format and owner, because both
      // SQLite and MySQL let a unique index hold any number of rows with a null in it.
      default_format: { type: DataTypes.STRING(16), allowNull: true },
      is_built_in: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('system_prompts', ['owner_id', 'name_key'], { unique: true });
  await qi.addIndex('system_prompts', ['owner_id', 'default_format'], { unique: true });
  await qi.addIndex('system_prompts', ['is_built_in', 'category']);

  const now = new Date();
  await qi.bulkInsert(
    'system_prompts',
    BUILTIN_TEMPLATES.map((template) => ({
      owner_id: null,
      name: template.name,
      name_key: promptNameKey(template.name),
      description: template.description,
      format: template.format,
      category: template.category,
      content: template.content,
      // bulkInsert writes values as SQL literals, so the JSON column gets its text.
      variables: JSON.stringify(template.variables),
      default_format: null,
      is_built_in: true,
      created_at: now,
      updated_at: now,
    })),
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('system_prompts');
}
