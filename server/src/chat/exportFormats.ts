import type { ApiChatMessage, ChatExport } from '../../../shared/src/api/chat.js';

/**
 * Renders an export as plain text: a header, then each message under its role and time, with
 * an answer's reasoning before the answer.
 */
export function renderText(chat: ChatExport): string {
  const { session } = chat;
  const lines = [titleOf(chat), ...headerFacts(chat).map(([name, value]) => `${name}: ${value}`)];
  if (session.systemPrompt !== null) {
    lines.push('', 'System prompt:', session.systemPrompt);
  }
  for (const message of chat.messages) {
    lines.push('', '-'.repeat(60), '', `${speakerOf(message)} (${message.createdAt}):`);
    if (message.reasoning !== null) {
      lines.push('[Reasoning]', message.reasoning, '[Answer]');
    }
    lines.push(message.content);
    const note = statusNote(message);
    if (note !== null) {
      lines.push(`[${note}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders an export as Markdown. Message text is kept as written, with a code fence that a
 * stopped answer left open closed at its end. Reasoning goes in a collapsed `<details>` block,
 * and the system prompt in a fence longer than any backtick run inside it.
 */
export function renderMarkdown(chat: ChatExport): string {
  const { session } = chat;
  const parts = [
    `# ${titleOf(chat)}`,
    headerFacts(chat)
      .map(([name, value]) => `- ${name}: ${value}`)
      .join('\n'),
  ];
  if (session.systemPrompt !== null) {
    const fence = fenceFor(session.systemPrompt);
    parts.push('## System prompt', `${fence}text\n${session.systemPrompt}\n${fence}`);
  }
  for (const message of chat.messages) {
    parts.push(`## ${speakerOf(message)} · ${message.createdAt}`);
    if (message.reasoning !== null) {
      const reasoning = closeOpenFence(message.reasoning).replace(/<\/details>/gi, '&lt;/details>');
      parts.push(`<details>\n<summary>Reasoning</summary>\n\n${reasoning}\n\n</details>`);
    }
    if (message.content !== '') {
      parts.push(closeOpenFence(message.content));
    }
    const note = statusNote(message);
    if (note !== null) {
      parts.push(`> _${note}_`);
    }
  }
  return `${parts.join('\n\n')}\n`;
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

function speakerOf(message: ApiChatMessage): string {
  if (message.role === 'user') {
    return 'User';
  }
  return message.modelId === null ? 'Assistant' : `Assistant (${message.modelId})`;
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

/** A fence line as CommonMark defines it: up to three spaces, then three or more ` or ~. */
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

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
