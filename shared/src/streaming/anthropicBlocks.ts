// Content blocks of an Anthropic Messages response, put together from `content_block_start`,
// `content_block_delta` and `content_block_stop` events that name their block by index.

/**
 * A finished reasoning block. Anthropic signs each thinking block and expects it back unchanged,
 * signature included, in later turns; a redacted block carries only opaque encrypted data.
 */
export type AnthropicReasoningBlock =
  { type: 'thinking'; text: string; signature: string | null } | { type: 'redacted'; data: string };

/** What a block event adds to the response, in the order it should reach the caller. */
export type AnthropicBlockUpdate =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  | { type: 'reasoning-block'; block: AnthropicReasoningBlock };

/** The `content_block` of a `content_block_start` event, or one block of a whole message. */
export interface AnthropicContentBlock {
  type: string;
  text?: unknown;
  thinking?: unknown;
  signature?: unknown;
  data?: unknown;
}

/** The `delta` of a `content_block_delta` event. */
export interface AnthropicBlockDelta {
  type: string;
  text?: unknown;
  thinking?: unknown;
  signature?: unknown;
}

/** A block event that does not fit the blocks seen so far, such as a delta for no open block. */
export class AnthropicBlockError extends Error {
  override name = 'AnthropicBlockError';
}

type OpenBlock =
  | { type: 'thinking'; text: string; signature: string }
  | { type: 'redacted'; data: string }
  | { type: 'text' }
  /** Tool use and server-tool blocks: their deltas are accepted and dropped. */
  | { type: 'other' };

function stringOrEmpty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Collects the blocks of one message by index. Thinking text and text are passed on as their
 * deltas arrive. A thinking block's signature deltas are joined, and the block comes out whole at
 * its `content_block_stop`, as does a redacted block.
 */
export class AnthropicBlockAccumulator {
  private readonly open = new Map<number, OpenBlock>();
  private readonly finished: AnthropicReasoningBlock[] = [];

  /** Opens the block at `index`; a start that already holds text passes that text on. */
  start(index: number, block: AnthropicContentBlock): AnthropicBlockUpdate[] {
    if (this.open.has(index)) {
      throw new AnthropicBlockError(`Content block ${index} was started twice.`);
    }
    switch (block.type) {
      case 'thinking': {
        const text = stringOrEmpty(block.thinking);
        this.open.set(index, { type: 'thinking', text, signature: stringOrEmpty(block.signature) });
        return text === '' ? [] : [{ type: 'reasoning', text }];
      }
      case 'redacted_thinking':
        this.open.set(index, { type: 'redacted', data: stringOrEmpty(block.data) });
        return [];
      case 'text': {
        this.open.set(index, { type: 'text' });
        const text = stringOrEmpty(block.text);
        return text === '' ? [] : [{ type: 'content', text }];
      }
      default:
        this.open.set(index, { type: 'other' });
        return [];
    }
  }

  /** Applies one delta to the open block at `index`. */
  delta(index: number, delta: AnthropicBlockDelta): AnthropicBlockUpdate[] {
    const block = this.open.get(index);
    if (block === undefined) {
      throw new AnthropicBlockError(
        `A ${delta.type} arrived for content block ${index}, which is not open.`,
      );
    }
    if (delta.type === 'thinking_delta' && block.type === 'thinking') {
      const text = stringOrEmpty(delta.thinking);
      block.text += text;
      return text === '' ? [] : [{ type: 'reasoning', text }];
    }
    if (delta.type === 'signature_delta' && block.type === 'thinking') {
      block.signature += stringOrEmpty(delta.signature);
      return [];
    }
    if (delta.type === 'text_delta' && block.type === 'text') {
      const text = stringOrEmpty(delta.text);
      return text === '' ? [] : [{ type: 'content', text }];
    }
    if (block.type === 'other') {
      return [];
    }
    throw new AnthropicBlockError(
      `A ${delta.type} does not belong in content block ${index}, which is a ${block.type} block.`,
    );
  }

  /** Closes the block at `index`; a thinking or redacted block comes out whole. */
  stop(index: number): AnthropicBlockUpdate[] {
    const block = this.open.get(index);
    if (block === undefined) {
      throw new AnthropicBlockError(`Content block ${index} was stopped but is not open.`);
    }
    this.open.delete(index);
    let finished: AnthropicReasoningBlock;
    if (block.type === 'thinking') {
      const signature = block.signature === '' ? null : block.signature;
      finished = { type: 'thinking', text: block.text, signature };
    } else if (block.type === 'redacted') {
      finished = { type: 'redacted', data: block.data };
    } else {
      return [];
    }
    this.finished.push(finished);
    return [{ type: 'reasoning-block', block: finished }];
  }

  /** The reasoning blocks closed so far, in the order they closed. */
  get reasoningBlocks(): readonly AnthropicReasoningBlock[] {
    return this.finished;
  }

  /** Runs the blocks of a whole (not streamed) message through start and stop. */
  static fromContent(content: readonly AnthropicContentBlock[]): AnthropicBlockUpdate[] {
    const accumulator = new AnthropicBlockAccumulator();
    return content.flatMap((block, index) => [
      ...accumulator.start(index, block),
      ...accumulator.stop(index),
    ]);
  }
}
