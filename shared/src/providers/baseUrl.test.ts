import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderKind } from '../api/providers.js';
import { normalizeBaseUrl } from './baseUrl.js';

describe('base URL normalization', () => {
  const cases: [ProviderKind, string, string, string[]][] = [
    ['openai', 'https://api.openai.com/v1', 'https://api.openai.com/v1', []],
    ['openai', 'https://api.openai.com', 'https://api.openai.com/v1', ['added /v1']],
    [
      'openai',
      'https://api.openai.com/v1/',
      'https://api.openai.com/v1',
      ['removed the trailing /'],
    ],
    [
      'openai',
      'https://api.openai.com/v1/chat/completions',
      'https://api.openai.com/v1',
      ['removed /chat/completions'],
    ],
    ['openai-compatible', 'https://api.deepseek.com', 'https://api.deepseek.com/v1', ['added /v1']],
    [
      'openai-compatible',
      'https://openrouter.ai/api/v1/chat/completions',
      'https://openrouter.ai/api/v1',
      ['removed /chat/completions'],
    ],
    [
      'openai-compatible',
      'http://127.0.0.1:8000/v1/models',
      'http://127.0.0.1:8000/v1',
      ['removed /models'],
    ],
    [
      'openai-compatible',
      'https://generativelanguage.googleapis.com/v1beta',
      'https://generativelanguage.googleapis.com/v1beta',
      [],
    ],
    [
      'openai-compatible',
      'http://localhost:1234/v1#top',
      'http://localhost:1234/v1',
      ['removed #top'],
    ],
    ['openai', 'http://h/v1/messages', 'http://h/v1', ['removed /messages']],
    ['openai-compatible', 'http://h/v1/embeddings', 'http://h/v1', ['removed /embeddings']],
    [
      'anthropic',
      'https://api.anthropic.com/v1/chat/completions',
      'https://api.anthropic.com',
      ['removed /v1/chat/completions'],
    ],
    [
      'anthropic',
      'https://api.anthropic.com/v1/models',
      'https://api.anthropic.com',
      ['removed /v1/models'],
    ],
    ['ollama', 'http://127.0.0.1:11434/api/tags', 'http://127.0.0.1:11434', ['removed /api/tags']],
    ['ollama', 'http://127.0.0.1:11434/api/show', 'http://127.0.0.1:11434', ['removed /api/show']],
    [
      'ollama',
      'http://127.0.0.1:11434/v1/chat/completions',
      'http://127.0.0.1:11434',
      ['removed /v1/chat/completions'],
    ],
    ['anthropic', 'https://api.anthropic.com', 'https://api.anthropic.com', []],
    ['anthropic', 'https://api.anthropic.com/v1', 'https://api.anthropic.com', ['removed /v1']],
    [
      'anthropic',
      'https://api.anthropic.com/v1/messages',
      'https://api.anthropic.com',
      ['removed /v1/messages'],
    ],
    ['ollama', 'http://127.0.0.1:11434', 'http://127.0.0.1:11434', []],
    ['ollama', 'http://127.0.0.1:11434/api/chat', 'http://127.0.0.1:11434', ['removed /api/chat']],
    ['ollama', 'http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434', ['removed /v1']],
  ];

  for (const [kind, pasted, url, changes] of cases) {
    test(`normalizes ${kind} ${pasted}`, () => {
      const result = normalizeBaseUrl(kind, pasted);

      assert.equal(result.url, url);
      assert.deepEqual(result.changes, changes);
    });
  }

  const invalid: [string, RegExp][] = [
    ['api.openai.com', /is not a URL/],
    ['ftp://example.com', /must start with http/],
    ['https://user:pass@example.com/v1', /credentials/],
    [
      'https://x.openai.azure.com/openai?api-version=2024-10-21',
      /query string \?api-version=2024-10-21; remove it\. Services that need one, such as Azure OpenAI, are not supported yet/,
    ],
    ['http://h/v1;x=y', /"http:\/\/h\/v1;x=y" has ";" parameters in its path; remove them/],
  ];
  for (const [pasted, message] of invalid) {
    test(`rejects ${pasted}`, () => {
      assert.throws(() => normalizeBaseUrl('openai', pasted), message);
    });
  }
});
