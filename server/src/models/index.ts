// Every date attribute is DataTypes.DATE(3), matching its DATETIME(3) column. Sequelize's mysql
// dialect writes a DATE without a length as whole seconds, so plain DATE would drop milliseconds
// on MySQL and MariaDB, while SQLite keeps them.
import type { Sequelize } from 'sequelize';
import { AuditLog } from './auditLog.js';
import { ModelConfig } from './modelConfig.js';
import { Provider } from './provider.js';
import { ProviderModel } from './providerModel.js';
import { RefreshToken } from './refreshToken.js';
import { UsageRecord } from './usageRecord.js';
import { User } from './user.js';

/** Binds every model to the connection and declares their associations. */
export function initModels(sequelize: Sequelize): void {
  User.initModel(sequelize);
  RefreshToken.initModel(sequelize);
  AuditLog.initModel(sequelize);
  User.hasMany(RefreshToken, { foreignKey: 'userId', onDelete: 'CASCADE' });
  RefreshToken.belongsTo(User, { foreignKey: 'userId' });
  Provider.initModel(sequelize);
  ProviderModel.initModel(sequelize);
  User.hasMany(Provider, { foreignKey: 'ownerId', onDelete: 'CASCADE' });
  Provider.belongsTo(User, { foreignKey: 'ownerId', as: 'owner' });
  Provider.hasMany(ProviderModel, { foreignKey: 'providerId', as: 'models', onDelete: 'CASCADE' });
  ProviderModel.belongsTo(Provider, { foreignKey: 'providerId' });
  ModelConfig.initModel(sequelize);
  UsageRecord.initModel(sequelize);
  User.hasMany(ModelConfig, { foreignKey: 'ownerId', onDelete: 'CASCADE' });
  Provider.hasMany(ModelConfig, { foreignKey: 'providerId', onDelete: 'CASCADE' });
  ModelConfig.belongsTo(Provider, { foreignKey: 'providerId', as: 'provider' });
}

export { AuditLog, ModelConfig, Provider, ProviderModel, RefreshToken, UsageRecord, User };
