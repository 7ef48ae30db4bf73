import { describeType } from './conversation.js';
import { findDuplicateKey, type DuplicateKey } from './duplicateKeys.js';
import { DuplicateDetector, hashTextLanes } from './duplicates.js';
import type { IssueLog } from './issueLog.js';
import { LengthAccumulator } from './lengthStats.js';
import type { LineHasher } from './lineHasher.js';
import { previewValue } from './preview.js';
import { formatCount, type RecordSink } from './reader.js';
import { checkRecord, type SchemaPlan } from './recordChecks.js';
import { RecordScratch } from './recordOutput.js';
import { DETECTION_SAMPLE_SIZE, planSchema } from './schemaDetection.js';
import { suggestTags } from './tags.js';
import type { DatasetColumns, DatasetStats, ShareGptTags } from './types.js';

const PREVIEW_RECORDS = 5;
/**
 * Limits on what is held while the schema is not chosen yet: findings of any kind, and characters
 * of record text. Either one reached ends the sample early, so huge records, or many findings
 * between the first object records, do not make the checker hold more.
 */
const MAX_PENDING_FINDINGS = 64;
const MAX_PENDING_CHARS = 4_194_304;
/** LLaMA-Factory's cutoff length counts tokens; this estimate takes 4 characters per token. */
const CHARS_PER_TOKEN = 4;

export interface RecordCheckerOptions {
  tags?: ShareGptTags;
  cutoffLength?: number;
  duplicateCheckLimit: number;
  /** Whether record texts are JSON, whose objects are checked for duplicate keys. */
  jsonRecords: boolean;
}

/** A record's two 32-bit hashes, of its text or of its bytes. */
interface RecordHashes {
  first: number;
  second: number;
}

/** A record's identity for the duplicate check: its text, or its hashes. */
type RecordIdentity = string | RecordHashes;

/** A reader's finding held until the schema is known, so that all are reported in file order. */
type Pending =
  | {
      kind: 'record';
      line: number;
      column?: number;
      value: unknown;
      identity: RecordHashes;
      duplicateKey: DuplicateKey | undefined;
    }
  | { kind: 'invalid'; line: number; column?: number; message: string }
  | { kind: 'file'; line: number; column?: number; message: string };

/**
 * Checks the records a reader finds. Until it has picked the schema, it keeps the first
 * DETECTION_SAMPLE_SIZE object records and whatever came between them, within
 * MAX_PENDING_FINDINGS and MAX_PENDING_CHARS. Then it checks every record against the schema.
 * Errors make a record invalid, and a `turn_order` warning makes it skipped, because
 * LLaMA-Factory drops such records when it loads the file. Valid records feed the length
 * statistics and the cutoff check; valid and skipped ones the duplicate check and the warnings.
 */
export class RecordChecker implements RecordSink {
  plan: SchemaPlan | undefined;
  recordCount = 0;
  validCount = 0;
  invalidCount = 0;
  skippedCount = 0;
  readonly columns: DatasetColumns = {};
  readonly preview: unknown[] = [];
  private pending: Pending[] | undefined = [];
  private sampleObjects = 0;
  private pendingChars = 0;
  private readonly scratch = new RecordScratch(this.columns);
  private readonly recordChars = new LengthAccumulator();
  private readonly fieldStats = new Map<string, LengthAccumulator>();
  private readonly lastFieldNames: string[] = [];
  private readonly lastAccumulators: LengthAccumulator[] = [];
  private readonly turnStats = new LengthAccumulator();
  private readonly duplicates: DuplicateDetector;
  private unrememberedCount = 0;
  /** The line hashes of the record being checked, reused to spare an allocation per record. */
  private readonly lineHash = { first: 0, second: 0 };
  private firstMismatch: { line: number; record: number } | undefined;

  /**
   * @param lineHashes Hashes of each line's bytes, for JSONL files: the duplicate check then uses
   *   them instead of hashing each record's text again.
   */
  constructor(
    private readonly options: RecordCheckerOptions,
    private readonly issues: IssueLog,
    private readonly lineHashes?: LineHasher,
  ) {
    this.duplicates = new DuplicateDetector(options.duplicateCheckLimit);
  }

