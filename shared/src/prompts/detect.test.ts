import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectPromptFormat } from './detect.js';

describe('detectPromptFormat', () => {
  const cases: [string, string | undefined][] = [
    ['support.prompt.json', 'openai'],
    ['/home/ann/prompts/Support.Prompt.JSON', 'openai'],
    ['Modelfile', 'ollama'],
    ['C:\\work\\models\\Modelfile', 'ollama'],
    ['llama3.modelfile', 'ollama'],
    ['review.prompt.md', 'custom'],
    ['docs/review.PROMPT.md', 'custom'],
    ['package.json', undefined],
    ['README.md', undefined],
    ['Modelfile.bak', undefined],
    ['prompt.json', undefined],
    ['', undefined],
  ];
  for (const [fileName, format] of cases) {
    test(`${JSON.stringify(fileName)} is ${format ?? 'not a prompt file'}`, () => {
      assert.equal(detectPromptFormat(fileName), format);
    });
  }
});
