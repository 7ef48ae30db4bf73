import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatMessageStatus, ChatReasoningBlock } from '../../../shared/src/api/chat.js';
import { buildHistory, estimateTokens, promptBudget, type HistoryMessage } from './history.js';

const user = (content: string): HistoryMessage => ({
  role: 'user',
  content,
  reasoning: null,
  reasoningBlocks: null,
  status: 'complete',
});

const assistant = (
  content: string,
  extra: {
    status?: ChatMessageStatus;
    reasoning?: string;
    reasoningBlocks?: ChatReasoningBlock[];
  } = {},
): HistoryMessage => ({
  role: 'assistant',
  content,
  reasoning: extra.reasoning ?? null,
  reasoningBlocks: extra.reasoningBlocks ?? null,
  status: extra.status ?? 'complete',
});

const noBudget = { systemPrompt: null, budgetTokens: null };

describe('estimateTokens', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['abc', 1],
    ['abcd', 1],
    ['abcde', 2],
    ['x'.repeat(400), 100],
  ];
  for (const [text, expected] of cases) {
    test(`${text.length} characters`, () => {
      assert.equal(estimateTokens(text), expected);
    });
  }
});

describe('promptBudget', () => {
  test('context minus max tokens', () => {
    assert.equal(promptBudget(128_000, 8192), 119_808);
  });

  test('unknown context length', () => {
    assert.equal(promptBudget(null, 8192), null);
  });

  test('never below zero', () => {
    assert.equal(promptBudget(4096, 8192), 0);
  });
});

