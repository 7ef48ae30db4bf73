/**
 * Separates inline reasoning from the reply in streamed model text. Models such as DeepSeek R1
 * and Qwen 3 put their reasoning between `<think>` and `</think>` (some use `<thinking>`) in the
 * same text stream as the reply. The splitter works on chunks cut anywhere, including inside a
 * tag, and passes a `<` that does not start a tag through unchanged.
 */

/** A run of text classified as reasoning or reply content. */
export interface TextPart {
  kind: 'reasoning' | 'content';
  text: string;
}

export interface ReasoningSplitterOptions {
  /**
   * Starts inside a reasoning block, for models whose chat template already sent the opening
   * tag, so the stream holds only `...</think>answer`. An opening tag that still arrives first is
   * dropped.
   */
  startInReasoning?: boolean;
}

const OPEN_TAGS = ['<think>', '<thinking>'] as const;
const CLOSE_TAGS = ['</think>', '</thinking>'] as const;

/** Incremental splitter; feed chunks with `push` and call `end` once the stream is over. */
export class ReasoningSplitter {
  private inReasoning: boolean;
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
    this.pending += chunk;
    this.scan(false);
    return this.take();
  }

  /** Flushes held-back text. A stream that ends inside a block ends its reasoning there. */
  end(): TextPart[] {
    this.scan(true);
    return this.take();
  }

  private scan(final: boolean): void {
    let text = this.pending;
    for (;;) {
      if (this.expectOptionalOpen) {
        const trimmed = text.replace(/^\s+/, '');
        const open = OPEN_TAGS.find((tag) => trimmed.startsWith(tag));
        if (open !== undefined) {
          text = trimmed.slice(open.length);
          this.expectOptionalOpen = false;
          continue;
        }
        if (!final && OPEN_TAGS.some((tag) => tag.startsWith(trimmed))) {
          break;
        }
        this.expectOptionalOpen = false;
      }
      const tags = this.inReasoning ? CLOSE_TAGS : OPEN_TAGS;
      const lt = text.indexOf('<');
      if (lt === -1) {
        this.emit(text);
        text = '';
        break;
      }
      this.emit(text.slice(0, lt));
      text = text.slice(lt);
      const tag = tags.find((candidate) => text.startsWith(candidate));
      if (tag !== undefined) {
        text = text.slice(tag.length);
        this.inReasoning = !this.inReasoning;
        continue;
      }
      if (!final && tags.some((candidate) => candidate.startsWith(text))) {
        break;
      }
      this.emit('<');
      text = text.slice(1);
    }
    this.pending = final ? '' : text;
    if (final && text !== '') {
      this.emit(text);
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
