import type { User } from '../models/index.js';

/**
 * A dataset's `dataset_info.json` entry as LLaMA-Factory reads it: `formatting`, `ranking`,
 * `columns`, `tags` and so on. Its `file_name` is replaced by the uploaded copy's name.
 */
export type DatasetInfoEntry = Record<string, unknown>;

/** The file a training task uploads, with what LLaMA-Factory needs to read it. */
export interface TrainingDatasetFile {
  id: number;
  name: string;
  /** A readable file on this server's disk. */
  path: string;
  /**
   * The name of the uploaded copy, such as `lw_dataset_7.json`; LLaMA-Factory picks its loader
   * by the extension. Letters, digits, `_`, `.` and `-` only.
   */
  fileName: string;
  entry: DatasetInfoEntry;
  recordCount: number | null;
  sizeBytes: number | null;
}

/**
 * Finds the dataset file of a task. The datasets feature implements this over its table and
 * storage; a user gets only the datasets they may train on.
 */
export interface TrainingDatasetSource {
  /**
   * Returns the dataset, or undefined when it does not exist or the user may not use it. May
   * throw an HttpError that explains why the dataset cannot be used, such as validation errors.
   */
  resolve(
    datasetId: number,
    user: Pick<User, 'id' | 'role'>,
  ): Promise<TrainingDatasetFile | undefined>;
}

/** The source used until the datasets feature provides one: every lookup finds nothing. */
export const NO_DATASETS: TrainingDatasetSource = {
  resolve: () => Promise.resolve(undefined),
};

/** Checks a dataset file name before it becomes part of a path on the host. */
export function isSafeDatasetFileName(fileName: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(fileName) && !fileName.includes('..');
}
