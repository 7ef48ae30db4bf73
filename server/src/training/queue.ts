import { Op, type Sequelize, type Transaction } from 'sequelize';
import { runTransaction } from '../db/transactions.js';
import { GpuHost, TrainingTask } from '../models/index.js';

/** Statuses that hold one of a host's run slots. */
export const ACTIVE_STATUSES = ['running', 'stopping'] as const;

export interface Lease {
  instanceId: string;
  leaseMs: number;
}

/**
 * Gives the task a run slot of its host, or queues it. A task that finds others queued goes
 * behind them even when a slot is free, so tasks start in the order they were queued.
 * `prepare` changes the task in the same transaction, before its status is set.
 * Returns whether the caller should launch the task now.
 */
export async function takeSlotOrQueue(
  sequelize: Sequelize,
  task: TrainingTask,
  lease: Lease,
  prepare: (task: TrainingTask, transaction: Transaction) => Promise<void>,
): Promise<boolean> {
  return runTransaction(sequelize, async (transaction) => {
    const host = await lockHost(task.gpuHostId, transaction);
    await prepare(task, transaction);
    const active = await countOnHost(host.id, ACTIVE_STATUSES, transaction);
    const waiting = await countOnHost(host.id, ['queued'], transaction);
    const launch = active < host.maxConcurrentRuns && waiting === 0;
    const now = new Date();
    if (launch) {
      task.set({ status: 'running', queuedAt: null, ...leaseFields(lease, now) });
    } else {
      task.set({ status: 'queued', queuedAt: now });
    }
    await task.save({ transaction });
    return launch;
  });
}

/** Moves the oldest queued tasks of a host into its free slots and returns them. */
export async function takeQueuedIntoFreeSlots(
  sequelize: Sequelize,
  hostId: number,
  lease: Lease,
): Promise<TrainingTask[]> {
  return runTransaction(sequelize, async (transaction) => {
    const host = await GpuHost.findByPk(hostId, { transaction, lock: transaction.LOCK.UPDATE });
    if (host === null) {
      return [];
    }
    const free =
      host.maxConcurrentRuns - (await countOnHost(host.id, ACTIVE_STATUSES, transaction));
    if (free <= 0) {
      return [];
    }
    const queued = await TrainingTask.findAll({
      where: { gpuHostId: host.id, status: 'queued' },
      order: [
        ['queuedAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: free,
      transaction,
    });
    const now = new Date();
    for (const task of queued) {
      task.set({ status: 'running', queuedAt: null, ...leaseFields(lease, now) });
      await task.save({ transaction });
    }
    return queued;
  });
}

/** Returns a queued task's place in its host's queue, 1 for the next to start. */
export async function queuePosition(task: TrainingTask): Promise<number | null> {
  if (task.status !== 'queued' || task.queuedAt === null) {
    return null;
  }
  const ahead = await TrainingTask.count({
    where: {
      gpuHostId: task.gpuHostId,
      status: 'queued',
      [Op.or]: [
        { queuedAt: { [Op.lt]: task.queuedAt } },
        { queuedAt: task.queuedAt, id: { [Op.lt]: task.id } },
      ],
    },
  });
  return ahead + 1;
}

/** Counts a host's tasks in the given statuses. */
export function countOnHost(
  hostId: number,
  statuses: readonly string[],
  transaction?: Transaction,
): Promise<number> {
  return TrainingTask.count({
    where: { gpuHostId: hostId, status: [...statuses] },
    ...(transaction === undefined ? {} : { transaction }),
  });
}

export function leaseFields(lease: Lease, now: Date) {
  return {
    watcherId: lease.instanceId,
    watcherExpiresAt: new Date(now.getTime() + lease.leaseMs),
  };
}

/** Locks the host row, so two servers cannot hand out its last slot twice (MySQL). */
async function lockHost(hostId: number | null, transaction: Transaction): Promise<GpuHost> {
  const host =
    hostId === null
      ? null
      : await GpuHost.findByPk(hostId, { transaction, lock: transaction.LOCK.UPDATE });
  if (host === null) {
    throw new Error('The task has no GPU host.');
  }
  return host;
}
