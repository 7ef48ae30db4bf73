import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  encodeSseComment,
  encodeSseEvent,
  isDoneSentinel,
  SseParser,
  type SseEvent,
} from './codec.js';

function parseAll(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe('SSE codec', () => {
  const cases: [string, string, SseEvent[]][] = [
    [
      'one event',
      'event: content\ndata: {"text":"hi"}\n\n',
      [{ event: 'content', data: '{"text":"hi"}' }],
    ],
    ['no event name', 'data: x\n\n', [{ event: 'message', data: 'x' }]],
    ['multi-line data', 'data: a\ndata: b\n\n', [{ event: 'message', data: 'a\nb' }]],
    ['CRLF lines', 'event: usage\r\ndata: 1\r\n\r\n', [{ event: 'usage', data: '1' }]],
    ['CR lines', 'event: usage\rdata: 1\r\r', [{ event: 'usage', data: '1' }]],
    ['comment ignored', ': keep-alive\n\ndata: x\n\n', [{ event: 'message', data: 'x' }]],
    ['no space after colon', 'event:done\ndata:{}\n\n', [{ event: 'done', data: '{}' }]],
    ['two spaces keep one', 'data:  x\n\n', [{ event: 'message', data: ' x' }]],
    ['field without colon', 'data\n\n', [{ event: 'message', data: '' }]],
    ['event without data dropped', 'event: ping\n\n', []],
    ['unknown field ignored', 'foo: bar\ndata: x\n\n', [{ event: 'message', data: 'x' }]],
    ['leading BOM dropped', '\uFEFFdata: x\n\n', [{ event: 'message', data: 'x' }]],
    [
      'id and retry',
      'id: 7\nretry: 1500\ndata: x\n\n',
      [{ event: 'message', data: 'x', id: '7', retry: 1500 }],
    ],
    ['bad retry ignored', 'retry: soon\ndata: x\n\n', [{ event: 'message', data: 'x' }]],
    ['last event flushed at the end', 'data: x\n', [{ event: 'message', data: 'x' }]],
    ['last line without newline', 'event: done\ndata: {}', [{ event: 'done', data: '{}' }]],
    [
      'DONE sentinel',
      'data: {"a":1}\n\ndata: [DONE]\n\n',
      [
        { event: 'message', data: '{"a":1}' },
        { event: 'message', data: '[DONE]' },
      ],
    ],
    [
      'comment between data lines',
      'data: a\n: ping\ndata: b\n\n',
      [{ event: 'message', data: 'a\nb' }],
    ],
    ['multibyte text', 'data: 思考中…\n\n', [{ event: 'message', data: '思考中…' }]],
  ];

  for (const [name, stream, expected] of cases) {
    test(`parses ${name}`, () => {
      assert.deepEqual(parseAll([stream]), expected);
    });

    test(`parses ${name} cut at every offset`, () => {
      for (let cut = 0; cut <= stream.length; cut++) {
        const events = parseAll([stream.slice(0, cut), stream.slice(cut)]);
        assert.deepEqual(events, expected, `cut at ${cut}`);
      }
    });
  }

  test('parses one character at a time', () => {
    const stream = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r: c\n\ndata: 3\n\n';
    const events = parseAll([...stream]);

    assert.deepEqual(events, [
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  test('empty chunk keeps a pending CR', () => {
    assert.deepEqual(parseAll(['data: x\r', '', '\ndata: y\n\n']), [
      { event: 'message', data: 'x\ny' },
    ]);
  });

  test('encode then parse round-trips', () => {
    const payloads: unknown[] = [
      { text: 'a\nb' },
      'line1\r\nline2',
      { nested: { list: [1, 2] } },
      '',
    ];
    for (const payload of payloads) {
      const [event] = parseAll([encodeSseEvent('content', payload, '3')]);
      const expected =
        typeof payload === 'string' ? payload.replace(/\r\n/g, '\n') : JSON.stringify(payload);
      assert.equal(event?.event, 'content');
      assert.equal(event?.data, expected);
      assert.equal(event?.id, '3');
    }
  });

  test('recognises the DONE sentinel', () => {
    assert.equal(isDoneSentinel({ event: 'message', data: '[DONE]' }), true);
    assert.equal(isDoneSentinel({ event: 'message', data: '{"done":true}' }), false);
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
