import { roleTagsByValue, type KeyHint, type RoleTagName } from './tags.js';
import type { RecordOutput } from './recordOutput.js';
import type { ResolvedTags } from './types.js';

/** Distinct role names counted for the report and the tag advice; later new names are ignored. */
const MAX_ROLE_NAMES = 64;

const USER_SIDE: RoleTagName[] = ['user_tag', 'observation_tag'];
const ASSISTANT_SIDE: RoleTagName[] = ['assistant_tag', 'function_tag'];

/**
 * Checks conversations against a tag mapping the way LLaMA-Factory reads ShareGPT data: an
 * optional system message first, then user or observation turns in odd positions (1st, 3rd, …)
 * and assistant or function turns in even ones. Roles seen are counted for the tag advice.
 */
export class ConversationChecker {
  readonly roleCounts = new Map<string, number>();
  /** Set by the first message that lacks the role key, to suggest the keys the data uses. */
  keyHint: KeyHint | undefined;
  /** Messages whose role key is missing or whose role is not in the mapping. */
  mismatchCount = 0;
  private readonly roleTags: Map<string, RoleTagName>;
  private readonly fieldNames = new Map<string, Map<string, string>>();
  /** The role tags of the conversation being checked, reused from record to record. */
  private readonly roles: RoleTagName[] = [];

  /**
   * @param allowContentParts Whether content may be a list of parts ({type, text}) as in OpenAI
   *   messages, besides a string.
   */
  constructor(
    readonly tags: ResolvedTags,
    private readonly allowContentParts: boolean,
  ) {
    this.roleTags = roleTagsByValue(tags);
  }

  /**
   * Checks the list of messages under `column`. In preference data the conversation ends with a
   * user turn, and the responses are in `chosen` and `rejected`.
   */
  check(messages: unknown, column: string, preference: boolean, out: RecordOutput): void {
    if (!Array.isArray(messages)) {
      out.error(`"${column}" must be a list of messages, found ${describeType(messages)}.`);
      return;
    }
    if (messages.length === 0) {
      out.error(`"${column}" is an empty list; a conversation needs at least one turn.`);
      return;
    }
    out.turns(messages.length);
    // Every role is counted, also after a bad message, so the tag advice covers them all.
    for (const message of messages) {
      this.countRole(message);
    }
    const roles = this.roles;
    roles.length = 0;
    for (let index = 0; index < messages.length; index += 1) {
      const role = this.message(messages[index], column, index, out);
      if (role === undefined) {
        return;
      }
      roles.push(role);
    }
    this.checkOrder(roles, column, preference, out);
    if (!preference) {
      this.checkAnswers(messages as Record<string, unknown>[], roles, column, out);
    }
  }

  /** Checks a `chosen` or `rejected` message of ShareGPT-style preference data. */
  checkAnswer(message: unknown, column: string, out: RecordOutput): void {
    this.countRole(message);
    const role = this.message(message, column, undefined, out);
    if (role === undefined) {
      return;
    }
    if (!ASSISTANT_SIDE.includes(role)) {
      out.warn(
        'turn_order',
        `"${column}" has role "${this.tags[role]}"; it must be an assistant or function turn ` +
          `(${this.tags.assistant_tag} or ${this.tags.function_tag}). LLaMA-Factory skips this ` +
          'record.',
      );
    }
    const content = (message as Record<string, unknown>)[this.tags.content_tag];
    if (typeof content === 'string' && content.trim() === '') {
      out.warn('empty_output', `The "${column}" answer is empty.`);
    }
  }

