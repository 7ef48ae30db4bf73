import type { MonitorLogLevel } from '../../../../shared/src/protocol/training.js';

/** A line of train.log with the level the monitor filters it by. */
export interface LogEntry {
  text: string;
  level: MonitorLogLevel;
  /** True for a note of the monitor's own, such as where lines may be missing. */
  marker?: boolean;
}

const ERROR =
  /\b(ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)|^\w+(Error|Exception): /;
const WARNING = /\bWARN(ING)?\b|\w+Warning: /;
const DEBUG = /\bDEBUG\b/;
const INFO = /\bINFO\b/;

/**
 * Gives each line a level from the marks LLaMA-Factory, transformers and Python write, such as
 * `[INFO|trainer.py:2048]`, `- WARNING -` or a traceback. A line without a mark, such as the body
 * of a traceback, takes the level of the line before it, which `previous` carries across batches.
 */
export function classifyLines(
  lines: readonly string[],
  previous: MonitorLogLevel = 'info',
): LogEntry[] {
  let level = previous;
  return lines.map((text) => {
    level = levelOf(text) ?? (text.startsWith(' ') || text.startsWith('\t') ? level : 'info');
    return { text, level };
  });
}

function levelOf(text: string): MonitorLogLevel | undefined {
  if (ERROR.test(text)) {
    return 'error';
  }
  if (WARNING.test(text)) {
    return 'warning';
  }
  if (DEBUG.test(text)) {
    return 'debug';
  }
  if (INFO.test(text)) {
    return 'info';
  }
  return undefined;
}
