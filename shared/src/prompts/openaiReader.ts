import type { Node } from 'jsonc-parser';
import type { DiagnosticSink, Span } from './diagnostics.js';
import {
  MESSAGE_ROLES,
  type MessageRole,
  type PromptDocument,
  type PromptMessage,
} from './document.js';
import { parseJsonTree } from './jsonSyntax.js';
import {
  capitalize,
  describeType,
  JsonObject,
  nodeSpan,
  openingBrace,
  propertySpan,
  reportType,
  type JsonProperty,
} from './jsonTree.js';
import { readContent, type OpenAIReadState } from './openaiContent.js';
import { readToolCalls } from './openaiToolCalls.js';
import { closestMatch, didYouMean } from './suggest.js';
import { checkToolCalls, type ConversationStep } from './toolCalls.js';
import type { VariableUse } from './variables.js';

/** Fields of each message role, from the OpenAI SDK's chat completion message parameter types. */
const FIELDS_BY_ROLE: Record<MessageRole, readonly string[]> = {
  system: ['role', 'content', 'name'],
  developer: ['role', 'content', 'name'],
  user: ['role', 'content', 'name'],
  assistant: ['role', 'content', 'name', 'refusal', 'tool_calls', 'function_call', 'audio'],
  tool: ['role', 'content', 'tool_call_id'],
};

/** An openai file read into messages, with its variables and the string nodes that hold them. */
export interface OpenAIAnalysis {
  document: PromptDocument;
  /** Whether the file parsed as a non-empty JSON array, so that every message was read. */
  complete: boolean;
  uses: VariableUse[];
  variableNodes: Node[];
}

/**
 * Reads an openai prompt file, which is a JSON array of chat completion messages. Reports every
 * problem to `sink`, and returns a document with the messages that could be read.
 */
export function analyzeOpenAI(text: string, sink: DiagnosticSink): OpenAIAnalysis {
  const state: OpenAIReadState = { sink, text, uses: [], variableNodes: [] };
  const document: PromptDocument = { messages: [] };
  const analysis: OpenAIAnalysis = {
    document,
    complete: false,
    uses: state.uses,
    variableNodes: state.variableNodes,
  };
  if (text.trim() === '') {
    sink.error(
      'empty-file',
      { start: 0, end: text.length },
      'The file is empty; an openai prompt is a JSON array of messages, such as ' +
        '[{"role": "system", "content": "You are a helpful assistant."}].',
    );
    return analysis;
  }
  const root = parseJsonTree(text, sink);
  if (!root || !checkRoot(root, sink)) {
    return analysis;
  }
  analysis.complete = true;
  const steps: ConversationStep[] = [];
  (root.children ?? []).forEach((node, index) => {
    const { message, step } = readMessage(node, index + 1, state);
    if (message) {
      document.messages.push(message);
    }
    steps.push(step);
  });
  checkToolCalls(steps, sink, (id) => JSON.stringify(id));
  return analysis;
}

function checkRoot(root: Node, sink: DiagnosticSink): boolean {
  if (root.type !== 'array') {
    const hasMessages =
      root.type === 'object' &&
      (root.children ?? []).some((property) => property.children?.[0]?.value === 'messages');
    sink.error(
      'expected-array',
      { start: root.offset, end: root.offset + (root.type === 'object' ? 1 : root.length) },
      hasMessages
        ? 'An openai prompt is the messages array itself; keep only the value of "messages".'
        : `An openai prompt must be a JSON array of messages, not ${describeType(root)}.`,
    );
    return false;
  }
  if ((root.children ?? []).length === 0) {
    sink.error(
      'empty-messages',
      { start: root.offset, end: root.offset + root.length },
      'The message array is empty; add at least one message, such as ' +
        '{"role": "system", "content": "You are a helpful assistant."}.',
    );
    return false;
  }
  return true;
}

function readMessage(
  node: Node,
  number: number,
  state: OpenAIReadState,
): { message?: PromptMessage; step: ConversationStep } {
  const { sink } = state;
  if (node.type !== 'object') {
    reportType(node, sink, `Message ${number}`, 'an object with "role" and "content"');
    return { step: { kind: 'other' } };
  }
  const fields = new JsonObject(node, sink, `message ${number}`);
  const roleProperty = fields.get('role');
  const role = readRole(roleProperty, node, number, sink);
  if (!role || !roleProperty) {
    return { step: { kind: 'other' } };
  }

  fields.owner = `${role} message ${number}`;
  fields.checkUnknownFields(FIELDS_BY_ROLE[role], `${role} messages`, fieldHome);
  const message: PromptMessage = { role, content: null };
  const name = FIELDS_BY_ROLE[role].includes('name') ? fields.string('name') : undefined;
  if (name) {
    message.name = String(name.value);
  }
  const step = readRoleFields(fields, message, state);

  const complete = readMessageContent(fields, message, propertySpan(roleProperty), state);
  return complete ? { message, step } : { step };
}

