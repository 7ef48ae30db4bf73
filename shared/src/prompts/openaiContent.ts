import type { Node } from 'jsonc-parser';
import type { DiagnosticSink } from './diagnostics.js';
import type { MessageRole, PromptContentPart } from './document.js';
import {
  capitalize,
  checkEnum,
  JsonObject,
  nodeSpan,
  openingBrace,
  reportType,
} from './jsonTree.js';
import { closestMatch, didYouMean } from './suggest.js';
import { appendAll, scanVariables, type VariableUse } from './variables.js';

/** The state of reading one openai file: its sink, text, and the variables found so far. */
export interface OpenAIReadState {
  sink: DiagnosticSink;
  text: string;
  uses: VariableUse[];
  /** String contents and text-part texts that hold at least one variable. */
  variableNodes: Node[];
}

const ALL_PART_TYPES = ['text', 'image_url', 'input_audio', 'file', 'refusal'] as const;

/** Content part types each role accepts, from the OpenAI SDK's chat completion message types. */
const PART_TYPES_BY_ROLE: Record<MessageRole, readonly string[]> = {
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  user: ['text', 'image_url', 'input_audio', 'file'],
  assistant: ['text', 'refusal'],
};

const IMAGE_DETAILS = ['auto', 'low', 'high'];
const AUDIO_FORMATS = ['wav', 'mp3'];

/** Scans a string node for variables, and records the node when it contains some. */
export function addTextNode(node: Node, state: OpenAIReadState): void {
  const uses = scanVariables(
    state.text,
    node.offset + 1,
    node.offset + node.length - 1,
    state.sink,
  );
  if (uses.length > 0) {
    state.variableNodes.push(node);
    appendAll(state.uses, uses);
  }
}

/**
 * Reads a message's content: a string, or a non-empty array of the content parts its role
 * accepts. Returns undefined when the content is invalid.
 */
export function readContent(
  node: Node,
  role: MessageRole,
  owner: string,
  state: OpenAIReadState,
): string | PromptContentPart[] | null | undefined {
  const { sink } = state;
  if (node.type === 'string') {
    addTextNode(node, state);
    return String(node.value);
  }
  if (node.type === 'null' && role === 'assistant') {
    return null;
  }
  if (node.type !== 'array') {
    reportType(node, sink, `Content of ${owner}`, 'a string or an array of content parts');
    return undefined;
  }
  const items = node.children ?? [];
  if (items.length === 0) {
    sink.error(
      'empty-content',
      { start: node.offset, end: node.offset + node.length },
      `Content of ${owner} is an empty array; add a part such as {"type": "text", "text": "..."}.`,
    );
    return undefined;
  }
  const parts: PromptContentPart[] = [];
  items.forEach((item, index) => {
    const part = readPart(item, role, `part ${index + 1} of ${owner}`, state);
    if (part) {
      parts.push(part);
    }
  });
  return parts.length === items.length ? parts : undefined;
}

function readPart(
  node: Node,
  role: MessageRole,
  owner: string,
  state: OpenAIReadState,
): PromptContentPart | undefined {
  const { sink } = state;
  if (node.type !== 'object') {
    reportType(node, sink, capitalize(owner), 'an object with a "type"');
    return undefined;
  }
  const part = new JsonObject(node, sink, owner);
  const typeNode = part.requiredString('type');
  if (!typeNode || !checkPartType(typeNode, role, owner, sink)) {
    return undefined;
  }
  const type = String(typeNode.value);
  part.checkUnknownFields(['type', type, 'prompt_cache_breakpoint'], `a ${type} part`);
  return readPartBody(type, part, state);
}

