import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../errors.js';
import { fillPrompt } from './prompt.js';

describe('compare prompt variables', () => {
  const filled: [string, Record<string, string> | undefined, string, string | null][] = [
    ['Plain prompt', undefined, 'Plain prompt', null],
    [
      'Translate {{text}} to {{ lang }}',
      { text: 'hi', lang: 'French' },
      'Translate hi to French',
      'Translate {{text}} to {{ lang }}',
    ],
    ['{{a}}{{a}}', { a: 'x' }, 'xx', '{{a}}{{a}}'],
    [
      'Value with braces {{v}}',
      { v: '{{other}}' },
      'Value with braces {{other}}',
      'Value with braces {{v}}',
    ],
    ['Not a variable {{ 1x }} or {{', {}, 'Not a variable {{ 1x }} or {{', null],
    ['{{empty}}!', { empty: '' }, '!', '{{empty}}!'],
  ];
  for (const [text, values, prompt, template] of filled) {
    test(`fills ${JSON.stringify(text)}`, () => {
      const result = fillPrompt(text, values);

      assert.equal(result.prompt, prompt);
      assert.equal(result.template, template);
    });
  }

  test('keeps values of unused names', () => {
    const result = fillPrompt('No variables', { spare: 'kept' });

    assert.equal(result.prompt, 'No variables');
    assert.deepEqual(result.variables, { spare: 'kept' });
  });

  test('names every missing variable', () => {
    assert.throws(
      () => fillPrompt('Hi {{name}}, about {{topic}} and {{name}} in {{lang}}', { lang: 'en' }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.status, 400);
        assert.equal(error.code, 'missing_variables');
        assert.equal(
          error.message,
          'The prompt uses {{name}}, {{topic}} but variables has no value for them; add "name", ' +
            '"topic" to variables.',
        );
        assert.deepEqual(error.details, { missing: ['name', 'topic'] });
        return true;
      },
    );
  });

  test('inherited names are not values', () => {
    assert.throws(() => fillPrompt('{{toString}}', {}), /no value for it; add "toString"/);
  });
});