  record(line: number, column: number | undefined, value: unknown, text: string): void {
    this.recordCount += 1;
    if (this.preview.length < PREVIEW_RECORDS) {
      this.preview.push(previewValue(value));
    }
    let identity: RecordIdentity = text;
    const hashes = this.lineHashes;
    if (hashes !== undefined && hashes.take(line)) {
      this.lineHash.first = hashes.takenFirst;
      this.lineHash.second = hashes.takenSecond;
      identity = this.lineHash;
    }
    const duplicateKey =
      this.options.jsonRecords && isObject(value) ? findDuplicateKey(text, value) : undefined;
    if (!this.mustHold(isObject(value))) {
      const record = this.check(line, column, value, identity);
      this.warnDuplicateKey(line, column, record, duplicateKey);
      return;
    }
    // Only the hashes are held, not the text, which the value already duplicates.
    const pendingHashes = typeof identity === 'string' ? hashTextLanes(identity) : { ...identity };
    this.pending?.push({
      kind: 'record',
      line,
      column,
      value,
      identity: pendingHashes,
      duplicateKey,
    });
    this.pendingChars += text.length;
    if (isObject(value)) {
      this.sampleObjects += 1;
    }
    this.choosePlanOnceSampled();
  }

  invalidRecord(line: number, column: number | undefined, message: string): void {
    this.recordCount += 1;
    if (!this.mustHold(false) || this.pending === undefined) {
      this.reject(line, column, [message]);
    } else {
      this.pending.push({ kind: 'invalid', line, column, message });
      this.choosePlanOnceSampled();
    }
  }

  fileError(line: number, column: number | undefined, message: string): void {
    if (!this.mustHold(false) || this.pending === undefined) {
      this.issues.error({ line, column, record: null, message });
    } else {
      this.pending.push({ kind: 'file', line, column, message });
      this.choosePlanOnceSampled();
    }
  }

  /** Checks what is still held and adds the summary warnings; call once, at the end. */
  finish(): void {
    this.choosePlan();
    this.duplicates.release();
    const conversations = this.plan?.conversations;
    const advice =
      conversations === undefined
        ? undefined
        : suggestTags(conversations.roleCounts, conversations.tags, conversations.keyHint);
    if (advice !== undefined) {
      this.issues.warnSummary({
        line: this.firstMismatch?.line ?? 1,
        record: this.firstMismatch?.record ?? null,
        code: 'tag_mismatch',
        message: advice,
      });
    }
    if (this.unrememberedCount > 0) {
      this.issues.warnSummary({
        line: 1,
        record: null,
        code: 'duplicate_check_limit',
        message:
          `The duplicate check remembers the first ${formatCount(this.duplicates.limit)} ` +
          `distinct records, so it missed duplicates among the other ` +
          `${formatCount(this.unrememberedCount)}. Raise duplicateCheckLimit to check them all.`,
      });
    }
  }

  stats(): DatasetStats {
    const fields = Object.fromEntries(
      [...this.fieldStats].map(([name, accumulator]) => [name, accumulator.result()]),
    );
    const stats: DatasetStats = { recordChars: this.recordChars.result(), fields };
    if (this.plan?.conversations !== undefined) {
      stats.turns = this.turnStats.result();
    }
    return stats;
  }

  /**
   * Returns whether a finding must wait for the schema: only object records need it, and what
   * follows the first held object waits too, to keep findings in file order.
   */
  private mustHold(needsSchema: boolean): boolean {
    const pending = this.pending;
    return pending !== undefined && (needsSchema || pending.length > 0);
  }

  private choosePlanOnceSampled(): void {
    const pending = this.pending;
    if (
      pending !== undefined &&
      (this.sampleObjects >= DETECTION_SAMPLE_SIZE ||
        pending.length >= MAX_PENDING_FINDINGS ||
        this.pendingChars >= MAX_PENDING_CHARS)
    ) {
      this.choosePlan();
    }
  }

  /** Picks the schema from the pending records, then checks every pending finding, in order. */
  private choosePlan(): void {
    const findings = this.pending;
    if (findings === undefined) {
      return;
    }
    this.pending = undefined;
    const sample = findings.flatMap((item) =>
      item.kind === 'record' && isObject(item.value) ? [item.value] : [],
    );
    this.plan = planSchema(sample, this.options.tags);
    for (const item of findings) {
      if (item.kind === 'record') {
        const record = this.check(item.line, item.column, item.value, item.identity);
        this.warnDuplicateKey(item.line, item.column, record, item.duplicateKey);
      } else if (item.kind === 'invalid') {
        this.reject(item.line, item.column, [item.message]);
      } else {
        this.issues.error({
          line: item.line,
          column: item.column,
          record: null,
          message: item.message,
        });
      }
    }
  }