function checkPartType(
  typeNode: Node,
  role: MessageRole,
  owner: string,
  sink: DiagnosticSink,
): boolean {
  const type = String(typeNode.value);
  const allowed = PART_TYPES_BY_ROLE[role];
  if (allowed.includes(type)) {
    return true;
  }
  const span = nodeSpan(typeNode);
  if ((ALL_PART_TYPES as readonly string[]).includes(type)) {
    const roles = Object.entries(PART_TYPES_BY_ROLE)
      .filter(([, types]) => types.includes(type))
      .map(([name]) => name);
    sink.error(
      'part-not-allowed',
      span,
      `${capitalize(type)} parts are allowed only in ${roles.join(' and ')} messages, not in ` +
        `${role} messages; ${role} messages take ${allowed.join(' and ')} parts.`,
    );
    return false;
  }
  const suggestion = closestMatch(type, allowed) ?? closestMatch(type, ALL_PART_TYPES);
  sink.error(
    'unknown-part-type',
    span,
    `Unknown content part type "${type}" in ${owner}; ${role} messages take ` +
      `${allowed.join(', ')} parts.${didYouMean(suggestion)}`,
    suggestion === undefined
      ? undefined
      : {
          title: `Change to "${suggestion}"`,
          edits: [{ ...span, newText: JSON.stringify(suggestion) }],
        },
  );
  return false;
}

function readPartBody(
  type: string,
  part: JsonObject,
  state: OpenAIReadState,
): PromptContentPart | undefined {
  switch (type) {
    case 'text': {
      const text = part.requiredString('text');
      if (text) {
        addTextNode(text, state);
      }
      return text ? { type: 'text', text: String(text.value) } : undefined;
    }
    case 'refusal': {
      const refusal = part.requiredString('refusal');
      return refusal ? { type: 'refusal', refusal: String(refusal.value) } : undefined;
    }
    case 'image_url':
      return readImage(part);
    case 'input_audio':
      return readAudio(part);
    default:
      return readFile(part);
  }
}

function readImage(part: JsonObject): PromptContentPart | undefined {
  const node = part.requiredObject('image_url');
  if (!node) {
    return undefined;
  }
  const image = new JsonObject(node, part.sink, `"image_url" of ${part.owner}`);
  image.checkUnknownFields(['url', 'detail'], '"image_url"');
  const url = image.requiredString('url');
  const detailNode = image.string('detail');
  const detail = detailNode
    ? checkEnum(detailNode, IMAGE_DETAILS, part.sink, 'image detail')
    : undefined;
  if (!url || (detailNode && detail === undefined)) {
    return undefined;
  }
  return { type: 'image_url', url: String(url.value), ...(detail ? { detail } : {}) };
}

function readAudio(part: JsonObject): PromptContentPart | undefined {
  const node = part.requiredObject('input_audio');
  if (!node) {
    return undefined;
  }
  const audio = new JsonObject(node, part.sink, `"input_audio" of ${part.owner}`);
  audio.checkUnknownFields(['data', 'format'], '"input_audio"');
  const data = audio.requiredString('data');
  const formatNode = audio.requiredString('format');
  const format = formatNode
    ? checkEnum(formatNode, AUDIO_FORMATS, part.sink, 'audio format')
    : undefined;
  return data && format ? { type: 'input_audio', format } : undefined;
}

function readFile(part: JsonObject): PromptContentPart | undefined {
  const node = part.requiredObject('file');
  if (!node) {
    return undefined;
  }
  const file = new JsonObject(node, part.sink, `"file" of ${part.owner}`);
  file.checkUnknownFields(['file_data', 'file_id', 'filename'], '"file"');
  const data = file.string('file_data');
  const id = file.string('file_id');
  const filename = file.string('filename');
  if (!data && !id) {
    part.sink.error(
      'missing-field',
      openingBrace(node),
      `${capitalize(file.owner)} has neither "file_data" nor "file_id"; add one of them.`,
    );
    return undefined;
  }
  return {
    type: 'file',
    ...(filename ? { filename: String(filename.value) } : {}),
    ...(id ? { fileId: String(id.value) } : {}),
  };
}