describe('buildHistory', () => {
  test('alternating turns kept in order', () => {
    const built = buildHistory(
      [user('one'), assistant('two'), user('three'), assistant('four'), user('five')],
      noBudget,
    );

    assert.deepEqual(
      built.turns.map((turn) => [turn.role, turn.content]),
      [
        ['user', 'one'],
        ['assistant', 'two'],
        ['user', 'three'],
        ['assistant', 'four'],
        ['user', 'five'],
      ],
    );
    assert.equal(built.info.sentMessages, 5);
    assert.equal(built.info.trimmedTurns, 0);
    assert.equal(built.info.budgetTokens, null);
  });

  test('earlier reasoning passed on', () => {
    const blocks: ChatReasoningBlock[] = [
      { type: 'thinking', text: 'think', signature: 'sig' },
      { type: 'redacted', data: 'opaque' },
    ];
    const built = buildHistory(
      [user('q'), assistant('a', { reasoning: 'think', reasoningBlocks: blocks }), user('q2')],
      noBudget,
    );

    assert.equal(built.turns[1]?.reasoning, 'think');
    assert.deepEqual(built.turns[1]?.reasoningBlocks, blocks);
    assert.equal(built.turns[0]?.reasoning, undefined);
  });

  test('failed and empty answers left out', () => {
    const built = buildHistory(
      [
        user('first'),
        assistant('', { status: 'error' }),
        user('second'),
        assistant('', { status: 'stopped', reasoning: 'only thought' }),
        user('third'),
        assistant('partial', { status: 'stopped' }),
        user('fourth'),
        assistant('still going', { status: 'streaming' }),
      ],
      noBudget,
    );

    assert.deepEqual(
      built.turns.map((turn) => [turn.role, turn.content]),
      [
        ['user', 'third'],
        ['assistant', 'partial'],
        ['user', 'fourth'],
      ],
    );
    assert.equal(built.info.skippedTurns, 2);
  });

  test('repeated question after a failure sent once', () => {
    const built = buildHistory(
      [
        user('hello'),
        assistant('hi'),
        user('what is SSE?'),
        assistant('', { status: 'error' }),
        user('what is SSE?'),
      ],
      noBudget,
    );

    assert.deepEqual(
      built.turns.map((turn) => [turn.role, turn.content]),
      [
        ['user', 'hello'],
        ['assistant', 'hi'],
        ['user', 'what is SSE?'],
      ],
    );
    assert.equal(built.info.skippedTurns, 1);
  });

  test('question whose answer was deleted skipped', () => {
    const built = buildHistory(
      [user('one'), user('two'), assistant('a2'), user('three')],
      noBudget,
    );

    assert.deepEqual(
      built.turns.map((turn) => [turn.role, turn.content]),
      [
        ['user', 'two'],
        ['assistant', 'a2'],
        ['user', 'three'],
      ],
    );
    assert.equal(built.info.skippedTurns, 1);
  });

  test('user messages never neighbours', () => {
    const statuses: ChatMessageStatus[] = ['error', 'streaming', 'stopped', 'complete'];
    for (const status of statuses) {
      const built = buildHistory(
        [user('a'), assistant(status === 'stopped' ? '' : 'x', { status }), user('b')],
        noBudget,
      );
      const roles = built.turns.map((turn) => turn.role);

      assert.ok(
        roles.every((role, index) => index === 0 || role !== 'user' || roles[index - 1] !== role),
        `${status}: ${roles.join(', ')}`,
      );
      assert.equal(built.turns.at(-1)?.content, 'b');
    }
  });

  test('neighbouring answers joined', () => {
    const built = buildHistory(
      [
        user('q'),
        assistant('a1', { reasoning: 'r1', reasoningBlocks: [{ type: 'redacted', data: 'x' }] }),
        assistant('a2', { reasoning: 'r2', reasoningBlocks: [{ type: 'redacted', data: 'y' }] }),
        user('next'),
      ],
      noBudget,
    );

    assert.equal(built.turns.length, 3);
    assert.equal(built.turns[1]?.content, 'a1\n\na2');
    assert.equal(built.turns[1]?.reasoning, 'r1\n\nr2');
    assert.deepEqual(built.turns[1]?.reasoningBlocks, [
      { type: 'redacted', data: 'x' },
      { type: 'redacted', data: 'y' },
    ]);
  });

  test('answers before any user message dropped', () => {
    const built = buildHistory([assistant('orphan'), user('hello')], noBudget);

    assert.deepEqual(built.turns, [{ role: 'user', content: 'hello' }]);
  });

  test('oldest turns trimmed to the budget', () => {
    // Each 400-character message is 100 tokens plus 4 of overhead.
    const long = (letter: string) => letter.repeat(400);
    const messages = [
      user(long('a')),
      assistant(long('b')),
      user(long('c')),
      assistant(long('d')),
      user(long('e')),
    ];

    const built = buildHistory(messages, { systemPrompt: null, budgetTokens: 350 });

    assert.equal(built.info.trimmedTurns, 1);
    assert.equal(built.info.sentMessages, 3);
    assert.equal(built.info.estimatedTokens, 3 * 104);
    assert.equal(built.turns[0]?.content, long('c'));
    assert.equal(built.info.budgetTokens, 350);
  });

  test('system prompt counted', () => {
    const messages = [user('x'.repeat(400)), assistant('y'.repeat(400)), user('z'.repeat(400))];

    const without = buildHistory(messages, { systemPrompt: null, budgetTokens: 320 });
    const withPrompt = buildHistory(messages, {
      systemPrompt: 's'.repeat(40),
      budgetTokens: 320,
    });

    assert.equal(without.info.trimmedTurns, 0);
    assert.equal(withPrompt.info.trimmedTurns, 1);
    assert.equal(withPrompt.info.estimatedTokens, 10 + 104);
  });

  test('newest message kept over budget', () => {
    const built = buildHistory([user('old'), assistant('answer'), user('n'.repeat(4000))], {
      systemPrompt: null,
      budgetTokens: 10,
    });

    assert.equal(built.info.trimmedTurns, 1);
    assert.deepEqual(built.turns, [{ role: 'user', content: 'n'.repeat(4000) }]);
    assert.ok(built.info.estimatedTokens > 10);
  });

  test('nothing trimmed without a budget', () => {
    const messages = Array.from({ length: 50 }, (_, index) =>
      index % 2 === 0 ? user('u'.repeat(10_000)) : assistant('a'.repeat(10_000)),
    );

    const built = buildHistory(messages, noBudget);

    assert.equal(built.info.trimmedTurns, 0);
    assert.equal(built.turns.length, 50);
  });
});