/** Reads a message's content into `message` and returns whether it is valid. */
function readMessageContent(
  fields: JsonObject,
  message: PromptMessage,
  roleSpan: Span,
  state: OpenAIReadState,
): boolean {
  const { owner, sink } = fields;
  const content = fields.get('content');
  if (content) {
    const value = readContent(content.value, message.role, owner, state);
    if (value === undefined) {
      return false;
    }
    message.content = value;
    warnEmptyContent(content.value, message, owner, sink);
    return true;
  }
  if (message.role === 'assistant' && (message.toolCalls || fields.has('function_call'))) {
    return true;
  }
  sink.error(
    'missing-content',
    roleSpan,
    message.role === 'assistant'
      ? `${capitalize(owner)} has neither "content" nor "tool_calls"; add its text as "content".`
      : `${capitalize(owner)} has no "content"; add "content" with the message text.`,
  );
  return false;
}

function readRole(
  property: JsonProperty | undefined,
  node: Node,
  number: number,
  sink: DiagnosticSink,
): MessageRole | undefined {
  if (!property) {
    const brace = openingBrace(node);
    sink.error(
      'missing-role',
      brace,
      `Message ${number} has no "role"; add "role" with one of ${MESSAGE_ROLES.join(', ')}.`,
    );
    return undefined;
  }
  const value = property.value;
  if (value.type !== 'string') {
    reportType(value, sink, `"role" of message ${number}`, `one of ${MESSAGE_ROLES.join(', ')}`);
    return undefined;
  }
  const role = String(value.value);
  if ((MESSAGE_ROLES as readonly string[]).includes(role)) {
    return role as MessageRole;
  }
  const span = { start: value.offset, end: value.offset + value.length };
  if (role === 'function') {
    sink.error(
      'deprecated-role',
      span,
      'Role "function" is the deprecated form of "tool"; write a tool message whose ' +
        '"tool_call_id" answers an assistant tool call.',
    );
    return undefined;
  }
  const suggestion = closestMatch(role, MESSAGE_ROLES);
  sink.error(
    'unknown-role',
    span,
    `Unknown role "${role}"; use one of ${MESSAGE_ROLES.join(', ')}.${didYouMean(suggestion)}`,
    suggestion === undefined
      ? undefined
      : {
          title: `Change "${role}" to "${suggestion}"`,
          edits: [{ ...span, newText: JSON.stringify(suggestion) }],
        },
  );
  return undefined;
}

/** Reads the fields only assistant and tool messages have, and returns the tool-call step. */
function readRoleFields(
  fields: JsonObject,
  message: PromptMessage,
  state: OpenAIReadState,
): ConversationStep {
  if (message.role === 'tool') {
    const roleProperty = fields.get('role');
    const anchor = roleProperty ? propertySpan(roleProperty) : openingBrace(fields.node);
    const id = fields.requiredString('tool_call_id', anchor);
    if (!id) {
      return { kind: 'other' };
    }
    message.toolCallId = String(id.value);
    return { kind: 'result', ref: { id: message.toolCallId, ...nodeSpan(id) } };
  }
  if (message.role !== 'assistant') {
    return { kind: 'other' };
  }
  readAssistantExtras(fields, message);
  const toolCalls = fields.get('tool_calls');
  const read = toolCalls
    ? readToolCalls(toolCalls.value, fields.owner, fields.sink, state.text)
    : undefined;
  if (read) {
    message.toolCalls = read.calls;
  }
  return read ? { kind: 'calls', calls: read.refs } : { kind: 'other' };
}

function readAssistantExtras(fields: JsonObject, message: PromptMessage): void {
  const { sink, owner } = fields;
  const extras: string[] = [];
  const refusal = fields.get('refusal');
  if (refusal && refusal.value.type !== 'null') {
    if (refusal.value.type === 'string') {
      extras.push('refusal');
    } else {
      reportType(refusal.value, sink, `"refusal" of ${owner}`, 'a string or null');
    }
  }
  const audio = fields.get('audio');
  if (audio && audio.value.type !== 'null') {
    if (audio.value.type === 'object') {
      extras.push('audio');
      new JsonObject(audio.value, sink, `"audio" of ${owner}`).requiredString('id');
    } else {
      reportType(audio.value, sink, `"audio" of ${owner}`, 'an object with an "id"');
    }
  }
  const functionCall = fields.get('function_call');
  if (functionCall && functionCall.value.type !== 'null') {
    extras.push('function_call');
    sink.warning(
      'deprecated-field',
      nodeSpan(functionCall.key),
      '"function_call" is deprecated; use "tool_calls" with a call of type "function".',
    );
  }
  if (extras.length > 0) {
    message.extraFields = extras;
  }
}

function warnEmptyContent(
  node: Node,
  message: PromptMessage,
  owner: string,
  sink: DiagnosticSink,
): void {
  if (node.type === 'string' && node.value === '' && !message.toolCalls) {
    sink.warning(
      'empty-content',
      { start: node.offset, end: node.offset + node.length },
      `Content of ${owner} is empty; write the message text or remove the message.`,
    );
  }
}

/** Explains a field that belongs to other message roles. */
function fieldHome(field: string): string | undefined {
  if (field === 'tool_call_id') {
    return 'only tool messages have it.';
  }
  if (['tool_calls', 'refusal', 'function_call', 'audio'].includes(field)) {
    return 'only assistant messages have it.';
  }
  if (field === 'name') {
    return 'tool messages have no name; the tool_call_id links them to the call.';
  }
  return undefined;
}
