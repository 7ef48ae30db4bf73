import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convertPrompt } from './convert.js';
import type { PromptMessage } from './document.js';
import { PromptError } from './errors.js';
import { parsePrompt } from './parse.js';
import { PROMPT_FORMATS, type PromptFormat } from './types.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const FIXTURES: [string, PromptFormat][] = [
  ['support-agent.prompt.json', 'openai'],
  ['weather-tools.prompt.json', 'openai'],
  ['image-review.prompt.json', 'openai'],
  ['llama3-assistant.modelfile', 'ollama'],
  ['Modelfile', 'ollama'],
  ['code-review.prompt.md', 'custom'],
  ['release-notes.prompt.md', 'custom'],
  ['weather-chat.prompt.md', 'custom'],
];

const codes = (warnings: { code: string }[]) => warnings.map((warning) => warning.code);

/** Messages without the fields a round trip is allowed to change: null and empty content. */
function comparable(messages: PromptMessage[]): PromptMessage[] {
  return messages.map((message) => ({ ...message, content: message.content ?? '' }));
}

describe('convertPrompt output', () => {
  for (const [name, from] of FIXTURES) {
    for (const to of PROMPT_FORMATS.filter((format) => format !== from)) {
      test(`${name} to ${to} validates and keeps the message count`, () => {
        const { content } = convertPrompt(from, to, fixture(name), { model: 'llama3.2' });

        assert.equal(validatePrompt(to, content).valid, true, content);
        assert.equal(
          parsePrompt(to, content).messages.length,
          parsePrompt(from, fixture(name)).messages.length,
        );
      });
    }
  }

  test('same format returns the content unchanged', () => {
    const content = fixture('weather-chat.prompt.md');

    assert.deepEqual(convertPrompt('custom', 'custom', content), { content, warnings: [] });
  });
});

describe('openai to ollama', () => {
  test('writes SYSTEM and MESSAGE lines', () => {
    const content = JSON.stringify([
      { role: 'system', content: 'You are {{persona}}.' },
      { role: 'user', content: 'Line one\nline "two"' },
      { role: 'assistant', content: 'Sure.' },
    ]);
    const result = convertPrompt('openai', 'ollama', content, { model: 'llama3.2' });

    assert.equal(
      result.content,
      'FROM llama3.2\nSYSTEM You are {{persona}}.\n' +
        'MESSAGE user """Line one\nline "two""""\nMESSAGE assistant Sure.\n',
    );
    assert.deepEqual(result.warnings, []);
  });

  test('reports what a Modelfile cannot hold', () => {
    const result = convertPrompt('openai', 'ollama', fixture('weather-tools.prompt.json'));

    assert.deepEqual(codes(result.warnings), [
      'role-changed',
      'tool-calls-dropped',
      'role-changed',
      'role-changed',
      'role-changed',
      'placeholder-model',
    ]);
    assert.match(result.warnings[1]?.message ?? '', /get_weather \(call_weather_paris\)/);
    assert.match(result.content, /^FROM <model>\n/);
  });

  test('reports names, parts and joined text', () => {
    const content = JSON.stringify([
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
          { type: 'image_url', image_url: { url: 'u' } },
        ],
      },
    ]);
    const result = convertPrompt('openai', 'ollama', content, { model: 'm' });

    assert.deepEqual(codes(result.warnings), ['parts-dropped', 'parts-joined', 'name-dropped']);
    assert.equal(result.content, 'FROM m\nMESSAGE user """A\n\nB"""\n');
  });

  test('replaces """ when no quoting can hold the text', () => {
    const content = JSON.stringify([{ role: 'user', content: 'a"""\nb' }]);
    const result = convertPrompt('openai', 'ollama', content, { model: 'm' });

    assert.deepEqual(codes(result.warnings), ['text-changed']);
    assert.equal(parsePrompt('ollama', result.content).messages[0]?.content, "a'''\nb");
  });
});

describe('ollama to openai', () => {
  test('keeps the messages and lists the settings it leaves out', () => {
    const result = convertPrompt('ollama', 'openai', fixture('llama3-assistant.modelfile'));

    assert.deepEqual(JSON.parse(result.content), [
      {
        role: 'system',
        content:
          'You are the help desk assistant of {{company}}.\nKeep answers short, and say "I don\'t know" rather than guess.',
      },
      { role: 'user', content: 'Where can I download my invoices?' },
      { role: 'assistant', content: 'Open Billing, then Invoices; each row has a PDF link.' },
    ]);
    assert.deepEqual(
      result.warnings.map((warning) => warning.message.split(' is not kept')[0]),
      [
        'FROM llama3.2:3b',
        'PARAMETER temperature 0.4',
        'PARAMETER top_p 0.9',
        'PARAMETER top_k 40',
        'PARAMETER num_ctx 8192',
        'PARAMETER repeat_penalty 1.1',
        'PARAMETER seed 42',
        'PARAMETER stop <|start_header_id|>',
        'PARAMETER stop <|end_header_id|>',
        'PARAMETER stop <|eot_id|>',
        'TEMPLATE',
        'LICENSE',
      ],
    );
  });

  test('a Modelfile without messages gives an empty array and a warning', () => {
    const result = convertPrompt('ollama', 'openai', 'FROM llama3.2\n');

    assert.equal(result.content, '[]\n');
    assert.deepEqual(codes(result.warnings), ['setting-dropped', 'no-messages']);
  });
});

