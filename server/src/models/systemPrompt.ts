import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { PromptFormat, VariableDeclaration } from '../../../shared/src/prompts/types.js';
import { promptNameKey } from '../prompts/names.js';
import { mediumText } from '../db/textTypes.js';

/**
 * A system-prompt template in the prompt library: a user's own, or a built-in one that has no
 * owner and that no one can change.
 */
export class SystemPrompt extends Model<
  InferAttributes<SystemPrompt>,
  InferCreationAttributes<SystemPrompt>
> {
  declare id: CreationOptional<number>;
  /** Null for built-in templates. */
  declare ownerId: number | null;
  declare name: string;
  /** The name in lowercase NFC, unique per owner; set from `name` before validation. */
  declare nameKey: CreationOptional<string>;
  declare description: string | null;
  declare format: PromptFormat;
  declare category: string | null;
  declare content: string;
  declare variables: VariableDeclaration[];
  /** The format while this is its owner's default prompt of that format, else null. */
  declare defaultFormat: CreationOptional<PromptFormat | null>;
  declare isBuiltIn: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof SystemPrompt {
    return SystemPrompt.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: true },
        name: { type: DataTypes.STRING(191), allowNull: false },
        nameKey: { type: DataTypes.STRING(191), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: true },
        format: { type: DataTypes.STRING(16), allowNull: false },
        category: { type: DataTypes.STRING(64), allowNull: true },
        content: { type: mediumText(sequelize), allowNull: false },
        variables: { type: DataTypes.JSON, allowNull: false },
        defaultFormat: { type: DataTypes.STRING(16), allowNull: true, defaultValue: null },
        isBuiltIn: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      {
        sequelize,
        tableName: 'system_prompts',
        underscored: true,
        hooks: {
          beforeValidate: (prompt: SystemPrompt) => {
            // Bulk updates validate a partial instance that may carry no name.
            if (typeof prompt.name === 'string') {
              prompt.nameKey = promptNameKey(prompt.name);
            }
          },
        },
      },
    );
  }
}
