import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ReasoningSplitter,
  type ReasoningSplitterOptions,
  type TextPart,
} from './reasoningSplitter.js';

function split(chunks: string[], options?: ReasoningSplitterOptions): TextPart[] {
  const splitter = new ReasoningSplitter(options);
  return merge([...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()]);
}

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

/** Cuts text into random chunks with a seeded generator, so failures reproduce. */
function randomChunks(text: string, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const chunks: string[] = [];
  let index = 0;
  while (index < text.length) {
    const size = 1 + Math.floor(next() * 7);
    chunks.push(text.slice(index, index + size));
    index += size;
  }
  return chunks;
}

const reasoning = (text: string): TextPart => ({ kind: 'reasoning', text });
const content = (text: string): TextPart => ({ kind: 'content', text });

const cases: [string, string, TextPart[], ReasoningSplitterOptions?][] = [
  ['plain answer', 'Hello there', [content('Hello there')]],
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
  ['ends inside a block', 'ok <think>still going', [content('ok '), reasoning('still going')]],
  ['less-than in the answer', 'if a < b and c <d> then', [content('if a < b and c <d> then')]],
  ['almost a tag', '<thin>x</thin> <think', [content('<thin>x</thin> <think')]],
  ['less-than inside reasoning', '<think>a<b</think>c', [reasoning('a<b'), content('c')]],
  ['closing tag in the answer stays', 'x</think>y', [content('x</think>y')]],
  ['unicode around tags', '<think>思考…</think>答案', [reasoning('思考…'), content('答案')]],
  ['empty block', '<think></think>Answer', [content('Answer')]],
  [
    'template sent the opening tag',
    'plan</think>Answer',
    [reasoning('plan'), content('Answer')],
    { startInReasoning: true },
  ],
  [
    'template case with the tag anyway',
    '\n<think>plan</think>Answer',
    [reasoning('plan'), content('Answer')],
    { startInReasoning: true },
  ],
  ['template case ending early', 'only plan', [reasoning('only plan')], { startInReasoning: true }],
  [
    'template case with a less-than',
    'a < b</think>c',
    [reasoning('a < b'), content('c')],
    { startInReasoning: true },
  ],
];

describe('reasoning splitter', () => {
  for (const [name, stream, expected, options] of cases) {
    test(`splits ${name}`, () => {
      assert.deepEqual(split([stream], options), expected);
    });

    test(`splits ${name} cut at every offset`, () => {
      for (let cut = 0; cut <= stream.length; cut++) {
        assert.deepEqual(
          split([stream.slice(0, cut), stream.slice(cut)], options),
          expected,
          `cut ${cut}`,
        );
      }
    });

    test(`splits ${name} in random chunks`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        assert.deepEqual(split(randomChunks(stream, seed), options), expected, `seed ${seed}`);
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
});
