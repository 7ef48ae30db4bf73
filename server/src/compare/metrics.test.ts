import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProviderError, type StreamEvent } from '../providers/clients/index.js';
import { answerTokensOf, SlotDraft, tokensPerSecond } from './metrics.js';

const PRICES = { priceInputPerMTok: 2, priceOutputPerMTok: 8 };
const MAX_CHARS = 1000;

/** Feeds timed events to a draft that started at time 1000. */
function draftOf(events: [at: number, event: StreamEvent][], endedAt: number): SlotDraft {
  const draft = new SlotDraft(1000, MAX_CHARS);
  for (const [at, event] of events) {
    draft.observe(event, at);
  }
  draft.endedAt = endedAt;
  return draft;
}

describe('compare metrics', () => {
  test('answer tokens exclude reasoning tokens', () => {
    assert.equal(answerTokensOf(null), null);
    assert.equal(
      answerTokensOf({ promptTokens: 5, completionTokens: 90, reasoningTokens: 60 }),
      30,
    );
    assert.equal(answerTokensOf({ promptTokens: 5, completionTokens: 7, reasoningTokens: 0 }), 7);
  });

  test('tokens per second cases', () => {
    const cases: [number | null, number | null, number | null][] = [
      [40, 200, 200],
      [3, 1500, 2],
      [2, 1, 2000],
      [null, 200, null],
      [40, null, null],
      [40, 0, null],
      [40, 0.9, null],
      [0, 100, 0],
    ];
    for (const [tokens, ms, expected] of cases) {
      assert.equal(tokensPerSecond(tokens, ms), expected, `${tokens} tokens in ${ms} ms`);
    }
  });

  test('reasoning answer timings', () => {
    const draft = draftOf(
      [
        [1080, { type: 'reasoning', text: 'Let me' }],
        [1160, { type: 'reasoning', text: ' think.' }],
        [1320, { type: 'content', text: '' }],
        [1400, { type: 'content', text: 'The' }],
        [1480, { type: 'content', text: ' answer' }],
        [1650, { type: 'content', text: '.' }],
        [1700, { type: 'finish', reason: 'stop', providerReason: 'stop' }],
        [
          1720,
          {
            type: 'usage',
            usage: { promptTokens: 12, completionTokens: 100, reasoningTokens: 60 },
          },
        ],
      ],
      1800,
    );

    const outcome = draft.outcome(null, PRICES);

    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.content, 'The answer.');
    assert.equal(outcome.reasoning, 'Let me think.');
    assert.equal(outcome.ttftMs, 80);
    assert.equal(outcome.ttfaMs, 400);
    // From the first answer token at 1400 to the end at 1800.
    assert.equal(outcome.answerMs, 400);
    assert.equal(outcome.latencyMs, 800);
    assert.equal(outcome.tokensPerSecond, 100);
    // 12 prompt tokens at $2 and 100 completion tokens at $8 per million.
    assert.ok(Math.abs((outcome.cost ?? 0) - 0.000824) < 1e-15);
    assert.equal(outcome.finishReason, 'stop');
    assert.equal(outcome.error, null);
  });

  test('answer in one read has no speed', () => {
    const draft = draftOf(
      [
        [1010, { type: 'content', text: 'All at' }],
        [1010.2, { type: 'content', text: ' once.' }],
        [
          1010.3,
          { type: 'usage', usage: { promptTokens: 3, completionTokens: 4, reasoningTokens: 0 } },
        ],
        [1010.4, { type: 'finish', reason: 'stop', providerReason: null }],
      ],
      1010.5,
    );

    const outcome = draft.outcome(null, PRICES);

    assert.equal(outcome.ttftMs, 10);
    assert.equal(outcome.ttfaMs, 10);
    assert.equal(outcome.answerMs, 1);
    assert.equal(outcome.tokensPerSecond, null);
  });

  test('reasoning without an answer has no answer time', () => {
    const draft = draftOf([[1020, { type: 'reasoning', text: 'Hmm' }]], 1500);

    const outcome = draft.outcome('stopped', PRICES);

    assert.equal(outcome.status, 'stopped');
    assert.equal(outcome.ttftMs, 20);
    assert.equal(outcome.ttfaMs, null);
    assert.equal(outcome.answerMs, null);
    assert.equal(outcome.tokensPerSecond, null);
  });

  test('provider failure is an error', () => {
    const failure = new ProviderError('rate_limited', 'Rate limited; retry in 7 seconds.', {
      status: 429,
      providerMessage: 'Slow down',
      retryAfterMs: 7000,
    });
    const draft = draftOf([[1030, { type: 'error', error: failure }]], 1031);

    const outcome = draft.outcome(null, PRICES);

    assert.equal(outcome.status, 'error');
    assert.equal(outcome.finishReason, 'error');
    assert.deepEqual(outcome.error, {
      code: 'rate_limited',
      message: 'Rate limited; retry in 7 seconds.',
      status: 429,
      providerMessage: 'Slow down',
      retryAfterMs: 7000,
    });
    assert.equal(outcome.ttftMs, null);
    assert.equal(outcome.tokensPerSecond, null);
    assert.equal(outcome.cost, null);
    assert.equal(outcome.latencyMs, 31);
  });

  test('abort mid-answer is stopped', () => {
    const aborted = new ProviderError('aborted', 'The request was aborted.');
    const draft = draftOf(
      [
        [1050, { type: 'content', text: 'Partial' }],
        [1090, { type: 'error', error: aborted }],
      ],
      1090,
    );

    const outcome = draft.outcome('stopped', PRICES);

    assert.equal(outcome.status, 'stopped');
    assert.equal(outcome.finishReason, 'aborted');
    assert.equal(outcome.error, null);
    assert.equal(outcome.content, 'Partial');
  });

  test('abort after finish stays complete', () => {
    const draft = draftOf(
      [
        [1050, { type: 'content', text: 'Done' }],
        [1060, { type: 'finish', reason: 'length', providerReason: 'length' }],
      ],
      1060,
    );

    const outcome = draft.outcome('stopped', PRICES);

    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.finishReason, 'length');
  });

  test('missing price gives no cost', () => {
    const draft = draftOf(
      [
        [
          1001,
          { type: 'usage', usage: { promptTokens: 3, completionTokens: 4, reasoningTokens: 0 } },
        ],
      ],
      1002,
    );

    const outcome = draft.outcome(null, { priceInputPerMTok: 1, priceOutputPerMTok: null });

    assert.equal(outcome.cost, null);
  });

  test('text is cut at the limit', () => {
    const draft = new SlotDraft(1000, 10);
    const cases: [StreamEvent, string, boolean][] = [
      [{ type: 'reasoning', text: 'abcd' }, 'abcd', false],
      [{ type: 'content', text: 'efgh' }, 'efgh', false],
      // Two characters of room: the cut would split the surrogate pair of 😀, so it goes whole.
      [{ type: 'content', text: 'x😀y' }, 'x', true],
      [{ type: 'content', text: 'more' }, 'm', true],
    ];
    for (const [event, kept, limited] of cases) {
      const fitted = draft.fit(event);
      draft.observe(fitted, 1001);
      assert.equal((fitted as { text: string }).text, kept, JSON.stringify(event));
      assert.equal(draft.limitReached, limited, JSON.stringify(event));
    }
  });

  test('limit abort is complete at length', () => {
    const draft = draftOf(
      [
        [1010, { type: 'content', text: 'Long' }],
        [1020, { type: 'error', error: new ProviderError('aborted', 'The request was aborted.') }],
      ],
      1020,
    );

    const outcome = draft.outcome('limit', PRICES);

    assert.equal(outcome.status, 'complete');
    assert.equal(outcome.finishReason, 'length');
    assert.equal(outcome.error, null);
  });
});
