import { contentText, type PromptDocument, type PromptMessage } from './document.js';
import { formatModelfileValue } from './modelfileQuote.js';
import type { ConversionWarning, PromptFormat } from './types.js';

/** A value the custom layout can write as a heading attribute: one word, no spaces. */
const ATTRIBUTE_VALUE = /^\S+$/;

/** The formats as named inside a warning. */
const FORMAT_NAMES: Record<PromptFormat, string> = {
  openai: 'an openai prompt',
  ollama: 'a Modelfile',
  custom: 'a custom prompt',
};

/**
 * Returns the messages as the target format can hold them, and adds a warning for everything it
 * changes or leaves out: non-text parts, extra fields, and for Modelfiles also names, tool calls
 * and the developer and tool roles.
 */
export function adaptMessages(
  messages: readonly PromptMessage[],
  to: PromptFormat,
  warnings: ConversionWarning[],
): PromptMessage[] {
  return messages.map((message, index) => {
    const label = `${capitalize(message.role)} message ${index + 1}`;
    const adapted: PromptMessage = { ...message, content: adaptContent(message, label, warnings) };
    delete adapted.extraFields;
    if (message.extraFields) {
      const fields = message.extraFields.map((field) => `"${field}"`).join(', ');
      warn(
        warnings,
        'fields-dropped',
        `${label}: ${fields} ${isOrAre(message.extraFields)} not kept, because ` +
          `${FORMAT_NAMES[to]} has no place for it.`,
      );
    }
    if (to === 'ollama') {
      return adaptForModelfile(adapted, label, warnings);
    }
    if (to === 'custom') {
      return adaptForCustom(adapted, label, warnings);
    }
    return adapted;
  });
}

function adaptContent(
  message: PromptMessage,
  label: string,
  warnings: ConversionWarning[],
): PromptMessage['content'] {
  const { content } = message;
  if (content === null || typeof content === 'string') {
    return content;
  }
  const dropped = content.filter((part) => part.type !== 'text').map((part) => part.type);
  if (dropped.length > 0) {
    warn(
      warnings,
      'parts-dropped',
      `${label}: its ${dropped.join(', ')} ${dropped.length > 1 ? 'parts are' : 'part is'} ` +
        'not kept, because only text parts convert.',
    );
  }
  const texts = content.filter((part) => part.type === 'text');
  if (texts.length > 1) {
    warn(
      warnings,
      'parts-joined',
      `${label}: its ${texts.length} text parts are joined into one text, with blank lines ` +
        'between them.',
    );
  }
  return contentText(content);
}

function adaptForModelfile(
  message: PromptMessage,
  label: string,
  warnings: ConversionWarning[],
): PromptMessage {
  let text = contentText(message.content);
  if (formatModelfileValue(text) === undefined) {
    text = text.replaceAll('"""', "'''");
    warn(
      warnings,
      'text-changed',
      `${label} contains """ on a line where no Modelfile quoting can hold it, so each """ is ` +
        "written as ''' instead.",
    );
  }
  const adapted: PromptMessage = { role: message.role, content: text };

  if (message.role === 'developer') {
    adapted.role = 'system';
    warn(
      warnings,
      'role-changed',
      `${label} becomes a system message, because a Modelfile has no developer role.`,
    );
  } else if (message.role === 'tool') {
    adapted.role = 'user';
    warn(
      warnings,
      'role-changed',
      `${label}, the result of tool call "${message.toolCallId ?? ''}", becomes a user ` +
        'message, because a Modelfile MESSAGE has no tool role.',
    );
  }
  if (message.name !== undefined) {
    warn(
      warnings,
      'name-dropped',
      `${label}: its name "${message.name}" is not kept, because a Modelfile MESSAGE has no name.`,
    );
  }
  if (message.toolCalls) {
    const calls = message.toolCalls.map((call) => `${call.name} (${call.id})`).join(', ');
    warn(
      warnings,
      'tool-calls-dropped',
      `${label}: its tool calls ${calls} are not kept, because a Modelfile cannot hold tool calls.`,
    );
  }
  return adapted;
}

function adaptForCustom(
  message: PromptMessage,
  label: string,
  warnings: ConversionWarning[],
): PromptMessage {
  const adapted: PromptMessage = { ...message };
  if (adapted.name !== undefined && !ATTRIBUTE_VALUE.test(adapted.name)) {
    warn(
      warnings,
      'name-dropped',
      `${label}: its name "${adapted.name}" is not kept, because a heading attribute cannot ` +
        'hold spaces.',
    );
    delete adapted.name;
  }
  if (adapted.toolCalls) {
    const writable = adapted.toolCalls.filter(
      (call) => ATTRIBUTE_VALUE.test(call.id) && ATTRIBUTE_VALUE.test(call.name),
    );
    if (writable.length < adapted.toolCalls.length) {
      warn(
        warnings,
        'tool-calls-dropped',
        `${label}: tool calls whose id or function name has spaces are not kept, because a ` +
          'heading attribute cannot hold spaces.',
      );
    }
    adapted.toolCalls = writable;
  }
  return adapted;
}

/** Adds warnings for the document's Modelfile settings and front matter the target cannot hold. */
export function warnLostSettings(
  document: PromptDocument,
  to: PromptFormat,
  warnings: ConversionWarning[],
): void {
  const settings = document.modelfile;
  if (settings && to !== 'ollama') {
    const lost = [
      ...settings.from.map((value) => `FROM ${value}`),
      ...settings.parameters.map((parameter) => `PARAMETER ${parameter.name} ${parameter.value}`),
      ...(settings.template === undefined ? [] : ['TEMPLATE']),
      ...settings.adapters.map((value) => `ADAPTER ${value}`),
      ...settings.licenses.map(() => 'LICENSE'),
      ...settings.other.map((entry) => `${entry.instruction.toUpperCase()} ${entry.value}`),
    ];
    for (const setting of lost) {
      warn(
        warnings,
        'setting-dropped',
        `${setting} is not kept, because ${FORMAT_NAMES[to]} contains only messages.`,
      );
    }
  }
  const metadata = document.metadata;
  if (metadata && to !== 'custom') {
    warnLostMetadata(metadata, to, warnings);
  }
}

function warnLostMetadata(
  metadata: NonNullable<PromptDocument['metadata']>,
  to: PromptFormat,
  warnings: ConversionWarning[],
): void {
  const keys = (['name', 'category', 'description'] as const).filter(
    (key) => metadata[key] !== undefined,
  );
  if (keys.length > 0) {
    warn(
      warnings,
      'metadata-dropped',
      `Front matter ${keys.join(', ')} ${isOrAre(keys)} not kept, because ${FORMAT_NAMES[to]} ` +
        'has no front matter; store it with the prompt instead.',
    );
  }
  const variables = metadata.variables ?? [];
  const described = variables.some(
    (variable) => variable.description !== undefined || variable.default !== undefined,
  );
  if (variables.length > 0) {
    const names = variables.map((variable) => variable.name).join(', ');
    warn(
      warnings,
      'variables-dropped',
      `The declarations of variables ${names}` +
        `${described ? ', with their descriptions and defaults,' : ''} are not kept; the ` +
        'variables themselves stay in the text.',
    );
  }
}

export function warn(warnings: ConversionWarning[], code: string, message: string): void {
  warnings.push({ code, message });
}

function isOrAre(items: readonly unknown[]): string {
  return items.length > 1 ? 'are' : 'is';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
