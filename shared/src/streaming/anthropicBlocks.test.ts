import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnthropicBlockAccumulator,
  AnthropicBlockError,
  type AnthropicBlockDelta,
  type AnthropicBlockUpdate,
  type AnthropicContentBlock,
} from './anthropicBlocks.js';

/** One block event as the stream sends it, without the SSE framing. */
type BlockEvent =
  | ['start', number, AnthropicContentBlock]
  | ['delta', number, AnthropicBlockDelta]
  | ['stop', number];

function run(events: BlockEvent[]): AnthropicBlockUpdate[] {
  const accumulator = new AnthropicBlockAccumulator();
  return events.flatMap((event) => {
    switch (event[0]) {
      case 'start':
        return accumulator.start(event[1], event[2]);
      case 'delta':
        return accumulator.delta(event[1], event[2]);
      case 'stop':
        return accumulator.stop(event[1]);
    }
  });
}

const thinkingStart: AnthropicContentBlock = { type: 'thinking', thinking: '', signature: '' };
const textStart: AnthropicContentBlock = { type: 'text', text: '' };

function thinking(text: string): AnthropicBlockDelta {
  return { type: 'thinking_delta', thinking: text };
}

function signature(piece: string): AnthropicBlockDelta {
  return { type: 'signature_delta', signature: piece };
}

function text(piece: string): AnthropicBlockDelta {
  return { type: 'text_delta', text: piece };
}

