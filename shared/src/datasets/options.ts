import { DEFAULT_DUPLICATE_CHECK_LIMIT } from './duplicates.js';
import { checkTagsOption } from './tags.js';
import type { DatasetFileType, DatasetValidatorOptions, ShareGptTags, TextMode } from './types.js';

/** Default maximum record length, in UTF-16 code units: 2 Mi, about 4 MiB of memory. */
export const DEFAULT_MAX_RECORD_CHARS = 2_097_152;
/** The highest duplicateCheckLimit accepted: 2^24 distinct records, 384 MiB of table. */
export const MAX_DUPLICATE_CHECK_LIMIT = 16_777_216;

const FILE_TYPES: Record<string, DatasetFileType> = {
  json: 'json',
  jsonl: 'jsonl',
  csv: 'csv',
  txt: 'txt',
};

/** Validator options with defaults applied. */
export interface ResolvedOptions {
  fileType: DatasetFileType;
  tags?: ShareGptTags;
  cutoffLength?: number;
  textMode: TextMode | 'auto';
  maxRecordChars: number;
  duplicateCheckLimit: number;
}

/** Returns the file type a file name's extension names, or undefined for other extensions. */
export function fileTypeFromName(fileName: string): DatasetFileType | undefined {
  const dot = fileName.lastIndexOf('.');
  return dot === -1 ? undefined : FILE_TYPES[fileName.slice(dot + 1).toLowerCase()];
}

/** Applies defaults and checks the options; throws RangeError naming a bad value and the fix. */
export function resolveOptions(options: DatasetValidatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    fileType: resolveFileType(options),
    textMode: options.textMode ?? 'auto',
    maxRecordChars: positiveInteger(
      options.maxRecordChars,
      'maxRecordChars',
      DEFAULT_MAX_RECORD_CHARS,
    ),
    duplicateCheckLimit: positiveInteger(
      options.duplicateCheckLimit,
      'duplicateCheckLimit',
      DEFAULT_DUPLICATE_CHECK_LIMIT,
    ),
  };
  if (!['auto', 'line', 'paragraph'].includes(resolved.textMode)) {
    throw new RangeError(
      `Invalid textMode ${JSON.stringify(options.textMode)}: expected "auto", "line" or ` +
        '"paragraph".',
    );
  }
  if (resolved.duplicateCheckLimit > MAX_DUPLICATE_CHECK_LIMIT) {
    throw new RangeError(
      `duplicateCheckLimit ${resolved.duplicateCheckLimit} is over the maximum of ` +
        `${MAX_DUPLICATE_CHECK_LIMIT}.`,
    );
  }
  if (options.cutoffLength !== undefined) {
    resolved.cutoffLength = positiveInteger(options.cutoffLength, 'cutoffLength', 0);
  }
  if (options.tags !== undefined) {
    resolved.tags = checkTagsOption(options.tags);
  }
  return resolved;
}

function resolveFileType(options: DatasetValidatorOptions): DatasetFileType {
  if (options.fileType !== undefined) {
    if (!Object.values(FILE_TYPES).includes(options.fileType)) {
      throw new RangeError(
        `Unsupported fileType ${JSON.stringify(options.fileType)}: expected json, jsonl, csv ` +
          'or txt.',
      );
    }
    return options.fileType;
  }
  if (options.fileName === undefined) {
    throw new RangeError(
      'Missing fileName or fileType: pass one so the validator knows the format.',
    );
  }
  const fileType = fileTypeFromName(options.fileName);
  if (fileType === undefined) {
    throw new RangeError(
      `Unsupported dataset file ${JSON.stringify(options.fileName)}: the name must end in .json, ` +
        '.jsonl, .csv or .txt, or pass fileType.',
    );
  }
  return fileType;
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Invalid ${name} ${JSON.stringify(value)}: expected a whole number of at least 1.`,
    );
  }
  return value;
}
