import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';

/**
 * A resumable dataset upload: chunks are appended to DATA_DIR/datasets/uploads/<id>.part until
 * `receivedBytes` reaches `sizeBytes`. The row and its file are removed after `expiresAt`.
 */
export class DatasetUpload extends Model<
  InferAttributes<DatasetUpload>,
  InferCreationAttributes<DatasetUpload>
> {
  declare id: string;
  declare ownerId: number;
  declare fileName: string;
  declare fileType: DatasetFileType;
  declare sizeBytes: number;
  declare sha256: string | null;
  declare receivedBytes: CreationOptional<number>;
  declare datasetId: number | null;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof DatasetUpload {
    return DatasetUpload.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        fileName: { type: DataTypes.STRING(255), allowNull: false },
        fileType: { type: DataTypes.STRING(8), allowNull: false },
        sizeBytes: bigintColumn('sizeBytes'),
        sha256: { type: DataTypes.STRING(64), allowNull: true },
        receivedBytes: { ...bigintColumn('receivedBytes'), defaultValue: 0 },
        datasetId: { type: DataTypes.INTEGER, allowNull: true },
        expiresAt: { type: DataTypes.DATE(3), allowNull: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'dataset_uploads', underscored: true },
    );
  }
}

/**
 * A BIGINT attribute read back as a number: the MySQL driver may return BIGINT as a string.
 * Byte counts stay far below 2^53, where a number is exact.
 */
function bigintColumn(name: 'sizeBytes' | 'receivedBytes') {
  return {
    type: DataTypes.BIGINT,
    allowNull: false,
    get(this: DatasetUpload): number {
      return Number(this.getDataValue(name));
    },
  };
}
