import { splitSections, type Heading, type Section } from './customHeadings.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { MessageRole, PromptMessage, PromptToolCall } from './document.js';
import { normalizeNewlines } from './text.js';
import type { ConversationStep, ToolCallIdRef } from './toolCalls.js';

export interface CustomBody {
  messages: PromptMessage[];
  steps: ConversationStep[];
}

const LEADING_BLANK_LINES = /^(?:[ \t]*(?:\r\n|\r|\n))+/;
const TRAILING_BLANK_LINES = /(?:(?:\r\n|\r|\n)[ \t]*)+$/;
/** A section that is one fenced code block, as tool-call arguments may be written. */
const SINGLE_FENCE = /^(`{3,}|~{3,})[^\r\n]*(?:\r\n|\r|\n)([\s\S]*?)(?:\r\n|\r|\n)\1[ \t]*$/;

/**
 * Reads the messages of a custom body. A body with no `## @role` heading is one system message;
 * an empty body has none. Text before the first heading is read as a system message too.
 */
export function readCustomBody(text: string, bodyStart: number, sink: DiagnosticSink): CustomBody {
  const sections = splitSections(text, bodyStart, sink);
  const body: CustomBody = { messages: [], steps: [] };
  const hasHeadings = sections.length > 1;
  let assistant: { message: PromptMessage; calls: ToolCallIdRef[] } | undefined;
  const assistantHeadings = new Map<PromptMessage, Heading>();
  for (const section of sections) {
    const content = trimSection(text, section);
    if (!section.heading) {
      readPreamble(content, hasHeadings, body, sink);
      continue;
    }
    const { heading } = section;
    if (heading.role === 'tool-call') {
      addToolCall(heading, content, assistant, sink);
      continue;
    }
    assistant = undefined;
    if (!heading.role) {
      body.steps.push({ kind: 'other' });
      continue;
    }
    const message = readMessage(heading, heading.role, content);
    body.messages.push(message);
    if (message.role === 'assistant') {
      assistant = { message, calls: [] };
      assistantHeadings.set(message, heading);
      body.steps.push({ kind: 'calls', calls: assistant.calls });
    } else if (message.role === 'tool' && message.toolCallId !== undefined) {
      const id = heading.attributes.get('id');
      body.steps.push({
        kind: 'result',
        ref: { id: message.toolCallId, start: id?.start ?? 0, end: id?.end ?? 0 },
      });
    } else {
      body.steps.push({ kind: 'other' });
    }
    warnEmpty(heading, message, content, sink);
  }
  for (const [message, heading] of assistantHeadings) {
    if (message.toolCalls && message.content === '') {
      message.content = null;
    } else if (message.content === '') {
      reportEmpty(heading, 'assistant', sink);
    }
  }
  return body;
}

interface SectionText {
  text: string;
  start: number;
  end: number;
}

/** Returns a section's text without its leading and trailing blank lines. */
function trimSection(text: string, section: Section): SectionText {
  const raw = text.slice(section.start, section.end);
  const leading = LEADING_BLANK_LINES.exec(raw)?.[0].length ?? 0;
  const trimmed = raw.slice(leading).replace(TRAILING_BLANK_LINES, '');
  const content = trimmed.trim() === '' ? '' : trimmed;
  const start = section.start + leading;
  return { text: content, start, end: start + content.length };
}

function readPreamble(
  content: SectionText,
  hasHeadings: boolean,
  body: CustomBody,
  sink: DiagnosticSink,
): void {
  if (content.text === '') {
    return;
  }
  if (hasHeadings) {
    sink.warning(
      'text-before-first-message',
      content,
      'Text before the first message heading is read as a system message; put "## @system" ' +
        'above it to say so.',
    );
  }
  body.messages.push({ role: 'system', content: normalizeNewlines(content.text) });
  body.steps.push({ kind: 'other' });
}

function readMessage(heading: Heading, role: MessageRole, content: SectionText): PromptMessage {
  const message: PromptMessage = { role, content: normalizeNewlines(content.text) };
  const name = heading.attributes.get('name');
  if (name && role !== 'tool') {
    message.name = name.value;
  }
  const id = heading.attributes.get('id');
  if (id && role === 'tool') {
    message.toolCallId = id.value;
  }
  return message;
}

function addToolCall(
  heading: Heading,
  content: SectionText,
  assistant: { message: PromptMessage; calls: ToolCallIdRef[] } | undefined,
  sink: DiagnosticSink,
): void {
  if (!assistant) {
    sink.error(
      'orphan-tool-call',
      heading,
      'A "## @tool-call" section adds a call to the assistant message above it, but none is ' +
        'there; put it right after a "## @assistant" section.',
    );
    return;
  }
  const id = heading.attributes.get('id');
  const name = heading.attributes.get('name');
  const type = heading.attributes.get('type')?.value === 'custom' ? 'custom' : 'function';
  const fenced = SINGLE_FENCE.exec(content.text);
  const argumentsText = normalizeNewlines(fenced ? (fenced[2] ?? '') : content.text);
  if (type === 'function') {
    checkArguments(argumentsText, content, heading, sink);
  }
  if (!id || !name) {
    return;
  }
  const call: PromptToolCall = { id: id.value, type, name: name.value, arguments: argumentsText };
  assistant.message.toolCalls = [...(assistant.message.toolCalls ?? []), call];
  assistant.calls.push({ id: id.value, start: id.start, end: id.end });
}

function checkArguments(
  argumentsText: string,
  content: SectionText,
  heading: Heading,
  sink: DiagnosticSink,
): void {
  const span = content.text === '' ? heading : content;
  try {
    JSON.parse(argumentsText);
  } catch {
    sink.error(
      'invalid-arguments',
      span,
      argumentsText === ''
        ? 'This tool call has no arguments; write them as a JSON object below the heading, ' +
            'or {} for none.'
        : 'The arguments of this tool call are not valid JSON; write them as a JSON object, ' +
            'such as {"city": "Paris"}.',
    );
  }
}

function warnEmpty(
  heading: Heading,
  message: PromptMessage,
  content: SectionText,
  sink: DiagnosticSink,
): void {
  if (content.text === '' && message.role !== 'assistant') {
    reportEmpty(heading, message.role, sink);
  }
}

function reportEmpty(heading: Heading, role: MessageRole, sink: DiagnosticSink): void {
  sink.warning(
    'empty-content',
    heading,
    `This ${role} message is empty; write its text below the heading or remove the heading.`,
  );
}
