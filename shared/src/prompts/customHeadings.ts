import type { DiagnosticSink } from './diagnostics.js';
import { MESSAGE_ROLES } from './document.js';
import { closestMatch, didYouMean } from './suggest.js';
import { lineEndAt, nextLineStart } from './text.js';

/**
 * Roles a custom file's message headings can name. `tool-call` is not a message: it adds a call
 * to the assistant message above it, with the call's arguments as its text.
 */
export const CUSTOM_ROLES = [...MESSAGE_ROLES, 'tool-call'] as const;

export type CustomRole = (typeof CUSTOM_ROLES)[number];

/** Reasons and examples for the required attributes of a heading. */
const REQUIRED_HINTS: Partial<Record<CustomRole, string>> = {
  tool: 'because id names the tool call whose result this is, as in ## @tool id=call_1',
  'tool-call':
    'because a call needs its id and function name, as in ## @tool-call id=call_1 name=get_weather',
};

/** A message heading: `## @role` and its `key=value` attributes. */
const HEADING = /^##[ \t]+@(\S*)(.*)$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

const ATTRIBUTES: Record<CustomRole, { allowed: string[]; required: string[] }> = {
  system: { allowed: ['name'], required: [] },
  developer: { allowed: ['name'], required: [] },
  user: { allowed: ['name'], required: [] },
  assistant: { allowed: ['name'], required: [] },
  tool: { allowed: ['id'], required: ['id'] },
  'tool-call': { allowed: ['id', 'name', 'type'], required: ['id', 'name'] },
};

/** A `key=value` attribute: `start` and `end` span the value, `keyStart` starts the key. */
export interface HeadingAttribute {
  value: string;
  start: number;
  end: number;
  keyStart: number;
}

export interface Heading {
  /** The role, or undefined when the heading names an unknown one. */
  role?: CustomRole;
  start: number;
  end: number;
  attributes: Map<string, HeadingAttribute>;
}

/** A run of text under one heading, or before the first heading when `heading` is absent. */
export interface Section {
  heading?: Heading;
  start: number;
  end: number;
}

/**
 * Splits a custom body into sections at `## @role` heading lines. A heading inside a fenced
 * code block is text, so code samples may show headings.
 */
export function splitSections(text: string, bodyStart: number, sink: DiagnosticSink): Section[] {
  const sections: Section[] = [];
  let current: Section = { start: bodyStart, end: text.length };
  let fence: Fence | undefined;
  let lineStart = bodyStart;
  while (lineStart < text.length) {
    const lineEnd = lineEndAt(text, lineStart);
    const line = text.slice(lineStart, lineEnd);
    const nextFence = fenceAfter(line, fence);
    const match = fence || nextFence ? null : HEADING.exec(line);
    if (match) {
      current.end = lineStart;
      sections.push(current);
      const heading = readHeading(line, lineStart, match, sink);
      current = { heading, start: nextLineStart(text, lineEnd), end: text.length };
    }
    fence = nextFence;
    lineStart = nextLineStart(text, lineEnd);
  }
  sections.push(current);
  return sections;
}

/** An open fenced code block: its fence character and length. */
interface Fence {
  char: string;
  length: number;
}

/**
 * Returns the fenced code block open after `line`, following CommonMark: a line of three or
 * more backticks or tildes opens one, and a line of at least as many of the same character,
 * with nothing after them, closes it.
 */
function fenceAfter(line: string, fence: Fence | undefined): Fence | undefined {
  const match = FENCE.exec(line);
  const marker = match?.[1] ?? '';
  const info = match?.[2] ?? '';
  if (fence) {
    const closes = marker[0] === fence.char && marker.length >= fence.length && info.trim() === '';
    return closes ? undefined : fence;
  }
  if (marker === '' || (marker[0] === '`' && info.includes('`'))) {
    return undefined;
  }
  return { char: marker[0] ?? '`', length: marker.length };
}

