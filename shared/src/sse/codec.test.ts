import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut, randomChunks, singleUnits } from '../testing/chunking.js';
import {
  encodeSseComment,
  encodeSseEvent,
  isDoneSentinel,
  SseEventTooLongError,
  SseParser,
  type SseEvent,
} from './codec.js';

const encoder = new TextEncoder();

function parseAll(chunks: (string | Uint8Array)[]): SseEvent[] {
  const parser = new SseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

const message = (data: string, extra: Partial<SseEvent> = {}): SseEvent => ({
  event: 'message',
  data,
  ...extra,
});

/** Streams with the events they must produce, whole and however they are cut. */
const cases: [string, string, SseEvent[]][] = [
  [
    'one event',
    'event: content\ndata: {"text":"hi"}\n\n',
    [{ event: 'content', data: '{"text":"hi"}' }],
  ],
  ['no event name', 'data: x\n\n', [message('x')]],
  ['two events', 'data: a\n\ndata: b\n\n', [message('a'), message('b')]],
  [
    'event type reset after dispatch',
    'event: a\ndata: 1\n\ndata: 2\n\n',
    [{ event: 'a', data: '1' }, message('2')],
  ],
  ['multi-line data', 'data: a\ndata: b\ndata: c\n\n', [message('a\nb\nc')]],
  ['empty data lines kept', 'data:\ndata: b\ndata:\n\n', [message('\nb\n')]],
  ['empty data value', 'data:\n\n', [message('')]],
  ['field without colon', 'data\n\n', [message('')]],
  ['event field without colon', 'event: a\nevent\ndata: x\n\n', [message('x')]],
  ['LF lines', 'event: usage\ndata: 1\n\n', [{ event: 'usage', data: '1' }]],
  ['CRLF lines', 'event: usage\r\ndata: 1\r\n\r\n', [{ event: 'usage', data: '1' }]],
  ['CR lines', 'event: usage\rdata: 1\r\r', [{ event: 'usage', data: '1' }]],
  ['mixed line endings', 'data: a\rdata: b\r\ndata: c\n\r\n', [message('a\nb\nc')]],
  ['CR CR is two line endings', 'data: a\r\rdata: b\r\r', [message('a'), message('b')]],
  ['LF CR is two line endings', 'data: a\n\rdata: b\n\n', [message('a'), message('b')]],
  ['comment before the first event', ': hello\ndata: x\n\n', [message('x')]],
  [
    'comment between events',
    'data: a\n\n: keep-alive\n\ndata: b\n\n',
    [message('a'), message('b')],
  ],
  [
    'comment inside an event',
    'event: e\n: ping\ndata: a\n:\ndata: b\n\n',
    [{ event: 'e', data: 'a\nb' }],
  ],
  ['comment after the last event', 'data: x\n\n: bye\n', [message('x')]],
  ['only comments', ':a\n:b\r\n:\r\n\n', []],
  ['no space after colon', 'event:done\ndata:{}\n\n', [{ event: 'done', data: '{}' }]],
  ['only one leading space removed', 'data:  x\n\n', [message(' x')]],
  ['tab after colon kept', 'data:\tx\n\n', [message('\tx')]],
  ['trailing spaces kept', 'data: x  \n\n', [message('x  ')]],
  ['colon inside the value', 'data: a: b:c\n\n', [message('a: b:c')]],
  ['event without data dropped', 'event: ping\n\n', []],
  [
    'empty block dispatches nothing',
    'event: ping\nid: 3\n\n\n\ndata: x\n\n',
    [message('x', { id: '3' })],
  ],
  ['unknown field ignored', 'foo: bar\ndata: x\nbar\n\n', [message('x')]],
  ['field names are case-sensitive', 'Data: a\nEVENT: b\ndata: x\n\n', [message('x')]],
  [
    'field name with a suffix ignored',
    'datum: a\ndata2: b\nevents: c\ndata: x\n\n',
    [message('x')],
  ],
  ['space before the colon ignored', 'data : a\ndata: x\n\n', [message('x')]],
  ['id', 'id: 7\ndata: x\n\n', [message('x', { id: '7' })]],
  [
    'id kept for later events',
    'id: 7\ndata: a\n\ndata: b\n\n',
    [message('a', { id: '7' }), message('b', { id: '7' })],
  ],
  [
    'id with NUL ignored',
    'id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n',
    [message('a', { id: '1' }), message('b', { id: '1' })],
  ],
  [
    'empty id resets it',
    'id: 1\ndata: a\n\nid\ndata: b\n\n',
    [message('a', { id: '1' }), message('b')],
  ],
  ['retry', 'retry: 1500\ndata: x\n\n', [message('x', { retry: 1500 })]],
  [
    'retry kept for later events',
    'retry: 10\ndata: a\n\nretry: x\ndata: b\n\n',
    [message('a', { retry: 10 }), message('b', { retry: 10 })],
  ],
  ['retry with letters ignored', 'retry: soon\ndata: x\n\n', [message('x')]],
  ['retry with a sign ignored', 'retry: -5\ndata: x\n\n', [message('x')]],
  ['retry with a decimal ignored', 'retry: 1.5\ndata: x\n\n', [message('x')]],
  ['retry with two spaces ignored', 'retry:  15\ndata: x\n\n', [message('x')]],
  ['empty retry ignored', 'retry:\ndata: x\n\n', [message('x')]],
  ['leading BOM dropped', '\uFEFFdata: x\n\n', [message('x')]],
  ['only the first BOM dropped', '\uFEFF\uFEFFdata: x\n\ndata: y\n\n', [message('y')]],
  ['BOM after the start kept', 'data: a\n\n\uFEFFdata: b\n\n', [message('a')]],
  ['BOM inside data kept', 'data: \uFEFFx\n\n', [message('\uFEFFx')]],
  ['NUL inside data kept', 'data: a\0b\n\n', [message('a\0b')]],
  ['two-byte characters', 'data: café, naïve\n\n', [message('café, naïve')]],
  ['three-byte characters', 'event: 思考\ndata: 思考中…\n\n', [{ event: '思考', data: '思考中…' }]],
  ['four-byte characters', 'id: 🔑\ndata: 😀🚀\n\n', [message('😀🚀', { id: '🔑' })]],
  ['last event flushed without a blank line', 'data: x\n', [message('x')]],
  ['last line without a line ending', 'event: done\ndata: {}', [{ event: 'done', data: '{}' }]],
  ['last line ending with CR', 'data: x\r', [message('x')]],
  ['unterminated event without data', 'data: x\n\nevent: a', [message('x')]],
  ['unterminated comment', 'data: x\n\n: bye', [message('x')]],
  ['empty stream', '', []],
  ['blank lines only', '\n\r\n\r', []],
  ['DONE sentinel', 'data: {"a":1}\n\ndata: [DONE]\n\n', [message('{"a":1}'), message('[DONE]')]],
  [
    'OpenAI-style chunks',
    ': OPENROUTER PROCESSING\n\n' +
      'data: {"choices":[{"delta":{"reasoning_content":"因为"}}]}\n\n' +
      'data: {"choices":[{"delta":{"content":"<think>a\\nb</think>"}}]}\r\n\r\n' +
      'data: [DONE]\n\n',
    [
      message('{"choices":[{"delta":{"reasoning_content":"因为"}}]}'),
      message('{"choices":[{"delta":{"content":"<think>a\\nb</think>"}}]}'),
      message('[DONE]'),
    ],
  ],
];

describe('SSE parser', () => {
  for (const [name, stream, expected] of cases) {
    const bytes = encoder.encode(stream);

    test(`parses ${name}`, () => {
      assert.deepEqual(parseAll([bytes]), expected, 'bytes in one chunk');
      assert.deepEqual(parseAll([stream]), expected, 'text in one chunk');
    });

    test(`parses ${name} cut at every byte`, () => {
      const whole = parseAll([bytes]);
      for (const { offset, chunks } of everyCut(bytes)) {
        const events = parseAll(chunks);
        assert.deepEqual(events, whole, `cut at byte ${offset}, against one chunk`);
        assert.deepEqual(events, expected, `cut at byte ${offset}`);
      }
    });

    test(`parses ${name} in random chunks`, () => {
      const whole = parseAll([bytes]);
      const chunkings = [singleUnits(bytes)];
      for (let seed = 1; seed <= 30; seed++) {
        chunkings.push(randomChunks(bytes, seed, { min: 1, max: 6 }));
      }
      for (const [index, chunks] of chunkings.entries()) {
        const events = parseAll(chunks);
        assert.deepEqual(events, whole, `chunking ${index}, against one chunk`);
        assert.deepEqual(events, expected, `chunking ${index}`);
      }
    });

    test(`parses ${name} as text cut at every offset`, () => {
      for (const { offset, chunks } of everyCut(stream)) {
        assert.deepEqual(parseAll(chunks), expected, `cut at ${offset}`);
      }
      assert.deepEqual(parseAll(singleUnits(stream)), expected, 'one code unit at a time');
    });
  }

  test('returns events as soon as their blank line arrives', () => {
    const parser = new SseParser();

    assert.deepEqual(parser.push(encoder.encode('data: a\n')), []);
    assert.deepEqual(parser.push(encoder.encode('\nda')), [message('a')]);
    assert.deepEqual(parser.push(encoder.encode('ta: b\r')), []);
    assert.deepEqual(parser.push(encoder.encode('\r')), [message('b')]);
    assert.deepEqual(parser.end(), []);
  });

  test('CR then LF in the next chunk is one line ending', () => {
    const parser = new SseParser();

    assert.deepEqual(parser.push('data: a\r'), []);
    assert.deepEqual(parser.push('\ndata: b\r'), []);
    assert.deepEqual(parser.push('\n\r\n'), [message('a\nb')]);
  });

  test('empty chunk keeps a pending CR', () => {
    assert.deepEqual(parseAll(['data: x\r', '', '\ndata: y\n\n']), [message('x\ny')]);
    const bytes = [encoder.encode('data: x\r'), new Uint8Array(0), encoder.encode('\ndata: y\n\n')];
    assert.deepEqual(parseAll(bytes), [message('x\ny')]);
  });

  test('character cut at the end becomes U+FFFD', () => {
    const bytes = encoder.encode('data: 思');

    assert.deepEqual(parseAll([bytes.subarray(0, bytes.length - 1)]), [message('\uFFFD')]);
  });

  test('invalid UTF-8 becomes U+FFFD', () => {
    const bytes = Uint8Array.of(...encoder.encode('data: a'), 0xff, ...encoder.encode('b\n\n'));

    assert.deepEqual(parseAll([bytes]), [message('a\uFFFDb')]);
  });

  test('text after a cut character ends it', () => {
    const bytes = encoder.encode('data: é');

    assert.deepEqual(parseAll([bytes.subarray(0, bytes.length - 1), 'x\n\n']), [
      message('\uFFFDx'),
    ]);
  });

  test('long line in small chunks stays linear', () => {
    // Rescanning the held part of a line on every push made this take tens of seconds.
    const value = 'x'.repeat(1_000_000);
    const stream = `data: ${value}\n\n`;
    const started = performance.now();
    const events = parseAll(randomChunks(stream, 1, { min: 32, max: 96 }));
    const elapsedMs = performance.now() - started;

    assert.equal(events.length, 1);
    assert.equal(events[0]?.data, value);
    assert.ok(elapsedMs < 2000, `took ${Math.round(elapsedMs)} ms`);
  });

  test('encode then parse round-trips', () => {
    const payloads: unknown[] = [
      { text: 'a\nb' },
      'line1\r\nline2',
      'line1\rline2',
      { nested: { list: [1, 2] } },
      '',
    ];
    for (const payload of payloads) {
      const [event] = parseAll([encoder.encode(encodeSseEvent('content', payload, '3'))]);
      const expected =
        typeof payload === 'string' ? payload.replace(/\r\n|\r/g, '\n') : JSON.stringify(payload);
      assert.equal(event?.event, 'content');
      assert.equal(event?.data, expected);
      assert.equal(event?.id, '3');
    }
  });

  test('encoded id loses line breaks and NUL', () => {
    assert.equal(encodeSseEvent('a', 'x', '1\n2\0'), 'event: a\nid: 12\ndata: x\n\n');
  });

  test('recognises the DONE sentinel', () => {
    assert.equal(isDoneSentinel(message('[DONE]')), true);
    assert.equal(isDoneSentinel(message(' [DONE] ')), true);
    assert.equal(isDoneSentinel(message('{"done":true}')), false);
    assert.equal(isDoneSentinel(message('[DONE]x')), false);
  });

  test('encoded comment is ignored', () => {
    assert.deepEqual(parseAll([encodeSseComment('ping\nx'), encodeSseEvent('done', {})]), [
      { event: 'done', data: '{}' },
    ]);
  });

  test('encode rejects a line break in the type', () => {
    assert.throws(() => encodeSseEvent('a\nb', {}), /must not contain a line break/);
  });
});

describe('SseParser maxEventLength', () => {
  test('long line without an end throws', () => {
    const parser = new SseParser({ maxEventLength: 100 });
    parser.push('data: ' + 'x'.repeat(50));

    assert.throws(() => parser.push('y'.repeat(60)), SseEventTooLongError);
  });

  test('many data lines without a blank line throw', () => {
    const parser = new SseParser({ maxEventLength: 100 });
    parser.push('data: ' + 'x'.repeat(40) + '\n');
    parser.push('data: ' + 'x'.repeat(40) + '\n');

    assert.throws(() => parser.push('data: ' + 'x'.repeat(40) + '\n'), {
      name: 'SseEventTooLongError',
      message: 'A stream event grew past 100 characters without ending.',
    });
  });

  test('events under the limit pass one after another', () => {
    const parser = new SseParser({ maxEventLength: 100 });
    const events = [];
    for (let index = 0; index < 10; index += 1) {
      events.push(...parser.push('data: ' + 'x'.repeat(80) + '\n\n'));
    }

    assert.equal(events.length, 10);
  });
});
