import type { MonitorLogLevel } from '../../../../shared/src/protocol/training.js';
import { classifyLines, type LogEntry } from './logLevels.js';

/** Lines the webview keeps, as many as the host keeps; the log view shows fewer. */
export const MAX_LOG_ENTRIES = 5000;

/**
 * The log lines of the monitored task with their levels. Entries have absolute indices that
 * survive dropping old lines, so a view can append just the entries after the last it showed.
 */
export class LogBuffer {
  entries: LogEntry[] = [];
  /** The absolute index of `entries[0]`. */
  start = 0;
  /** Changes when the buffer is replaced, so views rebuild instead of appending. */
  generation = 0;
  private lastLevel: MonitorLogLevel = 'info';

  /** The absolute index after the last entry. */
  get end(): number {
    return this.start + this.entries.length;
  }

  /** Replaces the lines; `truncated` notes that older lines were dropped before these. */
  reset(lines: readonly string[], truncated: boolean): void {
    this.entries = [];
    this.start = 0;
    this.generation += 1;
    this.lastLevel = 'info';
    this.append(lines, false);
    if (truncated) {
      this.entries.unshift(
        marker('Earlier lines are not kept here; the run directory has the whole train.log.'),
      );
    }
  }

  /** Adds lines; `gap` puts a note before them that lines may be missing. */
  append(lines: readonly string[], gap: boolean): void {
    if (gap) {
      this.entries.push(
        marker('Lines may be missing here: the connection to the server was interrupted.'),
      );
    }
    const classified = classifyLines(lines, this.lastLevel);
    this.lastLevel = classified.at(-1)?.level ?? this.lastLevel;
    this.entries.push(...classified);
    const excess = this.entries.length - MAX_LOG_ENTRIES;
    if (excess > 0) {
      this.entries.splice(0, excess);
      this.start += excess;
    }
  }

  /** Returns the entries from the absolute index `from` on. */
  from(from: number): LogEntry[] {
    return this.entries.slice(Math.max(0, from - this.start));
  }
}

function marker(text: string): LogEntry {
  return { text: `— ${text} —`, level: 'warning', marker: true };
}
