import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convertPrompt } from './convert.js';
import { PromptError } from './errors.js';
import { parsePrompt } from './parse.js';
import { renderPrompt } from './render.js';
import { PROMPT_FORMATS, type PromptFormat, type ValidationResult } from './types.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const MEGABYTE = 1024 * 1024;

function assertRangesInside(content: string, result: ValidationResult): void {
  const lines = content.split(/\r\n|\r|\n/);
  for (const diagnostic of result.diagnostics) {
    assert.ok(diagnostic.line >= 1, JSON.stringify(diagnostic));
    assert.ok(diagnostic.line <= lines.length, JSON.stringify(diagnostic));
    assert.ok(diagnostic.endLine >= diagnostic.line, JSON.stringify(diagnostic));
    assert.ok(diagnostic.column >= 1, JSON.stringify(diagnostic));
    assert.ok(
      diagnostic.column <= (lines[diagnostic.line - 1]?.length ?? 0) + 1,
      JSON.stringify(diagnostic),
    );
  }
}

describe('validatePrompt arguments', () => {
  test('unknown format is a PromptError naming it', () => {
    assert.throws(
      () => validatePrompt('markdown' as PromptFormat, 'x'),
      (error: unknown) =>
        error instanceof PromptError &&
        error.code === 'unsupported_format' &&
        /"markdown" is not supported/.test(error.message),
    );
  });

  test('content that is not text is a TypeError', () => {
    assert.throws(() => validatePrompt('custom', 42 as unknown as string), TypeError);
  });

  test('maxDiagnostics keeps the first problems and counts the rest', () => {
    const content = 'FROM x\n' + 'BOGUS line\n'.repeat(10);
    const { diagnostics, valid } = validatePrompt('ollama', content, { maxDiagnostics: 3 });

    assert.equal(valid, false);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line]),
      [
        ['unknown-instruction', 2],
        ['unknown-instruction', 3],
        ['unknown-instruction', 4],
        ['too-many-problems', 4],
      ],
    );
    assert.match(diagnostics[3]?.message ?? '', /^7 more problems/);
  });

  test('diagnostics come sorted by position', () => {
    const content = '[{"role":"user","content":"{{a","nmae":"x"},{"role":"robot","content":"y"}]';
    const { diagnostics } = validatePrompt('openai', content);
    const columns = diagnostics.map((d) => d.column);

    assert.deepEqual(
      columns,
      [...columns].sort((a, b) => a - b),
    );
    assert.equal(diagnostics.length, 3);
  });
});

describe('inputs cut at every offset', () => {
  const files: [string, PromptFormat][] = [
    ['weather-tools.prompt.json', 'openai'],
    ['llama3-assistant.modelfile', 'ollama'],
    ['code-review.prompt.md', 'custom'],
    ['weather-chat.prompt.md', 'custom'],
  ];
  for (const [name, format] of files) {
    test(`${name} never throws and keeps ranges inside the text`, () => {
      const content = fixture(name);
      for (let cut = 0; cut <= content.length; cut++) {
        const prefix = content.slice(0, cut);
        assertRangesInside(prefix, validatePrompt(format, prefix));
      }
    });
  }
});

describe('hostile input', () => {
  test('deep JSON nesting is rejected before parsing', () => {
    const content = '['.repeat(100_000);
    const { diagnostics } = validatePrompt('openai', content);

    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line, d.column, d.endColumn]),
      [['nesting-too-deep', 1, 65, 66]],
    );
  });

  test('deep nesting inside a message is rejected', () => {
    const content = `[{"role":"user","content":${'['.repeat(70)}${']'.repeat(70)}}]`;

    assert.equal(validatePrompt('openai', content).diagnostics[0]?.code, 'nesting-too-deep');
  });

  test('deep YAML nesting in front matter does not throw', () => {
    const nested = Array.from(
      { length: 3000 },
      (_, depth) => `${' '.repeat(depth)}k${depth}:`,
    ).join('\n');
    const flow = `x: ${'['.repeat(50_000)}`;
    for (const yaml of [nested, flow]) {
      const result = validatePrompt('custom', `---\n${yaml}\n---\nHi\n`);

      assert.equal(result.valid, false);
    }
  });

  const megabyte: [string, PromptFormat, string][] = [
    [
      'messages',
      'openai',
      JSON.stringify(
        Array.from({ length: 9000 }, (_, index) => ({
          role: index % 2 === 0 ? 'user' : 'assistant',
          content: `Message ${index} about {{topic}} ${'lorem ipsum '.repeat(8)}`,
        })),
      ),
    ],
    [
      'SYSTEM value',
      'ollama',
      `FROM x\nSYSTEM """${'You are helpful. {{x}}\n'.repeat(48_000)}"""\n`,
    ],
    ['unknown lines', 'ollama', 'what\n'.repeat(MEGABYTE / 5)],
    ['stray braces', 'custom', '}}'.repeat(MEGABYTE / 2)],
    ['opening braces', 'custom', '{{'.repeat(MEGABYTE / 2)],
    ['one long line', 'custom', `Hi {{a}} ${'x'.repeat(MEGABYTE)}`],
    ['headings', 'custom', '## @user\nhi\n## @assistant\nok\n'.repeat(35_000)],
  ];
  for (const [name, format, content] of megabyte) {
    test(`1 MB of ${name} (${format}) is checked in time`, () => {
      assert.ok(content.length >= MEGABYTE * 0.9, `only ${content.length} characters`);
      const started = performance.now();
      const result = validatePrompt(format, content);
      const elapsed = performance.now() - started;

      assert.ok(result.diagnostics.length <= 201);
      assert.ok(elapsed < 10_000, `took ${Math.round(elapsed)} ms`);
    });
  }

  test('__proto__ and constructor keys in openai JSON pollute nothing', () => {
    const content =
      '[{"role":"user","content":"hi","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}]';
    const { diagnostics } = validatePrompt('openai', content);
    const document = parsePrompt('openai', content);
    const converted = convertPrompt('openai', 'custom', content);

    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['unknown-field', 'unknown-field'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(document.messages[0]), Object.prototype);
    assert.equal(converted.content, '## @user\n\nhi\n');
  });

  test('__proto__ keys in front matter pollute nothing', () => {
    const content =
      '---\n__proto__:\n  polluted: true\nvariables:\n  - __proto__\n  - name: constructor\n    default: c\n---\n{{__proto__}} {{constructor}}\n';
    const { diagnostics } = validatePrompt('custom', content);
    const rendered = renderPrompt(
      'custom',
      content,
      JSON.parse('{"__proto__": "p"}') as Record<string, string>,
    );

    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['unknown-key'],
    );
    assert.equal(rendered, 'p c\n');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('every format survives control characters and lone surrogates', () => {
    const content = '\u0000\u0001\uD800{{\uDC00}}\u2028\u202E## @user\n"""';
    for (const format of PROMPT_FORMATS) {
      assertRangesInside(content, validatePrompt(format, content));
    }
  });
});
