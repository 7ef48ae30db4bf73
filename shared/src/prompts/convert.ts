import { adaptMessages, warn, warnLostSettings } from './adaptMessages.js';
import { analyzePrompt, assertFormat, type AnalyzedPrompt } from './analyze.js';
import { DEFAULT_MAX_DIAGNOSTICS } from './diagnostics.js';
import { contentText, type PromptMessage } from './document.js';
import { PromptError } from './errors.js';
import type { ConversionResult, ConversionWarning, ConvertOptions, PromptFormat } from './types.js';
import { writeCustom, writeModelfile, writeOpenAI } from './writers.js';

const PLACEHOLDER_MODEL = '<model>';

/**
 * Converts a prompt between formats, keeping every message. Everything the target cannot hold
 * is listed in `warnings`, such as Modelfile settings in openai JSON, tool calls and non-text
 * parts in a Modelfile, and front matter outside custom files. Converting to the same format
 * returns the content unchanged. Throws a PromptError when the source has errors or
 * `options.model` is not a single line.
 */
export function convertPrompt(
  from: PromptFormat,
  to: PromptFormat,
  content: string,
  options: ConvertOptions = {},
): ConversionResult {
  assertFormat(from);
  assertFormat(to);
  checkModel(options.model);
  const source = readValidPrompt(from, content);
  if (from === to) {
    return { content, warnings: [] };
  }
  const warnings: ConversionWarning[] = [];
  warnLostSettings(source.document, to, warnings);
  const messages = adaptMessages(source.document.messages, to, warnings);
  const output = write(to, messages, { source, options, warnings });
  checkReadBack(to, output, messages, warnings);
  return { content: output, warnings };
}

function checkModel(model: string | undefined): void {
  if (
    model !== undefined &&
    (typeof model !== 'string' || model.trim() === '' || /[\r\n]/.test(model))
  ) {
    throw new PromptError(
      'invalid_model',
      `Model ${JSON.stringify(model)} cannot go on a FROM line; pass one line, such as llama3.2.`,
    );
  }
}

/**
 * Reads a prompt and throws a PromptError when it has errors. The error lists the first 200
 * error diagnostics and quotes the first one in its message.
 */
export function readValidPrompt(format: PromptFormat, content: string): AnalyzedPrompt {
  const analyzed = analyzePrompt(format, content);
  const { diagnostics } = analyzed.sink.toResult(Number.MAX_SAFE_INTEGER);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const first = errors[0];
  if (first) {
    const count = errors.length > 1 ? `${errors.length} errors` : '1 error';
    throw new PromptError(
      'invalid_prompt',
      `The ${format} prompt has ${count}; fix ${errors.length > 1 ? 'them' : 'it'} first. ` +
        `Line ${first.line}, column ${first.column}: ${first.message}`,
      { diagnostics: errors.slice(0, DEFAULT_MAX_DIAGNOSTICS) },
    );
  }
  return analyzed;
}

interface WriteContext {
  source: AnalyzedPrompt;
  options: ConvertOptions;
  warnings: ConversionWarning[];
}

function write(
  to: PromptFormat,
  messages: PromptMessage[],
  { source, options, warnings }: WriteContext,
): string {
  if (to === 'openai') {
    return writeOpenAI(messages, warnings);
  }
  if (to === 'ollama') {
    if (options.model === undefined) {
      warn(
        warnings,
        'placeholder-model',
        `The Modelfile's FROM line names ${PLACEHOLDER_MODEL}; replace it with the base model, ` +
          'such as llama3.2.',
      );
    }
    return writeModelfile(messages, options.model ?? PLACEHOLDER_MODEL);
  }
  const names = [...new Set(source.uses.map((use) => use.name))];
  return writeCustom(messages, names);
}

/**
 * Reads the output back and warns about each message that does not come back as written, such
 * as text with a line that reads as a `## @role` heading.
 */
function checkReadBack(
  to: PromptFormat,
  output: string,
  messages: readonly PromptMessage[],
  warnings: ConversionWarning[],
): void {
  const readBack = analyzePrompt(to, output).document.messages;
  const count = Math.max(messages.length, readBack.length);
  for (let index = 0; index < count; index++) {
    const expected = messages[index];
    const actual = readBack[index];
    if (!expected || !actual || messageKey(expected, to) !== messageKey(actual, to)) {
      warn(
        warnings,
        'read-back-differs',
        `Message ${index + 1} does not read back from the ${to} output as it was written, ` +
          'because its text looks like the layout of that format; check it by hand.',
      );
      return;
    }
  }
}

/** Returns a comparable form of a message, where blank lines around custom text do not count. */
export function messageKey(message: PromptMessage, format: PromptFormat): string {
  const text = contentText(message.content);
  return JSON.stringify({
    role: message.role,
    text: format === 'custom' ? text.replace(/^(?:[ \t]*\n)+|(?:\n[ \t]*)+$/g, '') : text,
    name: message.name ?? null,
    toolCallId: message.toolCallId ?? null,
    toolCalls: message.toolCalls ?? [],
  });
}