  /**
   * Checks one message, `column[index]` or the whole `column` when index is undefined, and returns
   * its role tag, or undefined after reporting an error. Paths for messages are built only for
   * errors, because this runs for every message of every record.
   */
  private message(
    message: unknown,
    column: string,
    index: number | undefined,
    out: RecordOutput,
  ): RoleTagName | undefined {
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      out.error(
        `${pathOf(column, index)} must be a message object, found ${describeType(message)}.`,
      );
      return undefined;
    }
    const fields = message as Record<string, unknown>;
    const role = fields[this.tags.role_tag];
    if (typeof role !== 'string') {
      if (role === undefined) {
        this.keyHint ??= guessKeys(fields);
        this.mismatchCount += 1;
      }
      const keys = Object.keys(fields).join(', ');
      const path = pathOf(column, index);
      out.error(
        role === undefined
          ? `${path} has no "${this.tags.role_tag}" key (role_tag); its keys are ${keys}.`
          : `${path}.${this.tags.role_tag} must be a string, found ${describeType(role)}.`,
      );
      return undefined;
    }
    const roleTag = this.roleTags.get(role);
    if (roleTag === undefined) {
      this.mismatchCount += 1;
      const names = [...this.roleTags.keys()].join(', ');
      out.error(
        `${pathOf(column, index)}.${this.tags.role_tag} is "${role}", which matches no role in ` +
          'the tag mapping ' +
          `(${names}); see the tag_mismatch warning.`,
      );
      return undefined;
    }
    const length = this.contentLength(fields, column, index, out);
    if (length === undefined) {
      return undefined;
    }
    out.field(this.fieldName(column, role), length);
    return roleTag;
  }

  /** Returns the stats name `<column>.<role>`, built once per pair rather than per message. */
  private fieldName(column: string, role: string): string {
    let byRole = this.fieldNames.get(column);
    if (byRole === undefined) {
      byRole = new Map();
      this.fieldNames.set(column, byRole);
    }
    let name = byRole.get(role);
    if (name === undefined) {
      name = `${column}.${role}`;
      byRole.set(role, name);
    }
    return name;
  }

  /** Returns the characters of a message's content, or undefined after reporting an error. */
  private contentLength(
    fields: Record<string, unknown>,
    column: string,
    index: number | undefined,
    out: RecordOutput,
  ): number | undefined {
    const key = this.tags.content_tag;
    const content = fields[key];
    if (typeof content === 'string') {
      return content.length;
    }
    if (this.allowContentParts && Array.isArray(content)) {
      return partsLength(content, { column, index, key }, out);
    }
    if (this.allowContentParts && content === null && Array.isArray(fields.tool_calls)) {
      return 0;
    }
    const expected = this.allowContentParts ? 'a string or a list of parts' : 'a string';
    const path = pathOf(column, index);
    out.error(
      content === undefined
        ? `${path} has no "${key}" key (content_tag).`
        : `${path}.${key} must be ${expected}, found ${describeType(content)}.`,
    );
    return undefined;
  }

  private checkOrder(
    roles: RoleTagName[],
    column: string,
    preference: boolean,
    out: RecordOutput,
  ): void {
    const start = roles[0] === 'system_tag' ? 1 : 0;
    for (let index = start; index < roles.length; index += 1) {
      const expected = (index - start) % 2 === 0 ? USER_SIDE : ASSISTANT_SIDE;
      const role = roles[index] as RoleTagName;
      if (!expected.includes(role)) {
        const wanted = expected.map((name) => this.tags[name]).join(' or ');
        out.warn(
          'turn_order',
          `${column}[${index}] is a "${this.tags[role]}" turn where ${wanted} was expected: ` +
            'after an optional system message, roles must alternate user (or observation) and ' +
            'assistant (or function). LLaMA-Factory skips this record.',
        );
        return;
      }
    }
    const turns = roles.length - start;
    if (turns === 0) {
      out.warn(
        'turn_order',
        `"${column}" holds only a system message. LLaMA-Factory skips this record.`,
      );
    } else if (!preference && turns % 2 === 1) {
      out.warn(
        'turn_order',
        `"${column}" ends with a ${this.tags[roles[roles.length - 1] as RoleTagName]} turn at ` +
          `index ${roles.length - 1}; it must end with an assistant turn. LLaMA-Factory skips ` +
          'this record.',
      );
    } else if (preference && turns % 2 === 0) {
      out.warn(
        'turn_order',
        `"${column}" of preference data must end with a user turn, and the answers go in ` +
          '"chosen" and "rejected". LLaMA-Factory skips this record.',
      );
    }
  }

  private checkAnswers(
    messages: Record<string, unknown>[],
    roles: RoleTagName[],
    column: string,
    out: RecordOutput,
  ): void {
    for (let index = 0; index < roles.length; index += 1) {
      if (roles[index] === 'assistant_tag' && isBlank(messages[index]?.[this.tags.content_tag])) {
        out.warn(
          'empty_output',
          `${column}[${index}] is an empty ${this.tags.assistant_tag} turn.`,
        );
        return;
      }
    }
  }

  private countRole(message: unknown): void {
    const role = (message as Record<string, unknown> | null)?.[this.tags.role_tag];
    if (typeof role !== 'string') {
      return;
    }
    const count = this.roleCounts.get(role);
    if (count !== undefined) {
      this.roleCounts.set(role, count + 1);
    } else if (this.roleCounts.size < MAX_ROLE_NAMES) {
      this.roleCounts.set(role, 1);
    }
  }
}

/** Returns the text length of OpenAI-style content parts, or undefined after reporting an error. */
function partsLength(
  parts: unknown[],
  where: { column: string; index: number | undefined; key: string },
  out: RecordOutput,
): number | undefined {
  const pathOfParts = () => `${pathOf(where.column, where.index)}.${where.key}`;
  let length = 0;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] as Record<string, unknown> | null;
    if (part === null || typeof part !== 'object' || typeof part.type !== 'string') {
      out.error(
        `${pathOfParts()}[${index}] must be a part object with a "type", found ` +
          `${describeType(part)}.`,
      );
      return undefined;
    }
    // OpenAI puts a text part's text under "text"; LLaMA-Factory's v1 data files use "value".
    const text = part.text ?? part.value;
    if (part.type === 'text') {
      if (typeof text !== 'string') {
        out.error(`${pathOfParts()}[${index}] is a text part without a "text" string.`);
        return undefined;
      }
      length += text.length;
    }
  }
  return length;
}

function isBlank(content: unknown): boolean {
  return (
    (typeof content === 'string' && content.trim() === '') ||
    (Array.isArray(content) && content.length === 0)
  );
}

/** Guesses the role and content keys of a message that lacks the role key. */
function guessKeys(fields: Record<string, unknown>): KeyHint | undefined {
  const stringKeys = Object.keys(fields).filter((key) => typeof fields[key] === 'string');
  const roleKey =
    stringKeys.find((key) => ['role', 'from', 'speaker', 'author'].includes(key)) ?? stringKeys[0];
  if (roleKey === undefined) {
    return undefined;
  }
  const contentKey = stringKeys.find((key) => key !== roleKey);
  return contentKey === undefined ? { roleKey } : { roleKey, contentKey };
}

/** Returns `column[index]` for a message in a list, or `"column"` for a message on its own. */
function pathOf(column: string, index: number | undefined): string {
  return index === undefined ? `"${column}"` : `${column}[${index}]`;
}

/** Describes a JSON value's type for a message: "a string", "a list", "null"… */
export function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'undefined':
      return 'nothing';
    default:
      return 'an object';
  }
}
