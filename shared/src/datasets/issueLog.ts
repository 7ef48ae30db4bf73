import type { DatasetIssue, DatasetWarning, DatasetWarningCode } from './types.js';

/** Errors and warnings listed in a report; the rest are only counted. */
export const MAX_LISTED_ISSUES = 100;

/**
 * Collects errors and warnings: the first MAX_LISTED_ISSUES of each are kept, all are counted.
 * Summary warnings about the whole file are listed before the per-record ones.
 */
export class IssueLog {
  readonly errors: DatasetIssue[] = [];
  errorCount = 0;
  private readonly recordWarnings: DatasetWarning[] = [];
  private readonly summaryWarnings: DatasetWarning[] = [];
  private readonly counts: Partial<Record<DatasetWarningCode, number>> = {};
  private warningTotal = 0;

  error(issue: DatasetIssue): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_LISTED_ISSUES) {
      this.errors.push(withoutUndefinedColumn(issue));
    }
  }

  warn(warning: DatasetWarning): void {
    this.count(warning.code);
    if (this.recordWarnings.length < MAX_LISTED_ISSUES) {
      this.recordWarnings.push(withoutUndefinedColumn(warning));
    }
  }

  /** Adds a warning about the whole file, listed ahead of the per-record warnings. */
  warnSummary(warning: DatasetWarning): void {
    this.count(warning.code);
    this.summaryWarnings.push(withoutUndefinedColumn(warning));
  }

  get warningCount(): number {
    return this.warningTotal;
  }

  get warningCounts(): Partial<Record<DatasetWarningCode, number>> {
    return { ...this.counts };
  }

  /** Returns the listed warnings: summary warnings first, MAX_LISTED_ISSUES in all. */
  listWarnings(): DatasetWarning[] {
    return [...this.summaryWarnings, ...this.recordWarnings].slice(0, MAX_LISTED_ISSUES);
  }

  private count(code: DatasetWarningCode): void {
    this.warningTotal += 1;
    this.counts[code] = (this.counts[code] ?? 0) + 1;
  }
}

/** Returns the issue without a `column` key when it has no column, as the report's JSON would. */
function withoutUndefinedColumn<Issue extends DatasetIssue>(issue: Issue): Issue {
  if (issue.column !== undefined) {
    return issue;
  }
  const copy = { ...issue };
  delete copy.column;
  return copy;
}
