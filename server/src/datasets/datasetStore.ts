import { Op, Sequelize, UniqueConstraintError, type WhereOptions } from 'sequelize';
import type { AppServices } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { Dataset, type User } from '../models/index.js';
import { assertStorable } from './acceptance.js';
import { defaultDatasetName } from './fileNames.js';
import type { ScanResult } from './scanner.js';
import { DatasetStorage } from './storage.js';
import { activeTrainingTasksUsing } from './trainingUsage.js';

/** A received file that passed scanning, and what the user sent with it. */
export interface ReceivedDataset {
  /** The received file's current path; the file is moved into the store or removed. */
  receivedPath: string;
  scan: ScanResult;
  /** The client's file name, already checked. */
  fileName: string;
  name?: string | undefined;
  description?: string | undefined;
}

/** A stored dataset, and whether it existed before this upload. */
export interface StoredDataset {
  dataset: Dataset;
  duplicate: boolean;
}

/**
 * Stores a received file as a dataset of the user. A file the server does not store (see
 * assertStorable) raises its error. When the user already has a dataset with the same bytes and
 * file type, that dataset is returned with `duplicate: true` and the received copy is removed.
 */
export async function storeDataset(
  services: AppServices,
  user: User,
  received: ReceivedDataset,
): Promise<StoredDataset> {
  const { scan } = received;
  assertStorable(scan, received.fileName);

  const existing = await findOwnCopy(user, scan);
  const storage = DatasetStorage.for(services.config);
  return storage.commit(received.receivedPath, scan.sha256, scan.fileType, async (storedFile) => {
    if (existing !== null) {
      return { dataset: existing, duplicate: true };
    }
    try {
      const dataset = await Dataset.create({
        ownerId: user.id,
        name: received.name ?? defaultDatasetName(received.fileName),
        description: received.description ?? null,
        originalFileName: received.fileName,
        storedFile,
        sizeBytes: scan.sizeBytes,
        sha256: scan.sha256,
        fileType: scan.fileType,
        recordSchema: scan.report.schema,
        recordCount: scan.report.recordCount,
        validCount: scan.report.validCount,
        invalidCount: scan.report.invalidCount,
        report: scan.report,
      });
      return { dataset, duplicate: false };
    } catch (error) {
      // Two identical uploads by one user at once: the unique index lets one row in.
      const winner = error instanceof UniqueConstraintError ? await findOwnCopy(user, scan) : null;
      if (winner === null) {
        throw error;
      }
      return { dataset: winner, duplicate: true };
    }
  });
}

function findOwnCopy(user: User, scan: ScanResult): Promise<Dataset | null> {
  return Dataset.findOne({
    where: { ownerId: user.id, sha256: scan.sha256, fileType: scan.fileType },
  });
}

/** Filters and paging for the dataset list. */
export interface DatasetQuery {
  /** Part of the name, matched without regard to case. */
  search?: string | undefined;
  page: number;
  pageSize: number;
}

/** Lists the user's datasets, or every user's for an admin, newest first. */
export async function listDatasets(
  user: User,
  query: DatasetQuery,
): Promise<{ datasets: Dataset[]; total: number }> {
  const where: WhereOptions[] = [];
  if (user.role !== 'admin') {
    where.push({ ownerId: user.id });
  }
  if (query.search !== undefined && query.search !== '') {
    // INSTR is a plain substring test in SQLite and MySQL alike, so % and _ need no escaping.
    const needle = query.search.toLowerCase();
    where.push(
      Sequelize.where(Sequelize.fn('instr', Sequelize.fn('lower', Sequelize.col('name')), needle), {
        [Op.gt]: 0,
      }),
    );
  }
  const { rows, count } = await Dataset.findAndCountAll({
    where: { [Op.and]: where },
    // The report can be large, and lists do not return it.
    attributes: { exclude: ['report'] },
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { datasets: rows, total: count };
}

/** Returns the dataset if the user owns it or is an admin; raises 404 otherwise. */
export async function findReadableDataset(
  user: Pick<User, 'id' | 'role'>,
  id: number,
): Promise<Dataset> {
  const dataset = await Dataset.findByPk(id);
  if (dataset === null || (user.role !== 'admin' && dataset.ownerId !== user.id)) {
    throw notFound('Dataset', id);
  }
  return dataset;
}

/**
 * Deletes a dataset, and its file once no other dataset shares it. Raises 409 while a training
 * task that has not finished uses the dataset.
 */
export async function deleteDataset(services: AppServices, dataset: Dataset): Promise<void> {
  const tasks = await activeTrainingTasksUsing(services.sequelize, dataset.id);
  if (tasks.length > 0) {
    const names = tasks.map((task) => `${task.id} (${task.status})`).join(', ');
    throw conflict(
      'dataset_in_use',
      `Dataset ${dataset.id} is used by training task ${names}; stop or delete the task first.`,
      { tasks },
    );
  }
  await dataset.destroy();
  await DatasetStorage.for(services.config).release(dataset.storedFile);
}