function readHeading(
  line: string,
  lineStart: number,
  match: RegExpExecArray,
  sink: DiagnosticSink,
): Heading {
  const roleWord = match[1] ?? '';
  const roleStart = lineStart + line.indexOf('@') + 1;
  const heading: Heading = {
    start: lineStart,
    end: lineStart + line.length,
    attributes: new Map(),
  };
  if ((CUSTOM_ROLES as readonly string[]).includes(roleWord)) {
    heading.role = roleWord as CustomRole;
  } else {
    reportUnknownRole(roleWord, roleStart, sink);
  }
  const rest = match[2] ?? '';
  const restStart = lineStart + line.length - rest.length;
  for (const token of rest.matchAll(/\S+/g)) {
    const start = restStart + token.index;
    readAttribute(token[0], start, heading, sink);
  }
  if (heading.role) {
    checkAttributes(heading, heading.role, sink);
  }
  return heading;
}

function reportUnknownRole(roleWord: string, roleStart: number, sink: DiagnosticSink): void {
  const suggestion = closestMatch(roleWord, CUSTOM_ROLES);
  const roleEnd = roleStart + roleWord.length;
  sink.error(
    'unknown-role',
    { start: roleStart - 1, end: roleEnd },
    `Unknown role "@${roleWord}" in this message heading; use one of ` +
      `${CUSTOM_ROLES.map((role) => `@${role}`).join(', ')}.` +
      didYouMean(suggestion && `@${suggestion}`),
    suggestion === undefined
      ? undefined
      : {
          title: `Change "@${roleWord}" to "@${suggestion}"`,
          edits: [{ start: roleStart, end: roleEnd, newText: suggestion }],
        },
  );
}

function readAttribute(token: string, start: number, heading: Heading, sink: DiagnosticSink): void {
  const equals = token.indexOf('=');
  if (equals <= 0 || equals === token.length - 1) {
    sink.error(
      'invalid-heading',
      { start: start, end: start + token.length },
      `"${token}" is not an attribute; write heading attributes as key=value, such as id=call_1.`,
    );
    return;
  }
  const key = token.slice(0, equals);
  const attribute = {
    value: token.slice(equals + 1),
    start: start + equals + 1,
    end: start + token.length,
    keyStart: start,
  };
  if (heading.attributes.has(key)) {
    sink.warning(
      'duplicate-key',
      { start: start, end: attribute.end },
      `"${key}" is already set in this heading; remove one of them.`,
    );
  }
  heading.attributes.set(key, attribute);
}

function checkAttributes(heading: Heading, role: CustomRole, sink: DiagnosticSink): void {
  const { allowed, required } = ATTRIBUTES[role];
  for (const [key, attribute] of heading.attributes) {
    if (allowed.includes(key)) {
      continue;
    }
    const suggestion = closestMatch(key, allowed);
    sink.warning(
      'unknown-attribute',
      { start: attribute.keyStart, end: attribute.keyStart + key.length },
      `Unknown attribute "${key}" for @${role}; it takes ${allowed.join(', ')}.` +
        didYouMean(suggestion),
      suggestion === undefined
        ? undefined
        : {
            title: `Rename to "${suggestion}"`,
            edits: [
              {
                start: attribute.keyStart,
                end: attribute.keyStart + key.length,
                newText: suggestion,
              },
            ],
          },
    );
  }
  for (const key of required) {
    if (!heading.attributes.has(key)) {
      sink.error(
        'missing-field',
        heading,
        `A @${role} heading needs ${key}=..., ${REQUIRED_HINTS[role] ?? ''}.`,
      );
    }
  }
  const type = heading.attributes.get('type');
  if (role === 'tool-call' && type && type.value !== 'function' && type.value !== 'custom') {
    sink.error(
      'invalid-value',
      type,
      `Tool call type "${type.value}" is not valid; use function or custom.`,
    );
  }
}
