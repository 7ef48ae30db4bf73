import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** The feature a provider call was made for. */
export type UsagePurpose = 'chat' | 'compare' | 'test';

/**
 * One provider call: its tokens, its cost in dollars and its timing. Token counts are null when
 * the provider reported no usage before the call ended, and `cost` is null when a price it needs is
 * unknown.
 */
export class UsageRecord extends Model<
  InferAttributes<UsageRecord>,
  InferCreationAttributes<UsageRecord>
> {
  declare id: CreationOptional<number>;
  declare userId: number | null;
  declare providerId: number | null;
  declare modelConfigId: number | null;
  declare modelId: string;
  declare purpose: UsagePurpose;
  declare promptTokens: number | null;
  declare completionTokens: number | null;
  declare reasoningTokens: number | null;
  declare cost: number | null;
  declare latencyMs: number;
  /** Milliseconds from the request to the first reasoning or content text. */
  declare ttftMs: number | null;
  declare success: boolean;
  declare finishReason: string | null;
  /** The ProviderError code of a failed call, or `aborted` when the caller stopped reading. */
  declare errorCode: string | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof UsageRecord {
    return UsageRecord.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: true },
        providerId: { type: DataTypes.INTEGER, allowNull: true },
        modelConfigId: { type: DataTypes.INTEGER, allowNull: true },
        modelId: { type: DataTypes.STRING(191), allowNull: false },
        purpose: { type: DataTypes.STRING(16), allowNull: false },
        promptTokens: { type: DataTypes.INTEGER, allowNull: true },
        completionTokens: { type: DataTypes.INTEGER, allowNull: true },
        reasoningTokens: { type: DataTypes.INTEGER, allowNull: true },
        cost: { type: DataTypes.DOUBLE, allowNull: true },
        latencyMs: { type: DataTypes.INTEGER, allowNull: false },
        ttftMs: { type: DataTypes.INTEGER, allowNull: true },
        success: { type: DataTypes.BOOLEAN, allowNull: false },
        finishReason: { type: DataTypes.STRING(16), allowNull: true },
        errorCode: { type: DataTypes.STRING(32), allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'usage_records', underscored: true, updatedAt: false },
    );
  }
}
