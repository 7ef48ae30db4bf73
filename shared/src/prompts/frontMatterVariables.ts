import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import type { OffsetEdit, OffsetFix, Span } from './diagnostics.js';
import type { FrontMatterBlock, FrontMatterContext } from './frontMatter.js';
import { closestMatch, didYouMean } from './suggest.js';
import { lineBreakOf, lineEndAt, lineStartAt, nextLineStart } from './text.js';
import type { VariableDeclaration } from './types.js';
import { VARIABLE_NAME, type DeclaredVariable } from './variables.js';

/** The `variables` key of the front matter: where its key ends and its value node. */
export interface VariablesEntry {
  keyEnd: number;
  node: YamlNode | null;
}

interface ReadVariable {
  variable: DeclaredVariable;
  declaration: VariableDeclaration;
}

const ENTRY_KEYS = ['name', 'description', 'default'];

/** Words YAML reads as booleans or null, which a declared name must quote. */
const YAML_KEYWORDS = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

/**
 * Returns the span of a YAML node in the whole text, without the line breaks that end it. YAML
 * ranges count from the start of the block.
 */
export function yamlSpan(node: YamlNode | null | undefined, context: FrontMatterContext): Span {
  const base = context.block.yamlStart;
  const [start, end] = node?.range ?? [0, 0];
  let trimmed = base + end;
  while (trimmed > base + start && /\s/.test(context.text[trimmed - 1] ?? '')) {
    trimmed--;
  }
  return { start: base + start, end: trimmed };
}

/**
 * Reads the `variables` list: names, or entries with name, description and default. Returns
 * undefined when the value is not a list, so that no declaration checks run on a guess.
 */
export function readVariableList(
  entry: VariablesEntry | undefined,
  context: FrontMatterContext,
): { declared: DeclaredVariable[]; declarations?: VariableDeclaration[] } | undefined {
  if (!entry) {
    return { declared: [] };
  }
  const { node } = entry;
  if (node === null || (isScalar(node) && node.value === null)) {
    return { declared: [], declarations: [] };
  }
  if (!isSeq(node)) {
    context.sink.error(
      'invalid-type',
      yamlSpan(node, context),
      '"variables" must be a list of names, or of entries with name, description and default.',
    );
    return undefined;
  }
  const declared: DeclaredVariable[] = [];
  const declarations: VariableDeclaration[] = [];
  for (const item of node.items as (YamlNode | null)[]) {
    const read = readItem(item, node, context);
    if (read) {
      reportDuplicate(read.variable, declared, context);
      declared.push(read.variable);
      declarations.push(read.declaration);
    }
  }
  return { declared, declarations };
}

function readItem(
  item: YamlNode | null,
  list: YAMLSeq,
  context: FrontMatterContext,
): ReadVariable | undefined {
  const span = yamlSpan(item, context);
  const removal = list.flow ? undefined : removeLines(context.text, span);
  if (isScalar(item) && typeof item.value === 'string') {
    const name = checkName(item, context);
    return name === undefined
      ? undefined
      : { variable: declaredAt(name, span, removal), declaration: { name } };
  }
  if (isMap(item)) {
    return readEntry(item, context, removal);
  }
  context.sink.error(
    'invalid-type',
    span,
    'Each variable is a name, or an entry with name, description and default.',
  );
  return undefined;
}

function declaredAt(name: string, span: Span, removal: OffsetEdit | undefined): DeclaredVariable {
  return { name, start: span.start, end: span.end, ...(removal ? { removal } : {}) };
}

function readEntry(
  map: YAMLMap,
  context: FrontMatterContext,
  removal: OffsetEdit | undefined,
): ReadVariable | undefined {
  const declaration: VariableDeclaration = { name: '' };
  let nameNode: YamlNode | undefined;
  for (const pair of map.items) {
    const key = pair.key as YamlNode | null;
    const value = pair.value as YamlNode | null;
    const keyName = isScalar(key) ? String(key.value) : '';
    const text = isScalar(value) ? scalarText(value.value) : undefined;
    const isString = isScalar(value) && typeof value.value === 'string';
    if (keyName === 'name' && isString) {
      nameNode = value;
    } else if (keyName === 'description' && isString) {
      declaration.description = text;
    } else if (keyName === 'default' && text !== undefined) {
      declaration.default = text;
    } else if (ENTRY_KEYS.includes(keyName)) {
      const span = yamlSpan(value ?? key, context);
      context.sink.error('invalid-type', span, `Variable "${keyName}" must be text.`);
    } else {
      reportUnknownEntryKey(keyName, yamlSpan(key, context), context);
    }
  }
  if (!nameNode) {
    const { start } = yamlSpan(map, context);
    context.sink.error(
      'missing-field',
      { start, end: start + 1 },
      'This variable has no "name"; add "name:" with the variable name.',
    );
    return undefined;
  }
  const name = checkName(nameNode, context);
  return name === undefined
    ? undefined
    : {
        variable: declaredAt(name, yamlSpan(nameNode, context), removal),
        declaration: { ...declaration, name },
      };
}

