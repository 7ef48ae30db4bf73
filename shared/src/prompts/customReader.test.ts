import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { contentText } from './document.js';
import { parsePrompt } from './parse.js';
import { applyFix, rangeOf } from './testing/textEdits.js';
import type { PromptDiagnostic } from './types.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function find(content: string, code: string): PromptDiagnostic | undefined {
  return validatePrompt('custom', content).diagnostics.find((d) => d.code === code);
}

function spanOf(diagnostic: PromptDiagnostic | undefined) {
  assert.ok(diagnostic);
  const { line, column, endLine, endColumn } = diagnostic;
  return { line, column, endLine, endColumn };
}

describe('custom prompts that validate cleanly', () => {
  for (const name of [
    'code-review.prompt.md',
    'release-notes.prompt.md',
    'weather-chat.prompt.md',
  ]) {
    test(`accepts ${name}`, () => {
      const result = validatePrompt('custom', fixture(name));

      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.valid, true);
    });
  }

  test('reads the front matter of code-review.prompt.md', () => {
    const { metadata, messages } = parsePrompt('custom', fixture('code-review.prompt.md'));

    assert.deepEqual(metadata, {
      name: 'Code review',
      category: 'engineering',
      description: 'Reviews a diff for bugs, then style.',
      variables: [
        { name: 'language' },
        { name: 'diff', description: 'The unified diff to review' },
        { name: 'focus', description: 'What to look at first', default: 'correctness' },
      ],
    });
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.role, 'system');
    assert.match(
      contentText(messages[0]?.content ?? null),
      /^You are a senior \{\{language\}\} reviewer/,
    );
  });

  test('reads the messages and tool calls of weather-chat.prompt.md', () => {
    const { messages } = parsePrompt('custom', fixture('weather-chat.prompt.md'));

    assert.deepEqual(messages, [
      { role: 'system', content: 'Use the tools for live data and answer in one sentence.' },
      { role: 'user', name: 'alice', content: "What's the weather in {{city}}?" },
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: 'call_1', type: 'function', name: 'get_weather', arguments: '{ "city": "Paris" }' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: '{"temperature": 18, "sky": "overcast"}' },
      { role: 'assistant', content: 'It is 18 °C and overcast.' },
    ]);
  });

  test('plain text without headings is one system message', () => {
    const { messages } = parsePrompt('custom', '\n\nBe brief.\n## Rules\n- No jokes.\n\n');

    assert.deepEqual(messages, [{ role: 'system', content: 'Be brief.\n## Rules\n- No jokes.' }]);
  });

  test('empty body has no messages', () => {
    assert.deepEqual(parsePrompt('custom', '---\nname: x\n---\n\n').messages, []);
  });

  test('headings inside code fences are text', () => {
    const content =
      '## @user\n\n````md\n## @assistant\n```\nnot a heading\n```\n````\n\n## @assistant\n\nOk.\n';
    const { messages } = parsePrompt('custom', content);

    assert.deepEqual(
      messages.map((m) => m.role),
      ['user', 'assistant'],
    );
    assert.equal(messages[0]?.content, '````md\n## @assistant\n```\nnot a heading\n```\n````');
  });
});

