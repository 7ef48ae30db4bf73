import { SHAREGPT_DEFAULT_TAGS, TAG_NAMES } from './tags.js';
import type { DatasetColumns, DatasetReport, ShareGptTags } from './types.js';

/** One dataset's entry in LLaMA-Factory's dataset_info.json. */
export interface DatasetInfoEntry {
  file_name: string;
  formatting: 'alpaca' | 'sharegpt';
  /** Present and true for preference data (DPO, ORPO, reward modelling). */
  ranking?: true;
  columns?: DatasetColumns;
  tags?: ShareGptTags;
}

/** Tags for roles a conversation may lack; they are written only when the data uses them. */
const OPTIONAL_ROLE_TAGS: (keyof ShareGptTags)[] = [
  'observation_tag',
  'function_tag',
  'system_tag',
];

/**
 * Builds the dataset_info.json entry that lets LLaMA-Factory load the validated file under
 * `fileName`: its formatting, `ranking` for preference data, the columns the records use, and
 * the tags that differ from LLaMA-Factory's defaults. Tags from `options.tags` are always written.
 * Throws RangeError when the report found no schema.
 */
export function datasetInfoEntry(
  report: DatasetReport,
  fileName: string,
  options: { tags?: ShareGptTags } = {},
): DatasetInfoEntry {
  if (report.schema === 'unknown') {
    throw new RangeError(
      `No dataset_info.json entry can be built for ${JSON.stringify(fileName)}: its records ` +
        'match no supported schema. Fix the errors in the validation report first.',
    );
  }
  const sharegpt =
    report.schema === 'sharegpt' ||
    report.schema === 'openai' ||
    (report.schema === 'preference' && report.preferenceFormat === 'sharegpt');
  const entry: DatasetInfoEntry = {
    file_name: fileName,
    formatting: sharegpt ? 'sharegpt' : 'alpaca',
  };
  if (report.schema === 'preference') {
    entry.ranking = true;
  }
  const columns: DatasetColumns = { ...report.columns };
  if (report.schema === 'pretraining') {
    columns.prompt ??= 'text';
  }
  if (Object.keys(columns).length > 0) {
    entry.columns = columns;
  }
  const tags = sharegpt ? changedTags(report, options.tags) : undefined;
  if (tags !== undefined) {
    entry.tags = tags;
  }
  return entry;
}

function changedTags(
  report: DatasetReport,
  given: ShareGptTags | undefined,
): ShareGptTags | undefined {
  if (report.tags === undefined) {
    return undefined;
  }
  const usedRoles = new Set(Object.keys(report.roles ?? {}));
  const tags: ShareGptTags = {};
  for (const name of TAG_NAMES) {
    const value = report.tags[name];
    const unused = OPTIONAL_ROLE_TAGS.includes(name) && !usedRoles.has(value);
    if (given?.[name] !== undefined || (value !== SHAREGPT_DEFAULT_TAGS[name] && !unused)) {
      tags[name] = value;
    }
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}
