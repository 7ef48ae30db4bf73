import type { DatasetColumns, DatasetWarningCode } from './types.js';

/** The sink for what the checks of one record find. */
export interface RecordOutput {
  /** A problem that makes the record invalid. */
  error(message: string): void;
  /** A problem that leaves the record valid but worth a look. */
  warn(code: DatasetWarningCode, message: string): void;
  /** A text field of `length` characters; the record's length is the sum of its fields. */
  field(name: string, length: number): void;
  /** The number of messages in the record's conversation. */
  turns(count: number): void;
  /** The record has `key`, which LLaMA-Factory reads as the `role` column. */
  column(role: keyof DatasetColumns, key: string): void;
}

/** The findings of one record, reused from record to record to spare allocations. */
export class RecordScratch implements RecordOutput {
  readonly errors: string[] = [];
  readonly warnings: { code: DatasetWarningCode; message: string }[] = [];
  readonly fieldNames: string[] = [];
  readonly fieldLengths: number[] = [];
  turnCount = -1;
  chars = 0;

  constructor(private readonly columns: DatasetColumns) {}

  reset(): void {
    this.errors.length = 0;
    this.warnings.length = 0;
    this.fieldNames.length = 0;
    this.fieldLengths.length = 0;
    this.turnCount = -1;
    this.chars = 0;
  }

  error(message: string): void {
    this.errors.push(message);
  }

  warn(code: DatasetWarningCode, message: string): void {
    this.warnings.push({ code, message });
  }

  field(name: string, length: number): void {
    this.fieldNames.push(name);
    this.fieldLengths.push(length);
    this.chars += length;
  }

  turns(count: number): void {
    this.turnCount = count;
  }

  column(role: keyof DatasetColumns, key: string): void {
    this.columns[role] ??= key;
  }
}
