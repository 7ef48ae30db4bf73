import { QueryTypes, type Sequelize } from 'sequelize';
import {
  FINISHED_TRAINING_STATUSES,
  type TrainingStatus,
} from '../../../shared/src/api/training.js';

/** A training task that still needs a dataset. */
export interface TaskUsingDataset {
  id: number;
  name: string;
  status: TrainingStatus;
}

/**
 * Returns the training tasks that use the dataset and have not finished (every status but
 * completed, failed and stopped), read straight from the training_tasks table. Returns none while
 * that table does not exist.
 */
export async function activeTrainingTasksUsing(
  sequelize: Sequelize,
  datasetId: number,
): Promise<TaskUsingDataset[]> {
  if (!(await sequelize.getQueryInterface().tableExists('training_tasks'))) {
    return [];
  }
  const rows = await sequelize.query<{ id: number | string; name: string; status: TrainingStatus }>(
    'SELECT id, name, status FROM training_tasks WHERE dataset_id = :datasetId ' +
      'AND status NOT IN (:finished) ORDER BY id',
    {
      type: QueryTypes.SELECT,
      replacements: { datasetId, finished: [...FINISHED_TRAINING_STATUSES] },
    },
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name, status: row.status }));
}