describe('round trips keep what they report as kept', () => {
  const trips: [string, PromptFormat, PromptFormat][] = [
    ['weather-tools.prompt.json', 'openai', 'custom'],
    ['support-agent.prompt.json', 'openai', 'custom'],
    ['weather-chat.prompt.md', 'custom', 'openai'],
    ['code-review.prompt.md', 'custom', 'openai'],
    ['llama3-assistant.modelfile', 'ollama', 'custom'],
    ['llama3-assistant.modelfile', 'ollama', 'openai'],
    ['Modelfile', 'ollama', 'openai'],
  ];
  for (const [name, from, via] of trips) {
    test(`${name} through ${via} and back`, () => {
      const source = fixture(name);
      const forward = convertPrompt(from, via, source, { model: 'llama3.2' });
      const back = convertPrompt(via, from, forward.content, { model: 'llama3.2' });

      assert.ok(
        !codes(forward.warnings).some((code) =>
          /parts|tool-calls|role|name|text|read-back/.test(code),
        ),
      );
      assert.deepEqual(
        comparable(parsePrompt(from, back.content).messages),
        comparable(parsePrompt(from, source).messages),
      );
    });
  }

  test('openai through ollama keeps what it does not report', () => {
    const source = fixture('support-agent.prompt.json');
    const forward = convertPrompt('openai', 'ollama', source, { model: 'm' });
    const back = convertPrompt('ollama', 'openai', forward.content);
    const expected = parsePrompt('openai', source).messages.map(
      ({ name: _name, ...message }) => message,
    );

    assert.deepEqual(codes(forward.warnings), ['name-dropped']);
    assert.deepEqual(parsePrompt('openai', back.content).messages, expected);
  });

  test('custom front matter is reported when it cannot be kept', () => {
    const result = convertPrompt('custom', 'openai', fixture('code-review.prompt.md'));

    assert.deepEqual(codes(result.warnings), ['metadata-dropped', 'variables-dropped']);
    assert.match(
      result.warnings[1]?.message ?? '',
      /variables language, diff, focus, with their descriptions and defaults/,
    );
  });

  test('custom output declares the variables it uses', () => {
    const result = convertPrompt('openai', 'custom', fixture('support-agent.prompt.json'));

    assert.match(
      result.content,
      /^---\nvariables:\n {2}- product\n {2}- language\n {2}- question\n---\n/,
    );
    assert.deepEqual(validatePrompt('custom', result.content).diagnostics, []);
  });

  test('one unnamed system message becomes a plain body', () => {
    const result = convertPrompt('ollama', 'custom', 'FROM x\nSYSTEM """Be brief.\nBe kind."""\n');

    assert.equal(result.content, 'Be brief.\nBe kind.\n');
  });

  test('text that reads as a heading is reported', () => {
    const content = JSON.stringify([{ role: 'user', content: 'Quote:\n## @assistant\nnot me' }]);
    const result = convertPrompt('openai', 'custom', content);

    assert.deepEqual(codes(result.warnings), ['read-back-differs']);
  });
});

describe('convertPrompt errors', () => {
  test('refuses a source with errors', () => {
    assert.throws(
      () => convertPrompt('openai', 'custom', '[{"role":"robot","content":"x"}]'),
      (error: unknown) =>
        error instanceof PromptError &&
        error.code === 'invalid_prompt' &&
        error.details.diagnostics?.[0]?.code === 'unknown-role',
    );
  });

  test('refuses a model that is not one line', () => {
    assert.throws(
      () => convertPrompt('custom', 'ollama', 'Hi', { model: 'llama3.2\nSYSTEM other' }),
      (error: unknown) => error instanceof PromptError && error.code === 'invalid_model',
    );
  });

  test('refuses an unknown format by name', () => {
    assert.throws(
      () => convertPrompt('openai', 'yaml' as PromptFormat, '[]'),
      (error: unknown) =>
        error instanceof PromptError &&
        error.code === 'unsupported_format' &&
        error.message === 'Prompt format "yaml" is not supported; use openai, ollama, custom.',
    );
  });
});
