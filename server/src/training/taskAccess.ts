import { Op, type WhereOptions } from 'sequelize';
import { notFound } from '../errors.js';
import { TrainingTask, type User } from '../models/index.js';

/** Returns the condition for the tasks a user may read: their own, or all for an admin. */
export function readableTasks(user: User): WhereOptions<TrainingTask> {
  return user.role === 'admin' ? {} : { ownerId: user.id };
}

/** Loads a task the user may see and change, or throws 404 (another user's task looks absent). */
export async function findTaskFor(user: User, id: number): Promise<TrainingTask> {
  const task = await TrainingTask.findOne({ where: { id, ...readableTasks(user) } });
  if (task === null) {
    throw notFound('Training task', id);
  }
  return task;
}

/** Tasks whose names contain `search`, for the list filter. */
export function nameContains(search: string): WhereOptions<TrainingTask> {
  return { name: { [Op.like]: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } };
}
