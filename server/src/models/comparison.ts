import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { ComparisonResult } from './comparisonResult.js';
import { mediumText } from '../db/textTypes.js';

/** One prompt that one to three model configs answered side by side, and the user's pick. */
export class Comparison extends Model<
  InferAttributes<Comparison>,
  InferCreationAttributes<Comparison>
> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  /** The prompt as sent, with its variables filled. */
  declare prompt: string;
  /** The prompt as written, with `{{variables}}`, or null when it had none. */
  declare promptTemplate: string | null;
  declare variables: Record<string, string> | null;
  /** The result the user picked as the best answer. */
  declare bestResultId: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** Loaded by queries that include the `results` association. */
  declare results?: NonAttribute<ComparisonResult[]>;

  static initModel(sequelize: Sequelize): typeof Comparison {
    return Comparison.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        prompt: { type: mediumText(sequelize), allowNull: false },
        promptTemplate: { type: mediumText(sequelize), allowNull: true },
        variables: { type: DataTypes.JSON, allowNull: true },
        bestResultId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'comparisons', underscored: true },
    );
  }
}
