import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut, randomChunks, singleUnits } from '../testing/chunking.js';
import {
  ReasoningSplitter,
  type ReasoningSplitterOptions,
  type TextPart,
} from './reasoningSplitter.js';

function split(chunks: string[], options?: ReasoningSplitterOptions): TextPart[] {
  const splitter = new ReasoningSplitter(options);
  return merge([...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()]);
}

/** Joins adjacent parts of one kind, which separate pushes return separately. */
function merge(parts: TextPart[]): TextPart[] {
  const merged: TextPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (last?.kind === part.kind) {
      last.text += part.text;
    } else {
      merged.push({ ...part });
    }
  }
  return merged;
}

const reasoning = (text: string): TextPart => ({ kind: 'reasoning', text });
const content = (text: string): TextPart => ({ kind: 'content', text });
const templateSentTag: ReasoningSplitterOptions = { startInReasoning: true };

/** Streams with the parts they must produce, whole and however they are cut. */
const cases: [string, string, TextPart[], ReasoningSplitterOptions?][] = [
  ['plain answer', 'Hello there', [content('Hello there')]],
  ['empty stream', '', []],
  ['think block then answer', '<think>plan</think>Answer', [reasoning('plan'), content('Answer')]],
  ['thinking tag', '<thinking>plan</thinking>Answer', [reasoning('plan'), content('Answer')]],
  [
    'text before the block',
    'Sure. <think>x</think>done',
    [content('Sure. '), reasoning('x'), content('done')],
  ],
  [
    'two blocks',
    '<think>a</think>b<think>c</think>d',
    [reasoning('a'), content('b'), reasoning('c'), content('d')],
  ],
  [
    'think and thinking blocks',
    '<thinking>a</thinking>b<think>c</think>',
    [reasoning('a'), content('b'), reasoning('c')],
  ],
  ['adjacent blocks', '<think>a</think><think>b</think>', [reasoning('ab')]],
  ['ends inside a block', 'ok <think>still going', [content('ok '), reasoning('still going')]],
  ['ends right after the opening tag', 'ok <think>', [content('ok ')]],
  ['ends inside a closing tag', '<think>abc</thi', [reasoning('abc</thi')]],
  ['ends inside a thinking closing tag', '<thinking>a</think', [reasoning('a</think')]],
  ['empty block', '<think></think>Answer', [content('Answer')]],
  ['less-than in the answer', 'if a < b and c <d> then', [content('if a < b and c <d> then')]],
  ['less-than at the end', 'a <', [content('a <')]],
  ['less-than before a tag', 'a <<think>x</think>', [content('a <'), reasoning('x')]],
  ['partial tag at the end', 'answer <thin', [content('answer <thin')]],
  ['partial thinking tag at the end', 'answer <thinkin', [content('answer <thinkin')]],
  ['almost a tag', '<thin>x</thin> <think', [content('<thin>x</thin> <think')]],
  ['think followed by letters', 'a <thinker> b', [content('a <thinker> b')]],
  ['thinking followed by letters', 'a <thinkingly> b', [content('a <thinkingly> b')]],
  ['tag with a space', '< think>a</think>', [content('< think>a</think>')]],
  ['upper-case tag', '<THINK>a</THINK>', [content('<THINK>a</THINK>')]],
  ['tag with attributes', '<think id="1">a</think>', [content('<think id="1">a</think>')]],
  ['less-than inside reasoning', '<think>a<b</think>c', [reasoning('a<b'), content('c')]],
  [
    'almost a closing tag inside reasoning',
    '<think>a</thinker></thi</think>c',
    [reasoning('a</thinker></thi'), content('c')],
  ],
  ['closing tag without an opening one', 'x</think>y', [content('x</think>y')]],
  ['thinking closing tag alone', '</thinking>y', [content('</thinking>y')]],
  [
    'nested-looking blocks',
    '<think>a<think>b</think>c</think>d',
    [reasoning('a<think>b'), content('c</think>d')],
  ],
  [
    'other closing tag inside a thinking block',
    '<thinking>a</think>b</thinking>c',
    [reasoning('a</think>b'), content('c')],
  ],
  [
    'other closing tag inside a think block',
    '<think>a</thinking>b</think>c',
    [reasoning('a</thinking>b'), content('c')],
  ],
  ['unicode around tags', '<think>思考…</think>答案', [reasoning('思考…'), content('答案')]],
  ['emoji around tags', '😀<think>🤔</think>🚀', [content('😀'), reasoning('🤔'), content('🚀')]],
  [
    'newlines kept around blocks',
    '<think>\nplan\n</think>\n\nAnswer',
    [reasoning('\nplan\n'), content('\n\nAnswer')],
  ],
  [
    'template sent the opening tag',
    'plan</think>Answer',
    [reasoning('plan'), content('Answer')],
    templateSentTag,
  ],
  [
    'template case ending with thinking',
    'plan</thinking>Answer',
    [reasoning('plan'), content('Answer')],
    templateSentTag,
  ],
  [
    'template case with the tag anyway',
    '<think>plan</think>Answer',
    [reasoning('plan'), content('Answer')],
    templateSentTag,
  ],
  [
    'template case with the tag after whitespace',
    '\n <think>plan</think>Answer',
    [reasoning('plan'), content('Answer')],
    templateSentTag,
  ],
  [
    'template case with a thinking tag',
    '<thinking>a</think>b</thinking>c',
    [reasoning('a</think>b'), content('c')],
    templateSentTag,
  ],
  [
    'template case keeps leading whitespace',
    '\n\nplan</think>Answer',
    [reasoning('\n\nplan'), content('Answer')],
    templateSentTag,
  ],
  [
    'template case with a later opening tag',
    'a<think>b</think>c',
    [reasoning('a<think>b'), content('c')],
    templateSentTag,
  ],
  ['template case with an empty block', '</think>Answer', [content('Answer')], templateSentTag],
  ['template case ending early', 'only plan', [reasoning('only plan')], templateSentTag],
  ['template case ending in whitespace', '\n ', [reasoning('\n ')], templateSentTag],
  ['template case ending in a partial tag', '\n<thin', [reasoning('\n<thin')], templateSentTag],
  ['template case with think letters', '<thinker>x', [reasoning('<thinker>x')], templateSentTag],
  [
    'template case with a less-than',
    'a < b</think>c',
    [reasoning('a < b'), content('c')],
    templateSentTag,
  ],
  [
    'template case then a new block',
    'a</think>b<think>c</think>d',
    [reasoning('a'), content('b'), reasoning('c'), content('d')],
    templateSentTag,
  ],
];

