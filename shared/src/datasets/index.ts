// Streaming validation of fine-tuning datasets (JSON, JSONL, CSV, TXT) in LLaMA-Factory's formats.
export { createDatasetValidator, type DatasetValidator } from './validator.js';
export { datasetInfoEntry, type DatasetInfoEntry } from './datasetInfo.js';
export {
  DEFAULT_MAX_RECORD_CHARS,
  MAX_DUPLICATE_CHECK_LIMIT,
  fileTypeFromName,
} from './options.js';
export { DEFAULT_DUPLICATE_CHECK_LIMIT } from './duplicates.js';
export { MAX_LISTED_ISSUES } from './issueLog.js';
export { OPENAI_TAGS, SHAREGPT_DEFAULT_TAGS } from './tags.js';
export type * from './types.js';
