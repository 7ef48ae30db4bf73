import type { VariableDeclaration } from './types.js';

/** Roles of OpenAI chat messages, in the order suggestions prefer them. */
export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** A tool call made by an assistant message: a function call, or a custom tool call. */
export interface PromptToolCall {
  id: string;
  type: 'function' | 'custom';
  name: string;
  /** Function arguments as a JSON string, or the raw input of a custom tool. */
  arguments: string;
}

export type PromptContentPart =
  | { type: 'text'; text: string }
  | { type: 'refusal'; refusal: string }
  | { type: 'image_url'; url: string; detail?: string }
  | { type: 'input_audio'; format: string }
  | { type: 'file'; filename?: string; fileId?: string };

/** One message of a prompt, in the shape shared by every format. */
export interface PromptMessage {
  role: MessageRole;
  /** Plain text, content parts, or null for an assistant message that only calls tools. */
  content: string | PromptContentPart[] | null;
  name?: string;
  toolCalls?: PromptToolCall[];
  /** The id of the tool call whose result a tool message carries. */
  toolCallId?: string;
  /** Fields of the source message that no other format can hold, by name. */
  extraFields?: string[];
}

/** Modelfile instructions other than SYSTEM and MESSAGE, which become messages. */
export interface ModelfileSettings {
  from: string[];
  parameters: { name: string; value: string }[];
  template?: string;
  adapters: string[];
  licenses: string[];
  /** REQUIRES, DRAFT, RENDERER and PARSER, by lower-case instruction name. */
  other: { instruction: string; value: string }[];
}

/** Custom-format front matter. */
export interface PromptMetadata {
  name?: string;
  category?: string;
  description?: string;
  variables?: VariableDeclaration[];
}

/** A prompt read from any format: its messages plus what only some formats can hold. */
export interface PromptDocument {
  messages: PromptMessage[];
  modelfile?: ModelfileSettings;
  metadata?: PromptMetadata;
}

/** Returns the text of a message's content: the string, or its text parts joined by blank lines. */
export function contentText(content: PromptMessage['content']): string {
  if (content === null) {
    return '';
  }
  if (typeof content === 'string') {
    return content;
  }
  return content
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text')
    .map((part) => part.text)
    .join('\n\n');
}
