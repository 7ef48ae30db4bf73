import type { DiagnosticSink } from './diagnostics.js';
import { closestMatch } from './suggest.js';

/** A tool call id as written in the file, with the span of its value. */
export interface ToolCallIdRef {
  id: string;
  start: number;
  end: number;
}

/**
 * A message as the tool-call check reads it: an assistant message that makes calls, a tool
 * message with the result of one, or any other message.
 */
export type ConversationStep =
  | { kind: 'calls'; calls: ToolCallIdRef[] }
  | { kind: 'result'; ref: ToolCallIdRef }
  | { kind: 'other' };

/**
 * Checks that tool calls and results match, as the OpenAI chat API requires. Every call id is
 * unique, and the tool messages right after an assistant message carry one result for each of
 * its calls. `quoteId` writes an id as the file spells it, for the replacement fix.
 */
export function checkToolCalls(
  steps: readonly ConversationStep[],
  sink: DiagnosticSink,
  quoteId: (id: string) => string,
): void {
  const allCalls = new Map<string, ToolCallIdRef>();
  const answered = new Set<string>();
  let pending = new Map<string, ToolCallIdRef>();

  for (const step of steps) {
    if (step.kind === 'result') {
      checkResult(step.ref, { allCalls, answered, pending }, sink, quoteId);
      continue;
    }
    reportUnanswered(pending, sink, 'error');
    pending = new Map();
    if (step.kind === 'calls') {
      for (const call of step.calls) {
        const earlier = allCalls.get(call.id);
        if (earlier) {
          sink.error(
            'duplicate-tool-call-id',
            call,
            `Tool call id "${call.id}" is already used on line ${sink.lineOf(earlier.start)}; ` +
              'give each tool call its own id.',
          );
          continue;
        }
        allCalls.set(call.id, call);
        pending.set(call.id, call);
      }
    }
  }
  reportUnanswered(pending, sink, 'warning');
}

interface CallState {
  allCalls: Map<string, ToolCallIdRef>;
  answered: Set<string>;
  pending: Map<string, ToolCallIdRef>;
}

function checkResult(
  ref: ToolCallIdRef,
  state: CallState,
  sink: DiagnosticSink,
  quoteId: (id: string) => string,
): void {
  if (state.pending.delete(ref.id)) {
    state.answered.add(ref.id);
    return;
  }
  if (state.answered.has(ref.id)) {
    sink.error(
      'duplicate-tool-result',
      ref,
      `Tool call "${ref.id}" already has a result; remove this tool message or merge the two.`,
    );
    return;
  }
  const call = state.allCalls.get(ref.id);
  if (call) {
    sink.error(
      'late-tool-result',
      ref,
      `This tool message answers call "${ref.id}" from line ${sink.lineOf(call.start)}, but a ` +
        'tool message must come right after the assistant message that made the call; move it ' +
        'there.',
    );
    return;
  }
  const open = [...state.pending.keys()];
  const suggestion = open.length === 1 ? open[0] : closestMatch(ref.id, open);
  const hint =
    open.length > 0
      ? ` Calls waiting for a result: ${open.map((id) => `"${id}"`).join(', ')}.`
      : ' Only a tool message right after an assistant message with tool_calls can answer a call.';
  sink.error(
    'unknown-tool-call-id',
    ref,
    `No earlier tool call has the id "${ref.id}".${hint}`,
    suggestion === undefined
      ? undefined
      : {
          title: `Change to "${suggestion}"`,
          edits: [{ start: ref.start, end: ref.end, newText: quoteId(suggestion) }],
        },
  );
}

function reportUnanswered(
  pending: Map<string, ToolCallIdRef>,
  sink: DiagnosticSink,
  severity: 'error' | 'warning',
): void {
  for (const call of pending.values()) {
    sink.report({
      severity,
      code: 'unanswered-tool-call',
      start: call.start,
      end: call.end,
      message:
        `Tool call "${call.id}" has no result; add a tool message with this id right after ` +
        'the assistant message that made the call.',
    });
  }
}
