import type { Node } from 'jsonc-parser';
import type { DiagnosticSink, Span } from './diagnostics.js';
import { closestMatch, didYouMean } from './suggest.js';

/** An object property: its key node, its value node and its name. */
export interface JsonProperty {
  name: string;
  key: Node;
  value: Node;
}

/** Returns the span of a node. */
export function nodeSpan(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** Returns the span of an object's opening brace, where problems with the whole object go. */
export function openingBrace(node: Node): Span {
  return { start: node.offset, end: node.offset + 1 };
}

/** Returns the span of a whole property, key through value. */
export function propertySpan(property: JsonProperty): Span {
  return { start: property.key.offset, end: property.value.offset + property.value.length };
}

/**
 * The properties of one JSON object node, read into a Map so that names such as `__proto__`
 * stay plain keys, with checks that report to the sink. `owner` names the object in messages,
 * such as "user message 2". A repeated name is reported, and the last value wins, as in
 * JSON.parse.
 */
export class JsonObject {
  readonly properties = new Map<string, JsonProperty>();

  constructor(
    readonly node: Node,
    readonly sink: DiagnosticSink,
    public owner: string,
  ) {
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key?.type === 'string' && value !== undefined) {
        this.add({ name: String(key.value), key, value });
      }
    }
  }

  private add(property: JsonProperty): void {
    const earlier = this.properties.get(property.name);
    if (earlier) {
      this.sink.warning(
        'duplicate-key',
        nodeSpan(property.key),
        `"${property.name}" appears twice in this object, on line ` +
          `${this.sink.lineOf(earlier.key.offset)} and here; only the last one counts, so ` +
          'remove one of them.',
      );
    }
    this.properties.set(property.name, property);
  }

  get(name: string): JsonProperty | undefined {
    return this.properties.get(name);
  }

  has(name: string): boolean {
    return this.properties.has(name);
  }

  /** Returns a string property's value node, reporting it when it has another type. */
  string(name: string): Node | undefined {
    const property = this.properties.get(name);
    if (!property) {
      return undefined;
    }
    if (property.value.type !== 'string') {
      reportType(property.value, this.sink, `"${name}" of ${this.owner}`, 'a string');
      return undefined;
    }
    return property.value;
  }

  /** Returns a required string property, reporting it at `anchor` when it is missing. */
  requiredString(name: string, anchor: Span = openingBrace(this.node)): Node | undefined {
    if (!this.properties.has(name)) {
      this.sink.error(
        'missing-field',
        anchor,
        `${capitalize(this.owner)} has no "${name}"; add "${name}" with a string value.`,
      );
      return undefined;
    }
    return this.string(name);
  }

  /** Returns a required object property, reporting it when it is missing or not an object. */
  requiredObject(name: string, anchor: Span = openingBrace(this.node)): Node | undefined {
    const property = this.properties.get(name);
    if (!property) {
      this.sink.error(
        'missing-field',
        anchor,
        `${capitalize(this.owner)} has no "${name}"; add "${name}" with an object value.`,
      );
      return undefined;
    }
    if (property.value.type !== 'object') {
      reportType(property.value, this.sink, `"${name}" of ${this.owner}`, 'an object');
      return undefined;
    }
    return property.value;
  }

  /**
   * Warns about properties outside `allowed`, suggesting a close known name with a fix that
   * renames the key. `kind` names the kind of object, such as "user messages", and `elsewhere`
   * explains a name that belongs to another kind.
   */
  checkUnknownFields(
    allowed: readonly string[],
    kind: string,
    elsewhere?: (name: string) => string | undefined,
  ): void {
    for (const { name, key } of this.properties.values()) {
      if (allowed.includes(name)) {
        continue;
      }
      const explanation = elsewhere?.(name);
      const suggestion = explanation ? undefined : closestMatch(name, allowed);
      const message = explanation
        ? `"${name}" is not a field of ${kind}: ${explanation}`
        : `Unknown field "${name}" in ${kind}; OpenAI rejects or ignores it.` +
          (suggestion ? didYouMean(suggestion) : ` Known fields: ${allowed.join(', ')}.`);
      const fix =
        suggestion === undefined
          ? undefined
          : {
              title: `Rename to "${suggestion}"`,
              edits: [{ ...nodeSpan(key), newText: JSON.stringify(suggestion) }],
            };
      this.sink.warning('unknown-field', nodeSpan(key), message, fix);
    }
  }
}

/** Names a node's JSON type with its article, for messages: "a number". */
export function describeType(node: Node): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'null';
  }
}

/** Reports a node whose type is not the expected one. */
export function reportType(
  node: Node,
  sink: DiagnosticSink,
  subject: string,
  expected: string,
): void {
  sink.error(
    'invalid-type',
    nodeSpan(node),
    `${subject} must be ${expected}, not ${describeType(node)}.`,
  );
}

/** Reports a string node whose value is not one of `allowed`, with a fix for a close match. */
export function checkEnum(
  node: Node,
  allowed: readonly string[],
  sink: DiagnosticSink,
  subject: string,
): string | undefined {
  const value = String(node.value);
  if (allowed.includes(value)) {
    return value;
  }
  const suggestion = closestMatch(value, allowed);
  sink.error(
    'invalid-value',
    nodeSpan(node),
    `${capitalize(subject)} "${value}" is not valid; use one of ${allowed.join(', ')}.` +
      didYouMean(suggestion),
    suggestion === undefined
      ? undefined
      : {
          title: `Change to "${suggestion}"`,
          edits: [{ ...nodeSpan(node), newText: JSON.stringify(suggestion) }],
        },
  );
  return undefined;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
