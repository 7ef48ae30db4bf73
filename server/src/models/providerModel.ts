import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ApiProviderModel } from '../../../shared/src/api/providers.js';

/** A model listed by a provider at its last sync. */
export class ProviderModel extends Model<
  InferAttributes<ProviderModel>,
  InferCreationAttributes<ProviderModel>
> {
  declare id: CreationOptional<number>;
  declare providerId: number;
  declare modelId: string;
  declare displayName: string;
  declare type: ApiProviderModel['type'];
  declare capabilities: string[];
  declare contextLength: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof ProviderModel {
    return ProviderModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        providerId: { type: DataTypes.INTEGER, allowNull: false },
        modelId: { type: DataTypes.STRING(191), allowNull: false },
        displayName: { type: DataTypes.STRING(191), allowNull: false },
        type: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'chat' },
        capabilities: { type: DataTypes.JSON, allowNull: false },
        contextLength: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'provider_models', underscored: true },
    );
  }
}
