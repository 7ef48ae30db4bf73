import { LineIndex } from './text.js';
import type { DiagnosticSeverity, PromptDiagnostic, ValidationResult } from './types.js';

/** An edit in offsets of the checked text, turned into a line and column range on output. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface OffsetFix {
  title: string;
  edits: OffsetEdit[];
  declareVariables?: string[];
}

/** A span of the checked text in UTF-16 offsets, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface Problem {
  severity: DiagnosticSeverity;
  code: string;
  start: number;
  end: number;
  message: string;
  fix?: OffsetFix;
}

export const DEFAULT_MAX_DIAGNOSTICS = 200;

/** Collects problems by offset and turns them into 1-based ranges of one text. */
export class DiagnosticSink {
  readonly problems: Problem[] = [];
  readonly lines: LineIndex;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  report(problem: Problem): void {
    this.problems.push(problem);
  }

  error(code: string, span: Span, message: string, fix?: OffsetFix): void {
    this.report({ severity: 'error', code, ...pickSpan(span), message, ...(fix ? { fix } : {}) });
  }

  warning(code: string, span: Span, message: string, fix?: OffsetFix): void {
    this.report({ severity: 'warning', code, ...pickSpan(span), message, ...(fix ? { fix } : {}) });
  }

  hasErrors(): boolean {
    return this.problems.some((problem) => problem.severity === 'error');
  }

  /** Returns the 1-based line of an offset, for messages that point at another line. */
  lineOf(offset: number): number {
    return this.lines.position(offset).line;
  }

  /** Sorts the problems by position and keeps at most `max`, noting how many were left out. */
  toResult(max = DEFAULT_MAX_DIAGNOSTICS): ValidationResult {
    const sorted = [...this.problems].sort((a, b) => a.start - b.start || a.end - b.end);
    const diagnostics = sorted
      .slice(0, Math.max(0, max))
      .map((problem) => this.toDiagnostic(problem));
    const omitted = sorted.length - diagnostics.length;
    if (omitted > 0) {
      const last = sorted[diagnostics.length - 1] ?? sorted[0];
      const at = last ? last.start : 0;
      diagnostics.push({
        severity: 'info',
        code: 'too-many-problems',
        message: `${omitted} more problems are not shown; fix the ones above and check again.`,
        ...this.lines.range(at, at),
      });
    }
    return { valid: !this.hasErrors(), diagnostics };
  }

  private toDiagnostic(problem: Problem): PromptDiagnostic {
    const diagnostic: PromptDiagnostic = {
      severity: problem.severity,
      message: problem.message,
      code: problem.code,
      ...this.lines.range(problem.start, problem.end),
    };
    if (problem.fix) {
      diagnostic.fix = {
        title: problem.fix.title,
        edits: problem.fix.edits.map((edit) => ({
          range: this.lines.range(edit.start, edit.end),
          newText: edit.newText,
        })),
        ...(problem.fix.declareVariables ? { declareVariables: problem.fix.declareVariables } : {}),
      };
    }
    return diagnostic;
  }
}

function pickSpan(span: Span): Span {
  return { start: span.start, end: span.end };
}
