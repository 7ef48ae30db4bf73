import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { ModelConfig } from './modelConfig.js';
import { mediumText } from '../db/textTypes.js';

/** A conversation of one user with a model config, and the system prompt it is held under. */
export class ChatSession extends Model<
  InferAttributes<ChatSession>,
  InferCreationAttributes<ChatSession>
> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  /** Null once the config is deleted; the messages stay. */
  declare modelConfigId: number | null;
  /** Null until the user or the first message names the session. */
  declare title: string | null;
  /** The prompt library entry the system prompt text was taken from, if any. */
  declare systemPromptId: number | null;
  declare systemPrompt: string | null;
  declare lastMessageAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** Loaded by queries that include the `modelConfig` association. */
  declare modelConfig?: NonAttribute<ModelConfig | null>;

  static initModel(sequelize: Sequelize): typeof ChatSession {
    return ChatSession.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        modelConfigId: { type: DataTypes.INTEGER, allowNull: true },
        title: { type: DataTypes.STRING(191), allowNull: true },
        systemPromptId: { type: DataTypes.INTEGER, allowNull: true },
        systemPrompt: { type: mediumText(sequelize), allowNull: true },
        lastMessageAt: { type: DataTypes.DATE(3), allowNull: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'chat_sessions', underscored: true },
    );
  }
}
