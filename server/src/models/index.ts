// Every date attribute is DataTypes.DATE(3), matching its DATETIME(3) column. Sequelize's mysql
// dialect writes a DATE without a length as whole seconds, so plain DATE would drop milliseconds
// on MySQL and MariaDB, while SQLite keeps them.
import type { Sequelize } from 'sequelize';
import { AuditLog } from './auditLog.js';
import { ChatMessage } from './chatMessage.js';
import { ChatSession } from './chatSession.js';
import { Comparison } from './comparison.js';
import { ComparisonResult } from './comparisonResult.js';
import { Dataset } from './dataset.js';
import { DatasetUpload } from './datasetUpload.js';
import { GpuHost } from './gpuHost.js';
import { ModelConfig } from './modelConfig.js';
import { Provider } from './provider.js';
import { ProviderModel } from './providerModel.js';
import { RefreshToken } from './refreshToken.js';
import { SystemPrompt } from './systemPrompt.js';
import { TrainingMetric } from './trainingMetric.js';
import { TrainingTask } from './trainingTask.js';
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
  ChatSession.initModel(sequelize);
  ChatMessage.initModel(sequelize);
  User.hasMany(ChatSession, { foreignKey: 'ownerId', onDelete: 'CASCADE' });
  ChatSession.belongsTo(ModelConfig, { foreignKey: 'modelConfigId', as: 'modelConfig' });
  ChatSession.hasMany(ChatMessage, { foreignKey: 'sessionId', onDelete: 'CASCADE' });
  GpuHost.initModel(sequelize);
  TrainingTask.initModel(sequelize);
  TrainingMetric.initModel(sequelize);
  Dataset.initModel(sequelize);
  DatasetUpload.initModel(sequelize);
  Comparison.initModel(sequelize);
  ComparisonResult.initModel(sequelize);
  SystemPrompt.initModel(sequelize);
  User.hasMany(Comparison, { foreignKey: 'ownerId', onDelete: 'CASCADE' });
  Comparison.hasMany(ComparisonResult, {
    foreignKey: 'comparisonId',
    as: 'results',
    onDelete: 'CASCADE',
  });
}

export {
  AuditLog,
  ChatMessage,
  ChatSession,
  Comparison,
  ComparisonResult,
  Dataset,
  DatasetUpload,
  GpuHost,
  ModelConfig,
  Provider,
  ProviderModel,
  RefreshToken,
  SystemPrompt,
  TrainingMetric,
  TrainingTask,
  UsageRecord,
  User,
};
