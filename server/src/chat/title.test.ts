import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHAT_TITLE_LENGTH } from '../../../shared/src/api/chat.js';
import { isWellFormedUnicode } from '../validation/requestText.js';
import { titleFromMessage } from './title.js';

describe('titleFromMessage', () => {
  const cases: [string, string, string | null][] = [
    ['short line', 'Explain SSE', 'Explain SSE'],
    ['surrounding space', '   Explain SSE  ', 'Explain SSE'],
    ['first line with text', '\n\n  \nWhy?\nBecause.', 'Why?'],
    ['CRLF lines', 'First\r\nSecond', 'First'],
    ['tabs and runs of spaces', 'a\t\tb    c', 'a b c'],
    ['only whitespace', ' \n\t\n ', null],
    ['empty', '', null],
    ['exactly the limit', 'x'.repeat(CHAT_TITLE_LENGTH), 'x'.repeat(CHAT_TITLE_LENGTH)],
    [
      'long line cut at a word',
      'How do I stream server-sent events from a Koa route without buffering anything at all?',
      'How do I stream server-sent events from a Koa route without…',
    ],
    [
      'long line cut before a word',
      'How do I stream server-sent events from a Koa route withoutbuffering?',
      'How do I stream server-sent events from a Koa route…',
    ],
    ['long word cut inside', 'y'.repeat(100), `${'y'.repeat(CHAT_TITLE_LENGTH - 1)}…`],
    ['only zero-width spaces', '\u200b\u200b\u2060\ufeff', null],
    ['zero-width line skipped', '\u200b\u200d\nReal question', 'Real question'],
    ['zero-width spaces dropped', 'Hel\u200blo', 'Hello'],
    ['bidirectional override dropped', 'invoice\u202Etxt.exe', 'invoicetxt.exe'],
    ['bidirectional isolates dropped', '\u2066a\u2069 \u200Fb\u200E', 'a b'],
    ['C1 controls dropped', 'a\u0085b\u009Bc', 'abc'],
    ['line separator ends the line', 'First\u2028Second', 'First'],
    ['paragraph separator ends the line', '\u2029Second', 'Second'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(titleFromMessage(input), expected);
    });
  }

  test('long title within the limit', () => {
    const title = titleFromMessage('word '.repeat(40)) ?? '';

    assert.ok(Array.from(title).length <= CHAT_TITLE_LENGTH, title);
    assert.ok(title.endsWith('word…'), title);
  });

  test('emoji kept whole at the cut', () => {
    const title = titleFromMessage('😀'.repeat(80)) ?? '';

    assert.equal(Array.from(title).length, CHAT_TITLE_LENGTH);
    assert.ok(isWellFormedUnicode(title), 'no surrogate half at the cut');
  });
});
