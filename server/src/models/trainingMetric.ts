import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** One step of a training run as LLaMA-Factory logged it; evaluation is merged into its step. */
export class TrainingMetric extends Model<
  InferAttributes<TrainingMetric>,
  InferCreationAttributes<TrainingMetric>
> {
  declare id: CreationOptional<number>;
  declare taskId: number;
  declare step: number;
  declare totalSteps: number | null;
  declare loss: number | null;
  declare evalLoss: number | null;
  declare learningRate: number | null;
  declare epoch: number | null;
  /** Tokens per second. */
  declare throughput: number | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof TrainingMetric {
    return TrainingMetric.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        taskId: { type: DataTypes.INTEGER, allowNull: false },
        step: { type: DataTypes.INTEGER, allowNull: false },
        totalSteps: { type: DataTypes.INTEGER, allowNull: true },
        loss: { type: DataTypes.DOUBLE, allowNull: true },
        evalLoss: { type: DataTypes.DOUBLE, allowNull: true },
        learningRate: { type: DataTypes.DOUBLE, allowNull: true },
        epoch: { type: DataTypes.DOUBLE, allowNull: true },
        throughput: { type: DataTypes.DOUBLE, allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'training_metrics', underscored: true, updatedAt: false },
    );
  }
}
