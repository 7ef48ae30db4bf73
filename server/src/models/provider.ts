import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ProviderKind } from '../../../shared/src/api/providers.js';
import { providerNameKey } from '../providers/providerNames.js';

/**
 * A model provider a user connected. The API key and custom header values are stored encrypted
 * (see SecretBox); only their masked form and the header names are kept in clear.
 */
export class Provider extends Model<InferAttributes<Provider>, InferCreationAttributes<Provider>> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  declare name: string;
  /** The name in lowercase NFC, unique per owner; set from `name` before validation. */
  declare nameKey: CreationOptional<string>;
  declare kind: ProviderKind;
  declare baseUrl: string;
  declare apiKeyEncrypted: string | null;
  declare apiKeyMasked: string | null;
  declare headersEncrypted: string | null;
  declare headerNames: string[];
  declare shared: CreationOptional<boolean>;
  declare enabled: CreationOptional<boolean>;
  declare status: CreationOptional<'unknown' | 'ok' | 'error'>;
  declare lastError: string | null;
  declare lastCheckedAt: Date | null;
  /** Raised when the base URL, key or headers change, so a sync can tell it listed old ones. */
  declare connectionVersion: CreationOptional<number>;
  /** Whether the provider may reach loopback and private networks: an admin saved its URL. */
  declare allowPrivateNetwork: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof Provider {
    return Provider.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(64), allowNull: false },
        nameKey: { type: DataTypes.STRING(255), allowNull: false },
        kind: { type: DataTypes.STRING(32), allowNull: false },
        baseUrl: { type: DataTypes.STRING(512), allowNull: false },
        apiKeyEncrypted: { type: DataTypes.TEXT, allowNull: true },
        apiKeyMasked: { type: DataTypes.STRING(16), allowNull: true },
        headersEncrypted: { type: DataTypes.TEXT, allowNull: true },
        headerNames: { type: DataTypes.JSON, allowNull: false },
        shared: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'unknown' },
        lastError: { type: DataTypes.TEXT, allowNull: true },
        lastCheckedAt: { type: DataTypes.DATE(3), allowNull: true },
        connectionVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        allowPrivateNetwork: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      {
        sequelize,
        tableName: 'providers',
        underscored: true,
        hooks: {
          beforeValidate: (provider: Provider) => {
            // Bulk updates validate a partial instance that may carry no name.
            if (typeof provider.name === 'string') {
              provider.nameKey = providerNameKey(provider.name);
            }
          },
        },
      },
    );
  }
}
