import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { GpuHostLauncher } from '../../../shared/src/api/training.js';

/**
 * A machine that runs training over SSH. The private key (and its passphrase) is stored
 * encrypted with SecretBox; only the fingerprint of its public half is kept in clear.
 */
export class GpuHost extends Model<InferAttributes<GpuHost>, InferCreationAttributes<GpuHost>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare host: string;
  declare port: number;
  declare username: string;
  /** SecretBox output of `{"key": ..., "passphrase": ...}` as JSON. */
  declare privateKeyEncrypted: string;
  /** `SHA256:<base64>` of the key's public half. */
  declare keyFingerprint: string;
  /** The confirmed `SHA256:<base64>` of the host's key; connections are refused while null. */
  declare hostKeyFingerprint: string | null;
  declare workDir: string;
  declare setupCommand: string;
  declare launcher: GpuHostLauncher;
  declare maxConcurrentRuns: number;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof GpuHost {
    return GpuHost.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.STRING(64), allowNull: false },
        host: { type: DataTypes.STRING(253), allowNull: false },
        port: { type: DataTypes.INTEGER, allowNull: false },
        username: { type: DataTypes.STRING(32), allowNull: false },
        privateKeyEncrypted: { type: DataTypes.TEXT, allowNull: false },
        keyFingerprint: { type: DataTypes.STRING(64), allowNull: false },
        hostKeyFingerprint: { type: DataTypes.STRING(64), allowNull: true },
        workDir: { type: DataTypes.STRING(512), allowNull: false },
        setupCommand: { type: DataTypes.TEXT, allowNull: false },
        launcher: { type: DataTypes.STRING(16), allowNull: false },
        maxConcurrentRuns: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'gpu_hosts', underscored: true },
    );
  }
}