/** Returns a YAML scalar value as text, or undefined for null and non-scalar values. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return undefined;
}

function reportUnknownEntryKey(keyName: string, span: Span, context: FrontMatterContext): void {
  const suggestion = closestMatch(keyName, ENTRY_KEYS);
  context.sink.warning(
    'unknown-key',
    span,
    `Unknown variable key "${keyName}"; a variable has name, description and default.` +
      didYouMean(suggestion),
    suggestion === undefined
      ? undefined
      : { title: `Rename to "${suggestion}"`, edits: [{ ...span, newText: suggestion }] },
  );
}

function checkName(node: YamlNode, context: FrontMatterContext): string | undefined {
  const name = isScalar(node) ? (scalarText(node.value) ?? '') : '';
  if (VARIABLE_NAME.test(name)) {
    return name;
  }
  context.sink.error(
    'invalid-variable-name',
    yamlSpan(node, context),
    `Variable name "${name}" is invalid: a name starts with a letter or "_" and contains only ` +
      'letters, digits, "_", "." and "-".',
  );
  return undefined;
}

function reportDuplicate(
  variable: DeclaredVariable,
  declared: DeclaredVariable[],
  { sink }: FrontMatterContext,
): void {
  const earlier = declared.find((other) => other.name === variable.name);
  if (earlier && variable.start !== undefined) {
    sink.warning(
      'duplicate-variable',
      { start: variable.start, end: variable.end ?? variable.start },
      `Variable "${variable.name}" is already declared on line ` +
        `${sink.lineOf(earlier.start ?? 0)}; remove one of them.`,
      variable.removal
        ? { title: `Remove this "${variable.name}"`, edits: [variable.removal] }
        : undefined,
    );
  }
}

/** Returns an edit that deletes the whole lines a span is on. */
function removeLines(text: string, span: Span): OffsetEdit {
  const lastContent = trimBack(text, span.start, span.end);
  return {
    start: lineStartAt(text, span.start),
    end: nextLineStart(text, lineEndAt(text, lastContent)),
    newText: '',
  };
}

/** Returns the offset just after the last non-whitespace character before `end`. */
function trimBack(text: string, start: number, end: number): number {
  let index = end;
  while (index > start && /\s/.test(text[index - 1] ?? '')) {
    index--;
  }
  return Math.max(start, index - 1);
}

/** Returns the fix that adds `name` to the front matter's variables list. */
export function declarationFix(
  text: string,
  block: FrontMatterBlock,
  entry: VariablesEntry | undefined,
  name: string,
): OffsetFix | undefined {
  const yamlName = YAML_KEYWORDS.test(name) ? `"${name}"` : name;
  const eol = lineBreakOf(text);
  const title = `Declare "${name}" in the front matter`;
  const insert = (at: number, newText: string): OffsetFix => ({
    title,
    edits: [{ start: at, end: at, newText }],
  });
  if (!entry) {
    return insert(block.closeStart, `variables:${eol}  - ${yamlName}${eol}`);
  }
  const { node } = entry;
  if (node === null || (isScalar(node) && node.value === null)) {
    return insert(lineEndAt(text, entry.keyEnd), `${eol}  - ${yamlName}`);
  }
  if (!isSeq(node) || !node.range) {
    return undefined;
  }
  const base = block.yamlStart;
  if (node.flow) {
    const close = base + node.range[1] - 1;
    return text[close] === ']'
      ? insert(close, node.items.length > 0 ? `, ${yamlName}` : yamlName)
      : undefined;
  }
  const dash = base + node.range[0];
  const indent = text.slice(lineStartAt(text, dash), dash);
  const after = nextLineStart(text, lineEndAt(text, trimBack(text, dash, base + node.range[1])));
  return insert(after, `${indent}- ${yamlName}${eol}`);
}
