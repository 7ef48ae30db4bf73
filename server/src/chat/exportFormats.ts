import type { ApiChatMessage, ChatExport } from '../../../shared/src/api/chat.js';
import { escapeMarkdownBlock, escapeMarkdownInline, FENCE_LINE } from './markdownEscape.js';

/** The indent of every body line in the text export; headers and separators start at column 1. */
const TEXT_INDENT = '    ';

/**
 * Renders an export as plain text: a header, then each message under its role and time, with
 * an answer's reasoning before the answer. Every line of a message body or the system prompt is
 * indented, so text copied from another export cannot pass for a separator or a turn header.
 */
export function renderText(chat: ChatExport): string {
  const { session } = chat;
  const lines = [titleOf(chat), ...headerFacts(chat).map(([name, value]) => `${name}: ${value}`)];
  if (session.systemPrompt !== null) {
    lines.push('', 'System prompt:', indent(session.systemPrompt));
  }
  for (const message of chat.messages) {
    lines.push('', '-'.repeat(60), '', `${speakerOf(message)} (${message.createdAt}):`);
    if (message.reasoning !== null) {
      lines.push('[Reasoning]', indent(message.reasoning), '[Answer]');
    }
    lines.push(indent(message.content));
    const note = statusNote(message);
    if (note !== null) {
      lines.push(`[${note}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders an export as Markdown. The title and header facts are escaped as plain text. Message
 * text keeps its formatting, except that no line of it can start a heading, a thematic break or
 * raw HTML, so a message cannot forge a turn; a code fence that a stopped answer left open is
 * closed at its end. Reasoning goes in a collapsed `<details>` block, escaped the same way, and
 * the system prompt in a fence longer than any backtick run inside it.
 */
export function renderMarkdown(chat: ChatExport): string {
  const { session } = chat;
  const parts = [
    `# ${escapeMarkdownInline(titleOf(chat))}`,
    headerFacts(chat)
      .map(([name, value]) => `- ${name}: ${escapeMarkdownInline(value)}`)
      .join('\n'),
  ];
  if (session.systemPrompt !== null) {
    const fence = fenceFor(session.systemPrompt);
    parts.push('## System prompt', `${fence}text\n${session.systemPrompt}\n${fence}`);
  }
  for (const message of chat.messages) {
    parts.push(`## ${speakerOf(message, escapeMarkdownInline)} · ${message.createdAt}`);
    if (message.reasoning !== null) {
      const reasoning = escapeMarkdownBlock(closeOpenFence(message.reasoning));
      parts.push(`<details>\n<summary>Reasoning</summary>\n\n${reasoning}\n\n</details>`);
    }
    if (message.content !== '') {
      parts.push(escapeMarkdownBlock(closeOpenFence(message.content)));
    }
    const note = statusNote(message);
    if (note !== null) {
      parts.push(`> _${escapeMarkdownInline(note)}_`);
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** Indents every line of a text body for the text export. */
function indent(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (line === '' ? line : `${TEXT_INDENT}${line}`))
    .join('\n');
}

function titleOf(chat: ChatExport): string {
  return chat.session.title ?? `Chat ${chat.session.id}`;
}

function headerFacts(chat: ChatExport): [string, string][] {
  const facts: [string, string][] = [];
  if (chat.session.modelConfigName !== null) {
    facts.push(['Model', chat.session.modelConfigName]);
  }
  facts.push(['Created', chat.session.createdAt], ['Exported', chat.exportedAt]);
  facts.push(['Messages', String(chat.messages.length)]);
  return facts;
}

function speakerOf(message: ApiChatMessage, format = (text: string) => text): string {
  if (message.role === 'user') {
    return 'User';
  }
  return message.modelId === null ? 'Assistant' : `Assistant (${format(message.modelId)})`;
}

function statusNote(message: ApiChatMessage): string | null {
  switch (message.status) {
    case 'complete':
      return message.finishReason === 'length' ? 'Cut off at the max tokens limit.' : null;
    case 'stopped':
      return 'Stopped before the answer was complete.';
    case 'streaming':
      return 'Still being answered when exported.';
    case 'error':
      return `Error: ${message.error?.message ?? 'the answer failed.'}`;
  }
}

/** Returns a backtick fence longer than any run of backticks in the text, at least three. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * Appends a closing fence when the text ends inside a fenced code block, as an answer stopped
 * mid-code does, so the block does not swallow the rest of the document.
 */
export function closeOpenFence(text: string): string {
  let open: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const match = FENCE_LINE.exec(line);
    if (match === null) {
      continue;
    }
    const fence = match[1] ?? '';
    const rest = match[2] ?? '';
    if (open === null) {
      // A backtick fence's info string may not contain a backtick.
      if (!(fence.startsWith('`') && rest.includes('`'))) {
        open = fence;
      }
    } else if (fence[0] === open[0] && fence.length >= open.length && rest.trim() === '') {
      open = null;
    }
  }
  return open === null ? text : `${text}\n${open}`;
}