describe('Anthropic block accumulator', () => {
  const cases: [string, BlockEvent[], AnthropicBlockUpdate[]][] = [
    [
      'text only',
      [
        ['start', 0, textStart],
        ['delta', 0, text('Hel')],
        ['delta', 0, text('lo')],
        ['stop', 0],
      ],
      [
        { type: 'content', text: 'Hel' },
        { type: 'content', text: 'lo' },
      ],
    ],
    [
      'one thinking block with its signature',
      [
        ['start', 0, thinkingStart],
        ['delta', 0, thinking('Let me ')],
        ['delta', 0, thinking('think.')],
        ['delta', 0, signature('sig-0')],
        ['stop', 0],
        ['start', 1, textStart],
        ['delta', 1, text('Done.')],
        ['stop', 1],
      ],
      [
        { type: 'reasoning', text: 'Let me ' },
        { type: 'reasoning', text: 'think.' },
        {
          type: 'reasoning-block',
          block: { type: 'thinking', text: 'Let me think.', signature: 'sig-0' },
        },
        { type: 'content', text: 'Done.' },
      ],
    ],
    [
      'signature in several deltas',
      [
        ['start', 0, thinkingStart],
        ['delta', 0, thinking('a')],
        ['delta', 0, signature('abc')],
        ['delta', 0, signature('def')],
        ['stop', 0],
      ],
      [
        { type: 'reasoning', text: 'a' },
        { type: 'reasoning-block', block: { type: 'thinking', text: 'a', signature: 'abcdef' } },
      ],
    ],
    [
      'several thinking blocks keep their own signatures',
      [
        ['start', 0, thinkingStart],
        ['delta', 0, thinking('first')],
        ['delta', 0, signature('sig-first')],
        ['stop', 0],
        ['start', 1, thinkingStart],
        ['delta', 1, thinking('second')],
        ['delta', 1, signature('sig-second')],
        ['stop', 1],
      ],
      [
        { type: 'reasoning', text: 'first' },
        {
          type: 'reasoning-block',
          block: { type: 'thinking', text: 'first', signature: 'sig-first' },
        },
        { type: 'reasoning', text: 'second' },
        {
          type: 'reasoning-block',
          block: { type: 'thinking', text: 'second', signature: 'sig-second' },
        },
      ],
    ],
    [
      'interleaved deltas of two open blocks',
      [
        ['start', 0, thinkingStart],
        ['start', 1, thinkingStart],
        ['delta', 1, thinking('B')],
        ['delta', 0, thinking('A')],
        ['delta', 1, signature('sig-B')],
        ['delta', 0, signature('sig-A')],
        ['stop', 1],
        ['stop', 0],
      ],
      [
        { type: 'reasoning', text: 'B' },
        { type: 'reasoning', text: 'A' },
        { type: 'reasoning-block', block: { type: 'thinking', text: 'B', signature: 'sig-B' } },
        { type: 'reasoning-block', block: { type: 'thinking', text: 'A', signature: 'sig-A' } },
      ],
    ],
    [
      'redacted block gives data and no reasoning text',
      [
        ['start', 0, { type: 'redacted_thinking', data: 'opaque==' }],
        ['stop', 0],
        ['start', 1, textStart],
        ['delta', 1, text('Hi')],
        ['stop', 1],
      ],
      [
        { type: 'reasoning-block', block: { type: 'redacted', data: 'opaque==' } },
        { type: 'content', text: 'Hi' },
      ],
    ],
    [
      'thinking block without a signature',
      [
        ['start', 0, thinkingStart],
        ['delta', 0, thinking('cut')],
        ['stop', 0],
      ],
      [
        { type: 'reasoning', text: 'cut' },
        { type: 'reasoning-block', block: { type: 'thinking', text: 'cut', signature: null } },
      ],
    ],
    [
      'text carried by the start event',
      [
        ['start', 0, { type: 'text', text: 'Hi' }],
        ['stop', 0],
      ],
      [{ type: 'content', text: 'Hi' }],
    ],
    [
      'tool use block and its deltas dropped',
      [
        ['start', 0, { type: 'tool_use' }],
        ['delta', 0, { type: 'input_json_delta' }],
        ['stop', 0],
        ['start', 1, textStart],
        ['delta', 1, text('ok')],
        ['stop', 1],
      ],
      [{ type: 'content', text: 'ok' }],
    ],
    [
      'empty deltas dropped',
      [
        ['start', 0, textStart],
        ['delta', 0, text('')],
        ['stop', 0],
      ],
      [],
    ],
  ];

  for (const [name, events, expected] of cases) {
    test(`handles ${name}`, () => {
      assert.deepEqual(run(events), expected);
    });
  }

  test('keeps closed reasoning blocks in order', () => {
    const accumulator = new AnthropicBlockAccumulator();
    accumulator.start(0, thinkingStart);
    accumulator.delta(0, thinking('x'));
    accumulator.delta(0, signature('s'));
    accumulator.stop(0);
    accumulator.start(1, { type: 'redacted_thinking', data: 'd' });
    accumulator.stop(1);

    assert.deepEqual(accumulator.reasoningBlocks, [
      { type: 'thinking', text: 'x', signature: 's' },
      { type: 'redacted', data: 'd' },
    ]);
  });

  test('reads a whole message', () => {
    const updates = AnthropicBlockAccumulator.fromContent([
      { type: 'thinking', thinking: 'plan', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'answer' },
    ]);

    assert.deepEqual(updates, [
      { type: 'reasoning', text: 'plan' },
      { type: 'reasoning-block', block: { type: 'thinking', text: 'plan', signature: 'sig' } },
      { type: 'reasoning-block', block: { type: 'redacted', data: 'opaque' } },
      { type: 'content', text: 'answer' },
    ]);
  });

  const bad: [string, BlockEvent[], RegExp][] = [
    ['delta for no open block', [['delta', 3, text('x')]], /block 3, which is not open/],
    ['stop for no open block', [['stop', 2]], /block 2 was stopped but is not open/],
    [
      'block started twice',
      [
        ['start', 0, textStart],
        ['start', 0, textStart],
      ],
      /started twice/,
    ],
    [
      'text delta in a thinking block',
      [
        ['start', 0, thinkingStart],
        ['delta', 0, text('x')],
      ],
      /text_delta does not belong in content block 0, which is a thinking block/,
    ],
    [
      'delta after the stop',
      [
        ['start', 0, textStart],
        ['stop', 0],
        ['delta', 0, text('late')],
      ],
      /not open/,
    ],
  ];

  for (const [name, events, message] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => run(events),
        (error: unknown) => error instanceof AnthropicBlockError && message.test(error.message),
      );
    });
  }
});