describe('custom problems with their exact ranges', () => {
  const cases: {
    name: string;
    content: string;
    code: string;
    at: string;
    occurrence?: number;
    severity?: string;
  }[] = [
    {
      name: 'front matter never closed',
      content: '---\nname: x\nHello\n',
      code: 'unclosed-front-matter',
      at: '---',
    },
    {
      name: 'repeated front matter key',
      content: '---\nname: a\nname: b\n---\nHi\n',
      code: 'invalid-yaml',
      at: 'n',
      occurrence: 2,
    },
    {
      name: 'unclosed flow list',
      content: '---\nname: [x\n---\nHi\n',
      code: 'invalid-yaml',
      at: '',
    },
    {
      name: 'list as front matter',
      content: '---\n- a\n- b\n---\nHi\n',
      code: 'front-matter-not-map',
      at: '- a\n- b',
    },
    {
      name: 'misspelt key',
      content: '---\nvarables: [a]\n---\n{{a}}\n',
      code: 'unknown-key',
      at: 'varables',
      severity: 'warning',
    },
    {
      name: 'name that is a list',
      content: '---\nname: [a]\n---\nHi\n',
      code: 'invalid-type',
      at: '[a]',
    },
    {
      name: 'variables that are text',
      content: '---\nvariables: abc\n---\nHi\n',
      code: 'invalid-type',
      at: 'abc',
    },
    {
      name: 'invalid declared name',
      content: '---\nvariables:\n  - 1abc\n---\nHi\n',
      code: 'invalid-variable-name',
      at: '1abc',
    },
    {
      name: 'name declared twice',
      content: '---\nvariables: [a, a]\n---\n{{a}}\n',
      code: 'duplicate-variable',
      at: 'a',
      occurrence: 4,
      severity: 'warning',
    },
    {
      name: 'entry without a name',
      content: '---\nvariables:\n  - description: x\n---\nHi\n',
      code: 'missing-field',
      at: 'd',
    },
    {
      name: 'misspelt entry key',
      content: '---\nvariables:\n  - name: a\n    dflt: b\n---\n{{a}}\n',
      code: 'unknown-key',
      at: 'dflt',
      severity: 'warning',
    },
    {
      name: 'misspelt role heading',
      content: '## @asistant\nHi\n',
      code: 'unknown-role',
      at: '@asistant',
    },
    {
      name: 'attribute without a value',
      content: '## @user alice\nHi\n',
      code: 'invalid-heading',
      at: 'alice',
    },
    {
      name: 'misspelt attribute',
      content: '## @user nmae=alice\nHi\n',
      code: 'unknown-attribute',
      at: 'nmae',
      severity: 'warning',
    },
    {
      name: 'tool message without id',
      content: '## @tool\nok\n',
      code: 'missing-field',
      at: '## @tool',
    },
    {
      name: 'tool call without an assistant',
      content: '## @user\nhi\n## @tool-call id=a name=f\n{}\n',
      code: 'orphan-tool-call',
      at: '## @tool-call id=a name=f',
    },
    {
      name: 'tool call arguments that are not JSON',
      content: '## @assistant\n## @tool-call id=a name=f\n{bad\n## @tool id=a\nok\n',
      code: 'invalid-arguments',
      at: '{bad',
    },
    {
      name: 'tool call type',
      content: '## @assistant\n## @tool-call id=a name=f type=shell\n{}\n## @tool id=a\nok\n',
      code: 'invalid-value',
      at: 'shell',
    },
    {
      name: 'result for an unknown call',
      content: '## @assistant\n## @tool-call id=a name=f\n{}\n## @tool id=b\nok\n',
      code: 'unknown-tool-call-id',
      at: 'b',
      occurrence: 1,
    },
    {
      name: 'text before the first heading',
      content: 'Be brief.\n\n## @user\nHi\n',
      code: 'text-before-first-message',
      at: 'Be brief.',
      severity: 'warning',
    },
    {
      name: 'empty message',
      content: '## @user\n\n## @assistant\nHi\n',
      code: 'empty-content',
      at: '## @user',
      severity: 'warning',
    },
    { name: 'unclosed variable', content: 'Hi {{name\n', code: 'unclosed-variable', at: '{{name' },
  ];
  for (const { name, content, code, at, occurrence, severity = 'error' } of cases) {
    test(`${name} is ${code}`, () => {
      const diagnostic = find(content, code);
      assert.ok(
        diagnostic,
        `no ${code} in ${JSON.stringify(validatePrompt('custom', content).diagnostics)}`,
      );
      const expected = rangeOf(content, at, occurrence);
      if (at.length === 1 && code !== 'duplicate-variable') {
        expected.endColumn = expected.column + 1;
      }

      if (at !== '') {
        assert.deepEqual(spanOf(diagnostic), expected);
      }
      assert.equal(diagnostic.severity, severity);
    });
  }

  test('YAML error at end of front matter', () => {
    const diagnostic = find('---\nname: [x\n---\nHi\n', 'invalid-yaml');

    assert.deepEqual(spanOf(diagnostic), { line: 2, column: 9, endLine: 2, endColumn: 9 });
  });

  test('tool-call id names the call in a custom file', () => {
    const content = '## @assistant\n## @tool-call id=call_1 name=f\n{}\n## @tool id=call1\nok\n';
    const fixed = applyFix(content, find(content, 'unknown-tool-call-id'));

    assert.equal(
      fixed,
      '## @assistant\n## @tool-call id=call_1 name=f\n{}\n## @tool id=call_1\nok\n',
    );
    assert.deepEqual(validatePrompt('custom', fixed).diagnostics, []);
  });
});

