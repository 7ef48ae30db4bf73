// Options and report of the streaming dataset validator. Names of LLaMA-Factory settings (`tags`,
// `columns`) keep LLaMA-Factory's snake_case spelling so they can be copied into dataset_info.json.

/** File types the validator reads. */
export type DatasetFileType = 'json' | 'jsonl' | 'csv' | 'txt';

/**
 * Record layouts, following LLaMA-Factory's data formats: Alpaca (instruction, input, output),
 * ShareGPT (a list of {from, value} turns), OpenAI-style messages ({role, content}), pretraining
 * text (a `text` field or a TXT file) and preference data (chosen and rejected responses).
 */
export type DatasetSchema =
  'alpaca' | 'sharegpt' | 'openai' | 'pretraining' | 'preference' | 'unknown';

/** The unit of a document in a TXT file: a line, or a paragraph between blank lines. */
export type TextMode = 'line' | 'paragraph';

/**
 * LLaMA-Factory's ShareGPT tag mapping (the `tags` of a dataset_info.json entry). It names the
 * message keys of the role and the content, and the role values for user, assistant and so on.
 */
export interface ShareGptTags {
  role_tag?: string;
  content_tag?: string;
  user_tag?: string;
  assistant_tag?: string;
  observation_tag?: string;
  function_tag?: string;
  system_tag?: string;
}

export type ResolvedTags = Required<ShareGptTags>;

export interface DatasetValidatorOptions {
  /** The file's name; its extension (.json, .jsonl, .csv, .txt) picks the file type. */
  fileName?: string;
  /** The file type, when the name has no usable extension. Wins over `fileName`. */
  fileType?: DatasetFileType;
  /**
   * The ShareGPT tag mapping; unset tags take LLaMA-Factory's defaults (from, value, human, gpt…).
   * Without it, {from, value} messages get those defaults and {role, content} ones OpenAI's roles.
   */
  tags?: ShareGptTags;
  /**
   * LLaMA-Factory's `cutoff_len` in tokens. Records whose estimated length (characters / 4) is
   * over it get an `over_cutoff_length` warning. Unset means no check.
   */
  cutoffLength?: number;
  /** The unit of a document in a TXT file; `auto` (the default) detects it from the start. */
  textMode?: TextMode | 'auto';
  /**
   * Maximum record length the validator keeps, in UTF-16 code units (2,097,152 by default). A
   * longer record is reported as too long and skipped without being kept in memory.
   */
  maxRecordChars?: number;
  /**
   * How many distinct records the duplicate check remembers (786,432 by default, in 12 MiB). Past
   * that, later records are still compared with the remembered ones but not remembered themselves.
   */
  duplicateCheckLimit?: number;
}

/** One problem, at a 1-based line and column (in UTF-16 code units, as editors count them). */
export interface DatasetIssue {
  line: number;
  column?: number;
  /** The 1-based number of the record, or null for a problem with the file as a whole. */
  record: number | null;
  message: string;
}

export type DatasetWarningCode =
  | 'bom_removed'
  | 'empty_output'
  | 'duplicate_record'
  | 'duplicate_check_limit'
  | 'over_cutoff_length'
  | 'turn_order'
  | 'tag_mismatch'
  /** A key appears twice in one JSON object; parsers keep only its last value. */
  | 'duplicate_key'
  /** A preference record whose chosen and rejected answers are the same. */
  | 'identical_answers';

export interface DatasetWarning extends DatasetIssue {
  code: DatasetWarningCode;
}

/** Length figures over the valid records. With `count` 0, the other figures are 0. */
export interface LengthStats {
  count: number;
  min: number;
  mean: number;
  max: number;
  /** The 95th percentile: exact below 1,024 and at most 1% above the true value from there on. */
  p95: number;
}

export interface DatasetStats {
  /** Characters of text per record: the sum of its text fields, without JSON syntax. */
  recordChars: LengthStats;
  /** Characters per field, keyed by column; conversation turns by `<column>.<role>`. */
  fields: Record<string, LengthStats>;
  /** Messages per conversation, a system message included; only for conversation schemas. */
  turns?: LengthStats;
}

/** LLaMA-Factory's `columns` of a dataset_info.json entry: column role to key in the records. */
export type DatasetColumns = Partial<
  Record<
    | 'prompt'
    | 'query'
    | 'response'
    | 'history'
    | 'messages'
    | 'system'
    | 'tools'
    | 'images'
    | 'videos'
    | 'audios'
    | 'chosen'
    | 'rejected',
    string
  >
>;

export interface DatasetReport {
  fileType: DatasetFileType;
  schema: DatasetSchema;
  /** For preference data: whether the records are Alpaca-style or ShareGPT-style. */
  preferenceFormat?: 'alpaca' | 'sharegpt';
  /** For TXT files: how the file was split into documents. */
  textMode?: TextMode;
  columns: DatasetColumns;
  /** For conversation schemas: the tag mapping the records were checked against. */
  tags?: ResolvedTags;
  /** Role values seen in conversations, with counts; at most 64 distinct names are kept. */
  roles?: Record<string, number>;
  /** Records in the file: valid, invalid and skipped together. */
  recordCount: number;
  /** Records without errors that LLaMA-Factory trains on. */
  validCount: number;
  /** Records with at least one error. */
  invalidCount: number;
  /**
   * Records without errors that LLaMA-Factory skips when it loads the file, each with a
   * `turn_order` warning: a conversation whose roles do not alternate, one that ends with a user
   * turn or starts with an assistant turn, or preference data whose answers are not assistant
   * turns. They are not counted as valid.
   */
  skippedCount: number;
  /** The first 100 errors in file order, file-level errors included. */
  errors: DatasetIssue[];
  errorCount: number;
  /** The first 100 warnings, the file-level summary warnings first. */
  warnings: DatasetWarning[];
  warningCount: number;
  warningCounts: Partial<Record<DatasetWarningCode, number>>;
  stats: DatasetStats;
  /** The first 5 parsed records, long strings and lists cut short. */
  preview: unknown[];
  bomRemoved: boolean;
  /** Bytes pushed in all. */
  byteCount: number;
}
