import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type {
  DatasetFileType,
  DatasetReport,
  DatasetSchema,
} from '../../../shared/src/datasets/types.js';

/**
 * An uploaded fine-tuning dataset with its validation report. The file is stored under
 * DATA_DIR/datasets as `storedFile`, which is named by its SHA-256 and file type, never by the
 * name the client sent. Datasets with the same bytes and type share one file.
 */
export class Dataset extends Model<InferAttributes<Dataset>, InferCreationAttributes<Dataset>> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  declare name: string;
  declare description: string | null;
  declare originalFileName: string;
  declare storedFile: string;
  declare sizeBytes: number;
  declare sha256: string;
  declare fileType: DatasetFileType;
  declare recordSchema: DatasetSchema;
  declare recordCount: number;
  declare validCount: number;
  declare invalidCount: number;
  declare report: DatasetReport;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof Dataset {
    return Dataset.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: true },
        originalFileName: { type: DataTypes.STRING(255), allowNull: false },
        storedFile: { type: DataTypes.STRING(80), allowNull: false },
        sizeBytes: {
          type: DataTypes.BIGINT,
          allowNull: false,
          // The MySQL driver may return BIGINT as a string; file sizes stay far below 2^53.
          get(this: Dataset): number {
            return Number(this.getDataValue('sizeBytes'));
          },
        },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        fileType: { type: DataTypes.STRING(8), allowNull: false },
        recordSchema: { type: DataTypes.STRING(16), allowNull: false },
        recordCount: { type: DataTypes.INTEGER, allowNull: false },
        validCount: { type: DataTypes.INTEGER, allowNull: false },
        invalidCount: { type: DataTypes.INTEGER, allowNull: false },
        report: { type: DataTypes.JSON, allowNull: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'datasets', underscored: true },
    );
  }
}
