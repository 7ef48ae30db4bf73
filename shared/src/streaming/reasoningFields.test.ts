import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaReasoning } from './reasoningFields.js';

const cases: [string, { reasoning_content?: unknown; reasoning?: unknown }, string][] = [
  ['neither field', {}, ''],
  ['reasoning_content only', { reasoning_content: 'Let me see' }, 'Let me see'],
  ['reasoning only', { reasoning: 'Let me see' }, 'Let me see'],
  ['the same text under both, counted once', { reasoning_content: 'a', reasoning: 'a' }, 'a'],
  ['different texts, both kept', { reasoning_content: 'a', reasoning: 'b' }, 'ab'],
  ['null fields', { reasoning_content: null, reasoning: null }, ''],
  ['a non-string field is ignored', { reasoning_content: 42, reasoning: 'x' }, 'x'],
  ['an empty field beside text', { reasoning_content: '', reasoning: 'x' }, 'x'],
];

for (const [name, delta, expected] of cases) {
  test(`deltaReasoning: ${name}`, () => {
    assert.equal(deltaReasoning(delta), expected);
  });
}
