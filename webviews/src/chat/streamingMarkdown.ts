import { renderMarkdown } from './markdown.js';

/** Longest tail that is still syntax-highlighted on every frame; longer ones wait for the end. */
const HIGHLIGHT_LIMIT = 16_000;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})\s*$/;

/**
 * Renders Markdown that only grows, as a streaming answer does, without parsing the whole text
 * each frame. Text up to the last block boundary is rendered once into its own element and left
 * alone; only the tail after it is parsed again on each update. A boundary is the start of a
 * line that follows a blank line outside a fenced code block and starts in column 1, so that an
 * indented list continuation is not cut from its item.
 *
 * NOTE: a block rendered on its own can differ from the whole text rendered at once, for example
 * a loose list split in two or a reference link defined further down. The final message is
 * rendered whole when the stream ends, which corrects that.
 */
export class StreamingMarkdown {
  /** Length of the text rendered into finished blocks. */
  private committed = 0;
  /** Start of the first line not scanned for boundaries yet. */
  private scanned = 0;
  /** The last boundary found, at the start of a line. */
  private boundary = 0;
  /** The opening fence, such as ```, while the scan is inside a fenced block. */
  private fence: string | undefined;
  private previousLineBlank = false;
  private readonly tail: HTMLElement;

  constructor(private readonly container: HTMLElement) {
    this.tail = document.createElement('div');
    this.tail.className = 'markdown-tail';
    container.append(this.tail);
  }

  /** Renders `text`, which must start with the text of the previous call. */
  update(text: string): void {
    this.scan(text);
    if (this.boundary > this.committed) {
      const block = document.createElement('div');
      block.className = 'markdown-block';
      block.innerHTML = renderMarkdown(text.slice(this.committed, this.boundary));
      this.tail.before(block);
      this.committed = this.boundary;
    }
    const tail = text.slice(this.committed);
    this.tail.innerHTML = renderMarkdown(tail, { highlight: tail.length <= HIGHLIGHT_LIMIT });
  }

  /** Scans the complete lines that arrived since the previous call for block boundaries. */
  private scan(text: string): void {
    for (;;) {
      const end = text.indexOf('\n', this.scanned);
      if (end === -1) {
        // The first character of a line still arriving is enough to place a boundary before it.
        if (
          this.fence === undefined &&
          this.previousLineBlank &&
          /^\S/.test(text.slice(this.scanned))
        ) {
          this.boundary = this.scanned;
        }
        return;
      }
      const line = text.slice(this.scanned, end);
      if (this.fence === undefined) {
        if (this.previousLineBlank && /^\S/.test(line)) {
          this.boundary = this.scanned;
        }
        this.fence = FENCE_OPEN.exec(line)?.[1];
      } else {
        const close = FENCE_CLOSE.exec(line)?.[1];
        if (
          close !== undefined &&
          close[0] === this.fence[0] &&
          close.length >= this.fence.length
        ) {
          this.fence = undefined;
        }
      }
      this.previousLineBlank = this.fence === undefined && line.trim() === '';
      this.scanned = end + 1;
    }
  }
}
