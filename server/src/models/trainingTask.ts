import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { TrainingParameters, TrainingStatus } from '../../../shared/src/api/training.js';

/** The dataset facts a report shows. */
export interface DatasetSnapshot {
  name: string;
  recordCount: number | null;
  sizeBytes: number | null;
}

/**
 * A LoRA fine-tuning run of a base model on a dataset, on one GPU host. The progress columns
 * mirror the last trainer log record. `logOffset` and `metricsOffset` count the bytes of
 * train.log and trainer_log.jsonl already read, and are committed together with what was read.
 */
export class TrainingTask extends Model<
  InferAttributes<TrainingTask>,
  InferCreationAttributes<TrainingTask>
> {
  declare id: CreationOptional<number>;
  declare ownerId: number;
  declare name: string;
  declare baseModel: string;
  declare datasetId: number;
  /** The dataset as it was when the run started, for the report. */
  declare datasetSnapshot: DatasetSnapshot | null;
  declare gpuHostId: number | null;
  declare parameters: TrainingParameters;
  declare status: TrainingStatus;
  declare step: CreationOptional<number>;
  declare totalSteps: number | null;
  declare percent: CreationOptional<number>;
  declare epoch: number | null;
  declare remainingMs: number | null;
  declare elapsedMs: number | null;
  declare runDir: string | null;
  declare processGroup: number | null;
  declare exitCode: number | null;
  declare errorTail: string | null;
  declare adapterPath: string | null;
  declare swanlabUrl: string | null;
  declare logOffset: CreationOptional<number>;
  declare metricsOffset: CreationOptional<number>;
  declare resumeCheckpoint: string | null;
  declare stopRequestedAt: Date | null;
  declare queuedAt: Date | null;
  declare startedAt: Date | null;
  declare finishedAt: Date | null;
  declare watcherId: string | null;
  declare watcherExpiresAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof TrainingTask {
    return TrainingTask.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        baseModel: { type: DataTypes.STRING(512), allowNull: false },
        datasetId: { type: DataTypes.INTEGER, allowNull: false },
        datasetSnapshot: { type: DataTypes.JSON, allowNull: true },
        gpuHostId: { type: DataTypes.INTEGER, allowNull: true },
        parameters: { type: DataTypes.JSON, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        step: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        totalSteps: { type: DataTypes.INTEGER, allowNull: true },
        percent: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
        epoch: { type: DataTypes.DOUBLE, allowNull: true },
        remainingMs: bigintColumn('remainingMs', true),
        elapsedMs: bigintColumn('elapsedMs', true),
        runDir: { type: DataTypes.STRING(1024), allowNull: true },
        processGroup: { type: DataTypes.INTEGER, allowNull: true },
        exitCode: { type: DataTypes.INTEGER, allowNull: true },
        errorTail: { type: DataTypes.TEXT, allowNull: true },
        adapterPath: { type: DataTypes.STRING(1100), allowNull: true },
        swanlabUrl: { type: DataTypes.STRING(1024), allowNull: true },
        logOffset: bigintColumn('logOffset', false),
        metricsOffset: bigintColumn('metricsOffset', false),
        resumeCheckpoint: { type: DataTypes.STRING(255), allowNull: true },
        stopRequestedAt: { type: DataTypes.DATE(3), allowNull: true },
        queuedAt: { type: DataTypes.DATE(3), allowNull: true },
        startedAt: { type: DataTypes.DATE(3), allowNull: true },
        finishedAt: { type: DataTypes.DATE(3), allowNull: true },
        watcherId: { type: DataTypes.STRING(36), allowNull: true },
        watcherExpiresAt: { type: DataTypes.DATE(3), allowNull: true },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'training_tasks', underscored: true },
    );
  }
}

/**
 * A BIGINT attribute read back as a number: the MySQL driver may return BIGINT as a string.
 * Offsets and durations stay far below 2^53, where a number is exact.
 */
function bigintColumn(name: string, allowNull: boolean) {
  return {
    type: DataTypes.BIGINT,
    allowNull,
    ...(allowNull ? {} : { defaultValue: 0 }),
    get(this: TrainingTask): number | null {
      const raw = this.getDataValue(name as keyof InferAttributes<TrainingTask>) as unknown;
      return raw === null || raw === undefined ? null : Number(raw);
    },
  };
}
