import { stringify } from 'yaml';
import { warn } from './adaptMessages.js';
import { contentText, type PromptMessage, type PromptToolCall } from './document.js';
import { formatModelfileValue } from './modelfileQuote.js';
import type { ConversionWarning } from './types.js';

/** Writes messages as an openai prompt: a JSON array with two-space indentation. */
export function writeOpenAI(
  messages: readonly PromptMessage[],
  warnings: ConversionWarning[],
): string {
  if (messages.length === 0) {
    warn(
      warnings,
      'no-messages',
      'The source has no messages, so the openai prompt is an empty array; add at least one ' +
        'message.',
    );
  }
  const written = messages.map((message) => {
    const entry: Record<string, unknown> = { role: message.role };
    entry.content = message.content === null ? null : contentText(message.content);
    if (message.name !== undefined) {
      entry.name = message.name;
    }
    if (message.toolCalls) {
      entry.tool_calls = message.toolCalls.map(writeToolCall);
    }
    if (message.toolCallId !== undefined) {
      entry.tool_call_id = message.toolCallId;
    }
    return entry;
  });
  return `${JSON.stringify(written, null, 2)}\n`;
}

function writeToolCall(call: PromptToolCall): Record<string, unknown> {
  return call.type === 'custom'
    ? { id: call.id, type: 'custom', custom: { name: call.name, input: call.arguments } }
    : { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/**
 * Writes messages as a Modelfile: FROM, then a first system message as SYSTEM, then the rest as
 * MESSAGE lines. Each value is written bare, in """ or in " quotes, whichever Ollama reads back
 * unchanged. `adaptMessages` has already replaced any text that no quoting can hold.
 */
export function writeModelfile(messages: readonly PromptMessage[], model: string): string {
  const lines = [`FROM ${formatModelfileValue(model) ?? model}`];
  messages.forEach((message, index) => {
    const text = contentText(message.content);
    const value = formatModelfileValue(text) ?? `"""${text}"""`;
    lines.push(
      index === 0 && message.role === 'system'
        ? `SYSTEM ${value}`
        : `MESSAGE ${message.role} ${value}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/**
 * Writes messages in the custom Markdown layout. One unnamed system message is the body itself.
 * Otherwise each message starts with a `## @role` heading, and each tool call follows its
 * assistant message as a `## @tool-call` section with the arguments in a code block. Blank lines
 * around a message's text are layout, so they are not kept.
 */
export function writeCustom(
  messages: readonly PromptMessage[],
  variables: readonly string[],
): string {
  const frontMatter =
    variables.length > 0 ? `---\n${stringify({ variables: [...variables] })}---\n\n` : '';
  const [first] = messages;
  if (messages.length === 1 && first?.role === 'system' && first.name === undefined) {
    return `${frontMatter}${contentText(first.content)}\n`;
  }
  const sections = messages.flatMap((message) => {
    const attributes = [
      message.name === undefined ? '' : ` name=${message.name}`,
      message.toolCallId === undefined ? '' : ` id=${message.toolCallId}`,
    ].join('');
    const text = contentText(message.content);
    const section = `## @${message.role}${attributes}\n${text === '' ? '' : `\n${text}\n`}`;
    return [section, ...(message.toolCalls ?? []).map(writeToolCallSection)];
  });
  return `${frontMatter}${sections.join('\n')}`;
}

function writeToolCallSection(call: PromptToolCall): string {
  let longestRun = 0;
  for (const run of call.arguments.matchAll(/`+/g)) {
    longestRun = Math.max(longestRun, run[0].length);
  }
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const type = call.type === 'custom' ? ' type=custom' : '';
  const info = call.type === 'function' ? 'json' : '';
  const heading = `## @tool-call id=${call.id} name=${call.name}${type}`;
  return `${heading}\n\n${fence}${info}\n${call.arguments}\n${fence}\n`;
}
