import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type {
  ChatFinishReason,
  ChatMessageError,
  ChatMessageStatus,
  ChatReasoningBlock,
  ChatRole,
} from '../../../shared/src/api/chat.js';
import { mediumText } from '../db/textTypes.js';

/**
 * One message of a chat session. An assistant message also stores how its answer went: tokens,
 * timings in milliseconds, finish reason, and the reasoning blocks that later turns send back.
 */
export class ChatMessage extends Model<
  InferAttributes<ChatMessage>,
  InferCreationAttributes<ChatMessage>
> {
  declare id: CreationOptional<number>;
  declare sessionId: number;
  declare role: ChatRole;
  declare content: string;
  declare reasoning: string | null;
  declare reasoningBlocks: ChatReasoningBlock[] | null;
  declare status: ChatMessageStatus;
  declare modelConfigId: number | null;
  declare modelId: string | null;
  declare streamed: CreationOptional<boolean>;
  declare promptTokens: number | null;
  declare completionTokens: number | null;
  declare reasoningTokens: number | null;
  declare ttftMs: number | null;
  declare ttfaMs: number | null;
  declare latencyMs: number | null;
  declare finishReason: ChatFinishReason | null;
  /** The provider's own finish reason, such as `end_turn` or `max_tokens`. */
  declare providerFinishReason: string | null;
  declare error: ChatMessageError | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof ChatMessage {
    return ChatMessage.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        sessionId: { type: DataTypes.INTEGER, allowNull: false },
        role: { type: DataTypes.STRING(16), allowNull: false },
        content: { type: mediumText(sequelize), allowNull: false },
        reasoning: { type: mediumText(sequelize), allowNull: true },
        reasoningBlocks: { type: DataTypes.JSON, allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        modelConfigId: { type: DataTypes.INTEGER, allowNull: true },
        modelId: { type: DataTypes.STRING(191), allowNull: true },
        streamed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        promptTokens: { type: DataTypes.INTEGER, allowNull: true },
        completionTokens: { type: DataTypes.INTEGER, allowNull: true },
        reasoningTokens: { type: DataTypes.INTEGER, allowNull: true },
        ttftMs: { type: DataTypes.INTEGER, allowNull: true },
        ttfaMs: { type: DataTypes.INTEGER, allowNull: true },
        latencyMs: { type: DataTypes.INTEGER, allowNull: true },
        finishReason: { type: DataTypes.STRING(16), allowNull: true },
        providerFinishReason: { type: DataTypes.STRING(64), allowNull: true },
        error: { type: DataTypes.JSON, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'chat_messages', underscored: true },
    );
  }
}
