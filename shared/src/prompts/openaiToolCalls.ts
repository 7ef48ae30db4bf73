import type { Node } from 'jsonc-parser';
import type { DiagnosticSink } from './diagnostics.js';
import type { PromptToolCall } from './document.js';
import {
  capitalize,
  describeType,
  checkEnum,
  JsonObject,
  nodeSpan,
  openingBrace,
  reportType,
} from './jsonTree.js';
import type { ToolCallIdRef } from './toolCalls.js';

export interface ReadToolCalls {
  calls: PromptToolCall[];
  refs: ToolCallIdRef[];
}

/** Reads an assistant message's `tool_calls`: a non-empty array of function or custom calls. */
export function readToolCalls(
  node: Node,
  owner: string,
  sink: DiagnosticSink,
  text: string,
): ReadToolCalls | undefined {
  if (node.type !== 'array') {
    reportType(node, sink, `"tool_calls" of ${owner}`, 'an array of tool calls');
    return undefined;
  }
  const items = node.children ?? [];
  if (items.length === 0) {
    sink.error(
      'empty-tool-calls',
      { start: node.offset, end: node.offset + node.length },
      `"tool_calls" of ${owner} is empty; add a call or remove "tool_calls".`,
    );
    return undefined;
  }
  const result: ReadToolCalls = { calls: [], refs: [] };
  items.forEach((item, index) => {
    readToolCall(item, `tool call ${index + 1} of ${owner}`, { sink, text, result });
  });
  return result.calls.length === items.length ? result : undefined;
}

interface CallContext {
  sink: DiagnosticSink;
  text: string;
  result: ReadToolCalls;
}

function readToolCall(node: Node, owner: string, context: CallContext): void {
  const { sink, result } = context;
  if (node.type !== 'object') {
    reportType(node, sink, capitalize(owner), 'an object with "id", "type" and "function"');
    return;
  }

  const call = new JsonObject(node, sink, owner);
  call.checkUnknownFields(['id', 'type', 'function', 'custom'], 'a tool call');
  const id = call.requiredString('id');
  const typeNode = call.requiredString('type');
  const type = typeNode
    ? (checkEnum(typeNode, ['function', 'custom'], sink, 'tool call type') as
        PromptToolCall['type'] | undefined)
    : undefined;
  if (id) {
    result.refs.push({ id: String(id.value), ...nodeSpan(id) });
  }

  const body = type ? call.requiredObject(type) : undefined;
  if (!type || !body) {
    return;
  }

  const callName = id ? `tool call "${String(id.value)}"` : owner;
  const read = readCallBody(
    new JsonObject(body, sink, `"${type}" of ${callName}`),
    type,
    callName,
    context,
  );
  if (id && read) {
    result.calls.push({ id: String(id.value), type, ...read });
  }
}

/** Reads `function` (name and JSON arguments) or `custom` (name and input) of a tool call. */
function readCallBody(
  body: JsonObject,
  type: PromptToolCall['type'],
  callName: string,
  context: CallContext,
): { name: string; arguments: string } | undefined {
  const { sink } = context;
  const inputField = type === 'function' ? 'arguments' : 'input';
  body.checkUnknownFields(['name', inputField], `"${type}" of a tool call`);
  const name = body.requiredString('name');
  const input = body.get(inputField);
  let argumentsText: string | undefined;
  if (!input) {
    sink.error(
      'missing-field',
      openingBrace(body.node),
      `"${type}" of ${callName} has no "${inputField}"; add "${inputField}" as a string` +
        (type === 'function' ? ', such as "{}" for no arguments.' : '.'),
    );
  } else if (type === 'function') {
    argumentsText = checkArguments(input.value, callName, sink, context.text);
  } else if (input.value.type === 'string') {
    argumentsText = String(input.value.value);
  } else {
    reportType(input.value, sink, `"input" of ${callName}`, 'a string');
  }
  return name && argumentsText !== undefined
    ? { name: String(name.value), arguments: argumentsText }
    : undefined;
}

/**
 * Checks function arguments, which must be a string containing a JSON object. An object written
 * in place of the string gets a fix that turns it into its JSON string.
 */
function checkArguments(
  node: Node,
  callName: string,
  sink: DiagnosticSink,
  text: string,
): string | undefined {
  const span = { start: node.offset, end: node.offset + node.length };
  if (node.type === 'object' || node.type === 'array') {
    const json = JSON.stringify(JSON.parse(text.slice(span.start, span.end)));
    sink.error(
      'invalid-type',
      span,
      `"arguments" of ${callName} must be a string containing JSON, not ${describeType(node)}; ` +
        'write the object as a JSON string.',
      {
        title: 'Turn the arguments into a JSON string',
        edits: [{ ...span, newText: JSON.stringify(json) }],
      },
    );
    return undefined;
  }
  if (node.type !== 'string') {
    reportType(node, sink, `"arguments" of ${callName}`, 'a string that holds JSON');
    return undefined;
  }
  const value = String(node.value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    sink.error(
      'invalid-arguments',
      span,
      `"arguments" of ${callName} is not valid JSON; write a JSON object inside the string, ` +
        'such as "{\\"city\\": \\"Paris\\"}", or "{}" for no arguments.',
    );
    return value;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    sink.warning(
      'arguments-not-object',
      span,
      `"arguments" of ${callName} is valid JSON but not an object; functions take their ` +
        'arguments as a JSON object, such as {"city": "Paris"}.',
    );
  }
  return value;
}
