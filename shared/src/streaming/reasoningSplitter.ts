/**
 * Separates inline reasoning from the reply in streamed model text. Models such as DeepSeek R1
 * and Qwen 3 put their reasoning between `<think>` and `</think>` (some use `<thinking>` and
 * `</thinking>`) in the same text stream as the reply. The splitter works on chunks cut anywhere,
 * including inside a tag, and passes a `<` that does not start a tag through unchanged.
 *
 * Tags are matched exactly and case-sensitively. Blocks do not nest: inside a block only the
 * closing tag that matches its opening tag ends it, and other tags are reasoning text. A closing
 * tag outside a block is reply text.
 */

/** A run of text classified as reasoning or reply content. */
export interface TextPart {
  kind: 'reasoning' | 'content';
  text: string;
}

export interface ReasoningSplitterOptions {
  /**
   * Starts inside a reasoning block, for models whose chat template already sent the opening
   * tag, so the stream holds only `...</think>answer`. An opening tag that still arrives first,
   * after optional whitespace, is dropped with that whitespace. Until then either closing tag
   * ends the block.
   */
  startInReasoning?: boolean;
}

/** Each opening tag with the closing tag that ends its block. */
const TAG_PAIRS = [
  ['<think>', '</think>'],
  ['<thinking>', '</thinking>'],
] as const;
const OPEN_TAGS: readonly string[] = TAG_PAIRS.map(([open]) => open);
const CLOSE_TAGS: readonly string[] = TAG_PAIRS.map(([, close]) => close);

/** Incremental splitter for one stream. Feed chunks with `push` and call `end` once it is over. */
export class ReasoningSplitter {
  private inReasoning: boolean;
  /** Tags that end the current block: its matching closing tag, or both before one is known. */
  private closeTags: readonly string[] = CLOSE_TAGS;
  private expectOptionalOpen: boolean;
  /** Text held back because it may be the start of a tag. */
  private pending = '';
  private parts: TextPart[] = [];

  constructor(options: ReasoningSplitterOptions = {}) {
    this.inReasoning = options.startInReasoning === true;
    this.expectOptionalOpen = this.inReasoning;
  }

  /** Splits a chunk; returns the parts it completed, adjacent parts of one kind merged. */
  push(chunk: string): TextPart[] {
    // Most chunks are a token or two with no `<`, which need no scan.
    if (this.pending === '' && !this.expectOptionalOpen && !chunk.includes('<')) {
      return chunk === ''
        ? []
        : [{ kind: this.inReasoning ? 'reasoning' : 'content', text: chunk }];
    }
    this.pending += chunk;
    this.scan(false);
    return this.take();
  }

  /**
   * Flushes held-back text, so a partial tag such as `<thin` at the very end comes out as text. A
   * stream that ends inside a block ends its reasoning there.
   */
  end(): TextPart[] {
    this.scan(true);
    return this.take();
  }

  private scan(final: boolean): void {
    const text = this.pending;
    let position = 0;
    for (;;) {
      if (this.expectOptionalOpen) {
        const afterSpace = skipWhitespace(text, position);
        const open = tagAt(text, afterSpace, OPEN_TAGS);
        if (open !== undefined) {
          position = afterSpace + open.length;
          this.closeTags = closeTagsFor(open);
          this.expectOptionalOpen = false;
          continue;
        }
        if (!final && isPartialTag(text, afterSpace, OPEN_TAGS)) {
          break;
        }
        this.expectOptionalOpen = false;
      }

      const lessThan = text.indexOf('<', position);
      if (lessThan === -1) {
        this.emit(text.slice(position));
        position = text.length;
        break;
      }
      this.emit(text.slice(position, lessThan));
      position = lessThan;

      const tags = this.inReasoning ? this.closeTags : OPEN_TAGS;
      const tag = tagAt(text, position, tags);
      if (tag !== undefined) {
        position += tag.length;
        this.toggle(tag);
        continue;
      }
      if (!final && isPartialTag(text, position, tags)) {
        break;
      }
      this.emit('<');
      position += 1;
    }
    this.pending = text.slice(position);
  }

  private toggle(tag: string): void {
    if (this.inReasoning) {
      this.inReasoning = false;
      this.closeTags = CLOSE_TAGS;
    } else {
      this.inReasoning = true;
      this.closeTags = closeTagsFor(tag);
    }
  }

  private emit(text: string): void {
    if (text === '') {
      return;
    }
    const kind = this.inReasoning ? 'reasoning' : 'content';
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.kind === kind) {
      last.text += text;
    } else {
      this.parts.push({ kind, text });
    }
  }

  private take(): TextPart[] {
    const parts = this.parts;
    this.parts = [];
    return parts;
  }
}

/** Returns the closing tag that ends a block opened with `open`, as a one-element list. */
function closeTagsFor(open: string): readonly string[] {
  return TAG_PAIRS.filter((pair) => pair[0] === open).map(([, close]) => close);
}

/** Returns the tag among `tags` that starts at `position`, if any. */
function tagAt(text: string, position: number, tags: readonly string[]): string | undefined {
  return tags.find((tag) => text.startsWith(tag, position));
}

/** Returns whether the text from `position` to its end is a proper prefix of one of `tags`. */
function isPartialTag(text: string, position: number, tags: readonly string[]): boolean {
  const rest = text.slice(position);
  return tags.some((tag) => rest.length < tag.length && tag.startsWith(rest));
}

function skipWhitespace(text: string, position: number): number {
  const match = /\S/.exec(text.slice(position));
  return match === null ? text.length : position + match.index;
}
