import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ChatFinishReason, ChatMessageError } from '../../../shared/src/api/chat.js';
import type { ComparisonResultStatus } from '../../../shared/src/api/compare.js';
import { mediumText } from '../db/textTypes.js';

/**
 * The answer of one slot of a comparison, with the config names it ran under, tokens, timings in
 * milliseconds, speed, cost and the user's rating.
 */
export class ComparisonResult extends Model<
  InferAttributes<ComparisonResult>,
  InferCreationAttributes<ComparisonResult>
> {
  declare id: CreationOptional<number>;
  declare comparisonId: number;
  /** The index of the slot in the request, from 0. */
  declare slot: number;
  /** Null once the config is deleted; the names below stay. */
  declare modelConfigId: number | null;
  declare modelConfigName: string;
  declare modelId: string;
  declare providerName: string;
  declare systemPrompt: string | null;
  declare content: string;
  declare reasoning: string | null;
  declare status: ComparisonResultStatus;
  declare promptTokens: number | null;
  declare completionTokens: number | null;
  declare reasoningTokens: number | null;
  declare ttftMs: number | null;
  declare ttfaMs: number | null;
  declare answerMs: number | null;
  declare latencyMs: number | null;
  declare tokensPerSecond: number | null;
  /** Dollars at the config's prices when the comparison ran. */
  declare cost: number | null;
  declare finishReason: ChatFinishReason | null;
  declare providerFinishReason: string | null;
  declare error: ChatMessageError | null;
  /** 1 to 5, or null when unrated. */
  declare rating: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof ComparisonResult {
    return ComparisonResult.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        comparisonId: { type: DataTypes.INTEGER, allowNull: false },
        slot: { type: DataTypes.INTEGER, allowNull: false },
        modelConfigId: { type: DataTypes.INTEGER, allowNull: true },
        modelConfigName: { type: DataTypes.STRING(191), allowNull: false },
        modelId: { type: DataTypes.STRING(191), allowNull: false },
        providerName: { type: DataTypes.STRING(191), allowNull: false },
        systemPrompt: { type: mediumText(sequelize), allowNull: true },
        content: { type: mediumText(sequelize), allowNull: false },
        reasoning: { type: mediumText(sequelize), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        promptTokens: { type: DataTypes.INTEGER, allowNull: true },
        completionTokens: { type: DataTypes.INTEGER, allowNull: true },
        reasoningTokens: { type: DataTypes.INTEGER, allowNull: true },
        ttftMs: { type: DataTypes.INTEGER, allowNull: true },
        ttfaMs: { type: DataTypes.INTEGER, allowNull: true },
        answerMs: { type: DataTypes.INTEGER, allowNull: true },
        latencyMs: { type: DataTypes.INTEGER, allowNull: true },
        tokensPerSecond: { type: DataTypes.DOUBLE, allowNull: true },
        cost: { type: DataTypes.DOUBLE, allowNull: true },
        finishReason: { type: DataTypes.STRING(16), allowNull: true },
        providerFinishReason: { type: DataTypes.STRING(64), allowNull: true },
        error: { type: DataTypes.JSON, allowNull: true },
        rating: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'comparison_results', underscored: true },
    );
  }
}
