import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { ApiReasoningSetting } from '../../../shared/src/api/modelConfigs.js';
import type { Provider } from './provider.js';

/**
 * A model of a provider with the sampling parameters and prices to use it with. `modelMissing`
 * is set when the provider's last sync did not list `modelId`, and the config is kept.
 */
export class ModelConfig extends Model<
  InferAttributes<ModelConfig>,
  InferCreationAttributes<ModelConfig>
> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  declare providerId: number;
  declare modelId: string;
  declare displayName: string;
  declare temperature: number;
  declare maxTokens: number;
  declare topP: number;
  declare topK: number;
  declare reasoning: ApiReasoningSetting | null;
  /** Dollars per million prompt tokens, or null when unknown. */
  declare priceInputPerMTok: number | null;
  /** Dollars per million completion tokens, reasoning tokens included, or null when unknown. */
  declare priceOutputPerMTok: number | null;
  declare enabled: CreationOptional<boolean>;
  declare modelMissing: CreationOptional<boolean>;
  /** Set by a sync that lowered the model's context length below `maxTokens`. */
  declare exceedsContextLength: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** Loaded by queries that include the `provider` association. */
  declare provider?: NonAttribute<Provider>;

  static initModel(sequelize: Sequelize): typeof ModelConfig {
    return ModelConfig.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        providerId: { type: DataTypes.INTEGER, allowNull: false },
        modelId: { type: DataTypes.STRING(191), allowNull: false },
        displayName: { type: DataTypes.STRING(191), allowNull: false },
        temperature: { type: DataTypes.DOUBLE, allowNull: false },
        maxTokens: { type: DataTypes.INTEGER, allowNull: false },
        topP: { type: DataTypes.DOUBLE, allowNull: false },
        topK: { type: DataTypes.INTEGER, allowNull: false },
        reasoning: { type: DataTypes.JSON, allowNull: true },
        priceInputPerMTok: {
          type: DataTypes.DOUBLE,
          allowNull: true,
          field: 'price_input_per_mtok',
        },
        priceOutputPerMTok: {
          type: DataTypes.DOUBLE,
          allowNull: true,
          field: 'price_output_per_mtok',
        },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        modelMissing: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        exceedsContextLength: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'model_configs', underscored: true },
    );
  }
}