  /** Checks one record; returns its number when it has no errors, else 0. */
  private check(
    line: number,
    column: number | undefined,
    value: unknown,
    identity: RecordIdentity,
  ): number {
    if (!isObject(value)) {
      this.reject(line, column, [
        `The record is ${describeType(value)}, but each record must be a JSON object.`,
      ]);
      return 0;
    }
    const plan = this.plan as SchemaPlan;
    const scratch = this.scratch;
    const mismatchesBefore = plan.conversations?.mismatchCount ?? 0;
    scratch.reset();
    checkRecord(plan, value, scratch);
    if ((plan.conversations?.mismatchCount ?? 0) > mismatchesBefore) {
      this.firstMismatch ??= { line, record: this.checkedCount + 1 };
    }
    if (scratch.errors.length > 0) {
      this.reject(line, column, scratch.errors);
      return 0;
    }
    const skipped = scratch.warnings.some((warning) => warning.code === 'turn_order');
    if (skipped) {
      this.skippedCount += 1;
    } else {
      this.validCount += 1;
      this.addStats(scratch);
    }
    const record = this.checkedCount;
    for (const warning of scratch.warnings) {
      this.issues.warn({ line, column, record, code: warning.code, message: warning.message });
    }
    this.checkDuplicate(line, column, record, identity);
    if (!skipped) {
      this.checkCutoff(line, column, record, scratch.chars);
    }
    return record;
  }

  /** Warns about a key that appears twice in a record without errors (`record` not 0). */
  private warnDuplicateKey(
    line: number,
    column: number | undefined,
    record: number,
    duplicateKey: DuplicateKey | undefined,
  ): void {
    if (record !== 0 && duplicateKey !== undefined) {
      const code = 'duplicate_key';
      this.issues.warn({ line, column, record, code, message: duplicateKeyMessage(duplicateKey) });
    }
  }

  /** Records checked so far: the number of the last one. */
  private get checkedCount(): number {
    return this.validCount + this.invalidCount + this.skippedCount;
  }

  private reject(line: number, column: number | undefined, messages: string[]): void {
    this.invalidCount += 1;
    const record = this.checkedCount;
    for (const message of messages) {
      this.issues.error({ line, column, record, message });
    }
  }

  private addStats(scratch: RecordScratch): void {
    this.recordChars.add(scratch.chars);
    const { fieldNames, fieldLengths } = scratch;
    for (let index = 0; index < fieldNames.length; index += 1) {
      const name = fieldNames[index] as string;
      // Records of one file list their fields in much the same order, and field names are
      // constants or interned, so comparing with the last record's names skips most lookups.
      let accumulator =
        this.lastFieldNames[index] === name ? this.lastAccumulators[index] : undefined;
      if (accumulator === undefined) {
        accumulator = this.fieldStats.get(name);
        if (accumulator === undefined) {
          accumulator = new LengthAccumulator();
          this.fieldStats.set(name, accumulator);
        }
        this.lastFieldNames[index] = name;
        this.lastAccumulators[index] = accumulator;
      }
      accumulator.add(fieldLengths[index] ?? 0);
    }
    if (scratch.turnCount >= 0) {
      this.turnStats.add(scratch.turnCount);
    }
  }

  private checkDuplicate(
    line: number,
    column: number | undefined,
    record: number,
    identity: RecordIdentity,
  ): void {
    const wasFull = this.duplicates.full;
    const earlier =
      typeof identity === 'string'
        ? this.duplicates.check(identity, record)
        : this.duplicates.checkHash(identity.first, identity.second, record);
    if (earlier !== 0) {
      this.issues.warn({
        line,
        column,
        record,
        code: 'duplicate_record',
        message: `The record is an exact duplicate of record ${formatCount(earlier)}.`,
      });
    } else if (wasFull) {
      this.unrememberedCount += 1;
    }
  }

  private checkCutoff(
    line: number,
    column: number | undefined,
    record: number,
    chars: number,
  ): void {
    const cutoff = this.options.cutoffLength;
    if (cutoff === undefined) {
      return;
    }
    const tokens = Math.ceil(chars / CHARS_PER_TOKEN);
    if (tokens > cutoff) {
      this.issues.warn({
        line,
        column,
        record,
        code: 'over_cutoff_length',
        message:
          `The record is about ${formatCount(tokens)} tokens (an estimate: ` +
          `${formatCount(chars)} characters / ${CHARS_PER_TOKEN}), over the cutoff length of ` +
          `${formatCount(cutoff)}. Training cuts off the tokens past cutoff_len.`,
      });
    }
  }
}

function duplicateKeyMessage({ key, path }: DuplicateKey): string {
  const where = path === '' ? 'the record' : `the object at ${path}`;
  return (
    `The key ${JSON.stringify(key)} appears twice in ${where}; JSON parsers, LLaMA-Factory's ` +
    'included, keep only the last value. Remove or rename one of them.'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
