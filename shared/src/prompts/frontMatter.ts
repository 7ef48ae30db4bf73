import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { DiagnosticSink, OffsetFix } from './diagnostics.js';
import type { PromptMetadata } from './document.js';
import {
  declarationFix,
  readVariableList,
  yamlSpan,
  type VariablesEntry,
} from './frontMatterVariables.js';
import { closestMatch, didYouMean } from './suggest.js';
import { lineEndAt, nextLineStart } from './text.js';
import type { DeclaredVariable } from './variables.js';

/** The offsets of a front-matter block: its delimiter lines and the YAML between them. */
export interface FrontMatterBlock {
  yamlStart: number;
  yamlEnd: number;
  /** Start of the closing `---` line. */
  closeStart: number;
  /** Start of the body after the closing line. */
  bodyStart: number;
}

/** The declarations of a front matter; `declared` is undefined when the YAML is not readable. */
export interface FrontMatter {
  metadata: PromptMetadata;
  declared?: DeclaredVariable[];
  declareFix: (name: string) => OffsetFix | undefined;
}

const KNOWN_KEYS = ['name', 'category', 'description', 'variables'];
const TEXT_KEYS = ['name', 'category', 'description'] as const;

/**
 * Finds a front-matter block: a `---` line at the very top, then YAML, then a `---` or `...`
 * line. Reports a block that is never closed and returns undefined for it.
 */
export function findFrontMatter(text: string, sink: DiagnosticSink): FrontMatterBlock | undefined {
  const firstLineEnd = lineEndAt(text, 0);
  if (text.slice(0, firstLineEnd).trimEnd() !== '---') {
    return undefined;
  }
  const yamlStart = nextLineStart(text, firstLineEnd);
  let lineStart = yamlStart;
  while (lineStart < text.length) {
    const lineEnd = lineEndAt(text, lineStart);
    const line = text.slice(lineStart, lineEnd).trimEnd();
    if (line === '---' || line === '...') {
      return {
        yamlStart,
        yamlEnd: lineStart,
        closeStart: lineStart,
        bodyStart: nextLineStart(text, lineEnd),
      };
    }
    lineStart = nextLineStart(text, lineEnd);
  }
  sink.error(
    'unclosed-front-matter',
    { start: 0, end: firstLineEnd },
    'The front matter that starts here is never closed; end it with a line of --- before the ' +
      'prompt text.',
  );
  return undefined;
}

/** Reads the front matter's keys and declared variables, reporting problems at their spans. */
export function readFrontMatter(
  text: string,
  block: FrontMatterBlock,
  sink: DiagnosticSink,
): FrontMatter {
  const source = text.slice(block.yamlStart, block.yamlEnd);
  const result: FrontMatter = {
    metadata: {},
    declareFix: (name) => declarationFix(text, block, undefined, name),
  };
  const contents = parseYaml(source, block.yamlStart, sink);
  if (contents === undefined) {
    return result;
  }
  if (contents === null) {
    result.declared = [];
    return result;
  }
  const context: FrontMatterContext = { text, block, sink };
  if (!isMap(contents)) {
    sink.error(
      'front-matter-not-map',
      yamlSpan(contents, context),
      'Front matter must be YAML keys such as "name:" and "variables:", not a list or a ' +
        'single value.',
    );
    return result;
  }
  readKeys(contents, context, result);
  return result;
}

/** Parses the YAML, returning its root node, null when empty, or undefined when invalid. */
function parseYaml(
  source: string,
  base: number,
  sink: DiagnosticSink,
): YamlNode | null | undefined {
  let document;
  try {
    document = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof RangeError)) {
      throw error;
    }
    sink.error(
      'invalid-yaml',
      { start: base, end: base },
      'Front matter is nested too deeply to read; flatten it.',
    );
    return undefined;
  }
  for (const problem of document.errors) {
    const [start, end] = problem.pos;
    const last = lastContentOffset(source);
    sink.error(
      'invalid-yaml',
      { start: base + Math.min(start, last), end: base + Math.min(Math.max(end, start), last) },
      `Front matter is not valid YAML: ${lowerFirst(problem.message)}.`,
    );
  }
  if (document.errors.length > 0) {
    return undefined;
  }
  return document.contents;
}

/** The text, block and sink that reading one front matter shares. */
export interface FrontMatterContext {
  text: string;
  block: FrontMatterBlock;
  sink: DiagnosticSink;
}

function readKeys(map: YAMLMap, context: FrontMatterContext, result: FrontMatter): void {
  const { text, block, sink } = context;
  let variables: VariablesEntry | undefined;
  for (const pair of map.items) {
    const key = pair.key as YamlNode | null;
    const value = pair.value as YamlNode | null;
    if (!isScalar(key) || typeof key.value !== 'string') {
      sink.error(
        'invalid-key',
        yamlSpan(key, context),
        'Front matter keys must be plain words such as "name".',
      );
      continue;
    }
    const name = key.value;
    const span = yamlSpan(key, context);
    if ((TEXT_KEYS as readonly string[]).includes(name)) {
      readTextKey(name as (typeof TEXT_KEYS)[number], value, context, result.metadata);
    } else if (name === 'variables') {
      variables = { keyEnd: span.end, node: value };
    } else {
      reportUnknownKey(name, span, sink);
    }
  }
  const read = readVariableList(variables, context);
  result.declared = read?.declared;
  if (read?.declarations) {
    result.metadata.variables = read.declarations;
  }
  result.declareFix = (variableName) => declarationFix(text, block, variables, variableName);
}

function readTextKey(
  name: (typeof TEXT_KEYS)[number],
  value: YamlNode | null,
  context: FrontMatterContext,
  metadata: PromptMetadata,
): void {
  if (value === null || (isScalar(value) && value.value === null)) {
    return;
  }
  if (!isScalar(value) || typeof value.value !== 'string') {
    context.sink.error(
      'invalid-type',
      yamlSpan(value, context),
      `"${name}" must be text${isSeq(value) || isMap(value) ? '' : '; put the value in quotes'}.`,
    );
    return;
  }
  metadata[name] = value.value;
}

function reportUnknownKey(
  name: string,
  span: { start: number; end: number },
  sink: DiagnosticSink,
): void {
  const suggestion = closestMatch(name, KNOWN_KEYS);
  sink.warning(
    'unknown-key',
    span,
    `Unknown front matter key "${name}"; the known keys are ${KNOWN_KEYS.join(', ')}.` +
      didYouMean(suggestion),
    suggestion === undefined
      ? undefined
      : {
          title: `Rename to "${suggestion}"`,
          edits: [{ start: span.start, end: span.end, newText: suggestion }],
        },
  );
}

/**
 * Returns the offset after the last character that is not a line break. An error at the end of
 * the YAML is shown there, not on the closing `---` line.
 */
function lastContentOffset(source: string): number {
  return source.replace(/(?:\r\n|\r|\n)+$/, '').length;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1).replace(/\.$/, '');
}