describe('reasoning splitter', () => {
  for (const [name, stream, expected, options] of cases) {
    test(`splits ${name}`, () => {
      assert.deepEqual(split([stream], options), expected);
    });

    test(`splits ${name} cut at every offset`, () => {
      const whole = split([stream], options);
      for (const { offset, chunks } of everyCut(stream)) {
        const parts = split(chunks, options);
        assert.deepEqual(parts, whole, `cut at ${offset}, against one chunk`);
        assert.deepEqual(parts, expected, `cut at ${offset}`);
      }
    });

    test(`splits ${name} in random chunks`, () => {
      const whole = split([stream], options);
      const chunkings = [singleUnits(stream)];
      for (let seed = 1; seed <= 30; seed++) {
        chunkings.push(randomChunks(stream, seed, { min: 1, max: 7 }));
      }
      for (const [index, chunks] of chunkings.entries()) {
        const parts = split(chunks, options);
        assert.deepEqual(parts, whole, `chunking ${index}, against one chunk`);
        assert.deepEqual(parts, expected, `chunking ${index}`);
      }
    });
  }

  test('streams answer text without waiting for the end', () => {
    const splitter = new ReasoningSplitter();

    assert.deepEqual(splitter.push('<think>a'), [reasoning('a')]);
    assert.deepEqual(splitter.push('b</th'), [reasoning('b')]);
    assert.deepEqual(splitter.push('ink>Hel'), [content('Hel')]);
    assert.deepEqual(splitter.push('lo <'), [content('lo ')]);
    assert.deepEqual(splitter.push('3'), [content('<3')]);
    assert.deepEqual(splitter.end(), []);
  });

  test('holds a partial tag until it resolves', () => {
    const splitter = new ReasoningSplitter();

    assert.deepEqual(splitter.push('a <thin'), [content('a ')]);
    assert.deepEqual(splitter.push('ke'), [content('<thinke')]);
    assert.deepEqual(splitter.push('<thin'), []);
    assert.deepEqual(splitter.end(), [content('<thin')]);
  });

  test('returns parts of both kinds from one chunk', () => {
    const splitter = new ReasoningSplitter();

    assert.deepEqual(splitter.push('a<think>b</think>c<think>d'), [
      content('a'),
      reasoning('b'),
      content('c'),
      reasoning('d'),
    ]);
  });

  test('template case waits for a possible tag', () => {
    const splitter = new ReasoningSplitter(templateSentTag);

    assert.deepEqual(splitter.push('\n<th'), []);
    assert.deepEqual(splitter.push('ink>plan'), [reasoning('plan')]);
    assert.deepEqual(splitter.push('</think>ok'), [content('ok')]);
  });
});