describe('custom declaration quick fixes', () => {
  const fixes: { name: string; content: string; code: string; fixed: string }[] = [
    {
      name: 'adds to a block list',
      content: '---\nvariables:\n  - a\n---\n{{a}} {{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nvariables:\n  - a\n  - c\n---\n{{a}} {{c}}\n',
    },
    {
      name: 'adds after an entry with a description',
      content: '---\nvariables:\n  - name: a\n    description: A\n---\n{{a}} {{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nvariables:\n  - name: a\n    description: A\n  - c\n---\n{{a}} {{c}}\n',
    },
    {
      name: 'adds to a flow list',
      content: '---\nvariables: [a]\n---\n{{a}} {{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nvariables: [a, c]\n---\n{{a}} {{c}}\n',
    },
    {
      name: 'adds to an empty flow list',
      content: '---\nvariables: []\n---\n{{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nvariables: [c]\n---\n{{c}}\n',
    },
    {
      name: 'adds under an empty key',
      content: '---\nvariables:\nname: x\n---\n{{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nvariables:\n  - c\nname: x\n---\n{{c}}\n',
    },
    {
      name: 'adds the key when it is missing',
      content: '---\nname: x\n---\n{{c}}\n',
      code: 'undeclared-variable',
      fixed: '---\nname: x\nvariables:\n  - c\n---\n{{c}}\n',
    },
    {
      name: 'quotes a name YAML reads as a boolean',
      content: '---\nname: x\n---\n{{yes}}\n',
      code: 'undeclared-variable',
      fixed: '---\nname: x\nvariables:\n  - "yes"\n---\n{{yes}}\n',
    },
    {
      name: 'keeps CRLF line endings',
      content: '---\r\nvariables:\r\n  - a\r\n---\r\n{{a}} {{c}}\r\n',
      code: 'undeclared-variable',
      fixed: '---\r\nvariables:\r\n  - a\r\n  - c\r\n---\r\n{{a}} {{c}}\r\n',
    },
    {
      name: 'removes an unused name',
      content: '---\nvariables:\n  - a\n  - b\n---\n{{a}}\n',
      code: 'unused-variable',
      fixed: '---\nvariables:\n  - a\n---\n{{a}}\n',
    },
    {
      name: 'removes an unused entry',
      content: '---\nvariables:\n  - name: b\n    default: x\n  - a\n---\n{{a}}\n',
      code: 'unused-variable',
      fixed: '---\nvariables:\n  - a\n---\n{{a}}\n',
    },
    {
      name: 'renames a misspelt key',
      content: '---\nvarables: [a]\n---\n{{a}}\n',
      code: 'unknown-key',
      fixed: '---\nvariables: [a]\n---\n{{a}}\n',
    },
    {
      name: 'renames a misspelt role',
      content: '## @asistant\nHi\n',
      code: 'unknown-role',
      fixed: '## @assistant\nHi\n',
    },
    {
      name: 'renames a misspelt attribute',
      content: '## @user nmae=alice\nHi\n',
      code: 'unknown-attribute',
      fixed: '## @user name=alice\nHi\n',
    },
  ];
  for (const { name, content, code, fixed } of fixes) {
    test(name, () => {
      const result = applyFix(content, find(content, code));

      assert.equal(result, fixed);
      assert.deepEqual(validatePrompt('custom', result).diagnostics, []);
    });
  }

  test('no front matter means no checks, unless the caller declares', () => {
    assert.deepEqual(validatePrompt('custom', 'Hi {{name}}\n').diagnostics, []);

    const { diagnostics } = validatePrompt('custom', 'Hi {{name}}\n', { variables: [] });
    assert.deepEqual(diagnostics[0]?.fix?.declareVariables, ['name']);
  });

  test('front matter declarations win over the caller list', () => {
    const { diagnostics } = validatePrompt('custom', '---\nvariables: [name]\n---\nHi {{name}}\n', {
      variables: ['other'],
    });

    assert.deepEqual(diagnostics, []);
  });

  test('invalid YAML skips the declaration checks', () => {
    const { diagnostics } = validatePrompt('custom', '---\nvariables: [a\n---\n{{b}}\n');

    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['invalid-yaml'],
    );
  });
});
