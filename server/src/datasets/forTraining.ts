import fs from 'node:fs';
import { datasetInfoEntry, type DatasetInfoEntry } from '../../../shared/src/datasets/index.js';
import type { AppServices } from '../context.js';
import { HttpError } from '../errors.js';
import type { TrainingDatasetSource } from '../training/datasetSource.js';
import type { Dataset, User } from '../models/index.js';
import { findReadableDataset } from './datasetStore.js';
import { DatasetStorage } from './storage.js';

/** The names LLaMA-Factory loads a dataset by: its key in dataset_info.json, file name and entry. */
export interface DatasetInfo {
  /** The key in dataset_info.json and the value of `dataset` in the training YAML. */
  datasetName: string;
  /** The name to give the file next to dataset_info.json; the entry's `file_name`. */
  fileName: string;
  entry: DatasetInfoEntry;
}

/** A dataset ready to upload to a GPU host. */
export interface TrainingDataset extends DatasetInfo {
  dataset: Dataset;
  /** Absolute path of the stored file on this server. */
  path: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Returns the dataset_info.json entry of a dataset, under the key `lw_dataset_<id>` for the file
 * `lw_dataset_<id>.<file type>`; LLaMA-Factory picks the loader by that extension. Raises 422
 * when the stored report found no schema.
 */
export function datasetInfoFor(dataset: Dataset): DatasetInfo {
  const datasetName = `lw_dataset_${dataset.id}`;
  const fileName = `${datasetName}.${dataset.fileType}`;
  try {
    return { datasetName, fileName, entry: datasetInfoEntry(dataset.report, fileName) };
  } catch (error) {
    if (error instanceof RangeError) {
      throw new HttpError(422, 'dataset_schema_unknown', error.message);
    }
    throw error;
  }
}

/**
 * Resolves a dataset for a training task: the stored file, the name to upload it under, and its
 * dataset_info.json entry. For the training service; it runs the same access check as the API.
 *
 * Raises 404 when the user may not read the dataset (owners and admins may), 422
 * `dataset_has_errors` when its validation found errors, and 500 `dataset_file_missing` when its
 * file is gone from DATA_DIR/datasets.
 */
export async function resolveDatasetForTraining(
  services: Pick<AppServices, 'config'>,
  id: number,
  user: Pick<User, 'id' | 'role'>,
): Promise<TrainingDataset> {
  const dataset = await findReadableDataset(user, id);
  const { errorCount, errors } = dataset.report;
  if (errorCount > 0) {
    const first = errors[0];
    throw new HttpError(
      422,
      'dataset_has_errors',
      `Dataset ${dataset.id} (${dataset.name}) has ${errorCount} validation ` +
        `${errorCount === 1 ? 'error' : 'errors'}` +
        (first === undefined ? '' : `, the first at line ${first.line}: ${first.message}`) +
        '. Fix the file and upload it again before training on it.',
      { details: { datasetId: dataset.id, errorCount } },
    );
  }
  const storedPath = DatasetStorage.for(services.config).storedPath(dataset.storedFile);
  try {
    await fs.promises.access(storedPath, fs.constants.R_OK);
  } catch {
    throw new HttpError(
      500,
      'dataset_file_missing',
      `The file of dataset ${dataset.id} (${dataset.storedFile}) is missing from ` +
        'DATA_DIR/datasets; restore it from a backup or upload the dataset again.',
    );
  }
  return {
    ...datasetInfoFor(dataset),
    dataset,
    path: storedPath,
    sha256: dataset.sha256,
    sizeBytes: dataset.sizeBytes,
  };
}

/**
 * Returns the training supervisor's view of the stored datasets: a dataset the user may not see
 * resolves to undefined, one with validation errors raises the 422 that says how to fix it.
 */
export function trainingDatasetSource(
  services: Pick<AppServices, 'config'>,
): TrainingDatasetSource {
  return {
    async resolve(datasetId, user) {
      let found: TrainingDataset;
      try {
        found = await resolveDatasetForTraining(services, datasetId, user);
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) {
          return undefined;
        }
        throw error;
      }
      return {
        id: found.dataset.id,
        name: found.dataset.name,
        path: found.path,
        fileName: found.fileName,
        entry: { ...found.entry },
        recordCount: found.dataset.recordCount,
        sizeBytes: found.sizeBytes,
      };
    },
  };
}
