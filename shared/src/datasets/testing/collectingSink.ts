import type { RecordSink } from '../reader.js';

/** One finding of a reader, as a CollectingSink stores it. */
export type SinkEvent =
  | { kind: 'record'; line: number; column?: number; value: unknown; text: string }
  | { kind: 'invalid'; line: number; column?: number; message: string }
  | { kind: 'file'; line: number; column?: number; message: string };

/** A RecordSink that stores what a reader reports, for tests of the readers alone. */
export class CollectingSink implements RecordSink {
  readonly events: SinkEvent[] = [];

  record(line: number, column: number | undefined, value: unknown, text: string): void {
    this.events.push({ kind: 'record', line, ...columnOf(column), value, text });
  }

  invalidRecord(line: number, column: number | undefined, message: string): void {
    this.events.push({ kind: 'invalid', line, ...columnOf(column), message });
  }

  fileError(line: number, column: number | undefined, message: string): void {
    this.events.push({ kind: 'file', line, ...columnOf(column), message });
  }
}

function columnOf(column: number | undefined): { column?: number } {
  return column === undefined ? {} : { column };
}
