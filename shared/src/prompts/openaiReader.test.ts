import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { applyFix, rangeOf } from './testing/textEdits.js';
import type { PromptDiagnostic, TextRange } from './types.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function rangeOfDiagnostic(diagnostic: PromptDiagnostic | undefined): TextRange | undefined {
  if (!diagnostic) {
    return undefined;
  }
  const { line, column, endLine, endColumn } = diagnostic;
  return { line, column, endLine, endColumn };
}

function find(content: string, code: string): PromptDiagnostic | undefined {
  return validatePrompt('openai', content).diagnostics.find((d) => d.code === code);
}

const call = (id: string, args = '{}') =>
  `{"id":"${id}","type":"function","function":{"name":"lookup","arguments":${JSON.stringify(args)}}}`;
const assistantCalls = (...ids: string[]) =>
  `{"role":"assistant","content":null,"tool_calls":[${ids.map((id) => call(id)).join(',')}]}`;
const toolResult = (id: string) => `{"role":"tool","tool_call_id":"${id}","content":"ok"}`;
const user = (text = 'hi') => `{"role":"user","content":"${text}"}`;

describe('openai prompts that validate cleanly', () => {
  for (const name of [
    'support-agent.prompt.json',
    'weather-tools.prompt.json',
    'image-review.prompt.json',
  ]) {
    test(`accepts ${name}`, () => {
      const result = validatePrompt('openai', fixture(name));

      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.valid, true);
    });
  }

  test('accepts every content part type in user messages', () => {
    const parts = [
      '{"type":"text","text":"Describe these."}',
      '{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}',
      '{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}',
      '{"type":"file","file":{"file_id":"file-abc123","filename":"report.pdf"}}',
    ];
    const content = `[{"role":"user","content":[${parts.join(',')}]}]`;

    assert.deepEqual(validatePrompt('openai', content).diagnostics, []);
  });

  test('accepts refusals, names and custom tool calls on assistant messages', () => {
    const content = JSON.stringify([
      { role: 'user', name: 'ann', content: 'Run it.' },
      {
        role: 'assistant',
        name: 'helper',
        content: [{ type: 'refusal', refusal: 'I cannot run that.' }],
        refusal: 'I cannot run that.',
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'sql', input: 'SELECT 1' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: '1' }] },
    ]);

    assert.deepEqual(validatePrompt('openai', content).diagnostics, []);
  });
});

describe('openai problems with their exact ranges', () => {
  const cases: { name: string; content: string; code: string; at: string; occurrence?: number }[] =
    [
      {
        name: 'misspelt role',
        content: '[{"role":"asistant","content":"hi"}]',
        code: 'unknown-role',
        at: '"asistant"',
      },
      {
        name: 'unknown role',
        content: '[{"role":"robot","content":"hi"}]',
        code: 'unknown-role',
        at: '"robot"',
      },
      {
        name: 'deprecated role',
        content: '[{"role":"function","name":"f","content":"x"}]',
        code: 'deprecated-role',
        at: '"function"',
      },
      {
        name: 'role of another type',
        content: '[{"role":1,"content":"x"}]',
        code: 'invalid-type',
        at: '1',
      },
      { name: 'missing role', content: '[{"content":"hi"}]', code: 'missing-role', at: '{' },
      {
        name: 'missing content',
        content: '[{"role":"user"}]',
        code: 'missing-content',
        at: '"role":"user"',
      },
      {
        name: 'assistant without content or calls',
        content: '[{"role":"assistant"}]',
        code: 'missing-content',
        at: '"role":"assistant"',
      },
      {
        name: 'content of another type',
        content: '[{"role":"user","content":42}]',
        code: 'invalid-type',
        at: '42',
      },
      {
        name: 'message that is not an object',
        content: '["hello"]',
        code: 'invalid-type',
        at: '"hello"',
      },
      { name: 'object at the top', content: '{"role":"user"}', code: 'expected-array', at: '{' },
      { name: 'empty message array', content: '[]', code: 'empty-messages', at: '[]' },
      {
        name: 'empty content parts',
        content: '[{"role":"user","content":[]}]',
        code: 'empty-content',
        at: '[]',
      },
      {
        name: 'unknown field',
        content: '[{"role":"user","content":"hi","nmae":"bob"}]',
        code: 'unknown-field',
        at: '"nmae"',
      },
      {
        name: 'field of another role',
        content: '[{"role":"user","content":"hi","tool_call_id":"x"}]',
        code: 'unknown-field',
        at: '"tool_call_id"',
      },
      {
        name: 'repeated key',
        content: '[{"role":"user","content":"a","content":"b"}]',
        code: 'duplicate-key',
        at: '"content"',
        occurrence: 2,
      },
      {
        name: 'name of another type',
        content: '[{"role":"user","content":"a","name":7}]',
        code: 'invalid-type',
        at: '7',
      },
      {
        name: 'misspelt part type',
        content: '[{"role":"user","content":[{"type":"txt","text":"hi"}]}]',
        code: 'unknown-part-type',
        at: '"txt"',
      },
      {
        name: 'image in a system message',
        content: '[{"role":"system","content":[{"type":"image_url","image_url":{"url":"u"}}]}]',
        code: 'part-not-allowed',
        at: '"image_url"',
      },
      {
        name: 'image without url',
        content: '[{"role":"user","content":[{"type":"image_url","image_url":{"detail":"low"}}]}]',
        code: 'missing-field',
        at: '{',
        occurrence: 3,
      },
      {
        name: 'invalid image detail',
        content:
          '[{"role":"user","content":[{"type":"image_url","image_url":{"url":"u","detail":"ultra"}}]}]',
        code: 'invalid-value',
        at: '"ultra"',
      },
      {
        name: 'invalid audio format',
        content:
          '[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"ogg"}}]}]',
        code: 'invalid-value',
        at: '"ogg"',
      },
      {
        name: 'file without data or id',
        content: '[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf"}}]}]',
        code: 'missing-field',
        at: '{',
        occurrence: 3,
      },
      {
        name: 'empty tool calls',
        content: '[{"role":"assistant","tool_calls":[]}]',
        code: 'empty-tool-calls',
        at: '[]',
      },
      {
        name: 'arguments that are not JSON',
        content: `[${user()},{"role":"assistant","tool_calls":[${call('a', '{bad')}]},${toolResult('a')}]`,
        code: 'invalid-arguments',
        at: '"{bad"',
      },
      {
        name: 'arguments that are a JSON array',
        content: `[${user()},{"role":"assistant","tool_calls":[${call('a', '[1]')}]},${toolResult('a')}]`,
        code: 'arguments-not-object',
        at: '"[1]"',
      },
      {
        name: 'unknown tool call id',
        content: `[${user()},${assistantCalls('a')},${toolResult('b')}]`,
        code: 'unknown-tool-call-id',
        at: '"b"',
      },
      {
        name: 'second result for one call',
        content: `[${user()},${assistantCalls('a')},${toolResult('a')},${toolResult('a')}]`,
        code: 'duplicate-tool-result',
        at: '"a"',
        occurrence: 3,
      },
      {
        name: 'result after another message',
        content: `[${user()},${assistantCalls('a', 'b')},${toolResult('a')},${user()},${toolResult('b')}]`,
        code: 'late-tool-result',
        at: '"b"',
        occurrence: 2,
      },
      {
        name: 'call answered by no tool message',
        content: `[${user()},${assistantCalls('a', 'b')},${toolResult('a')},${user()}]`,
        code: 'unanswered-tool-call',
        at: '"b"',
      },
      {
        name: 'repeated call id',
        content: `[${user()},${assistantCalls('a', 'a')},${toolResult('a')}]`,
        code: 'duplicate-tool-call-id',
        at: '"a"',
        occurrence: 2,
      },
      {
        name: 'deprecated function_call',
        content:
          '[{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}}]',
        code: 'deprecated-field',
        at: '"function_call"',
      },
      {
        name: 'empty string content',
        content: '[{"role":"user","content":""}]',
        code: 'empty-content',
        at: '""',
      },
    ];
  for (const { name, content, code, at, occurrence } of cases) {
    test(`${name} is ${code}`, () => {
      const diagnostic = find(content, code);
      const expected = rangeOf(content, at, occurrence);
      if (at === '{') {
        expected.endColumn = expected.column + 1;
      }

      assert.ok(
        diagnostic,
        `no ${code} in ${JSON.stringify(validatePrompt('openai', content).diagnostics)}`,
      );
      assert.deepEqual(rangeOfDiagnostic(diagnostic), expected);
      assert.match(diagnostic.message, /\S;|\S\.$/);
    });
  }

  test('severities follow how OpenAI treats each problem', () => {
    const severities = {
      'unknown-role': find('[{"role":"robot","content":"hi"}]', 'unknown-role')?.severity,
      'unknown-field': find('[{"role":"user","content":"hi","x":1}]', 'unknown-field')?.severity,
      'empty-content': find('[{"role":"user","content":""}]', 'empty-content')?.severity,
      'unanswered at the end': find(`[${user()},${assistantCalls('a')}]`, 'unanswered-tool-call')
        ?.severity,
      'unanswered before a message': find(
        `[${user()},${assistantCalls('a')},${user()}]`,
        'unanswered-tool-call',
      )?.severity,
    };

    assert.deepEqual(severities, {
      'unknown-role': 'error',
      'unknown-field': 'warning',
      'empty-content': 'warning',
      'unanswered at the end': 'warning',
      'unanswered before a message': 'error',
    });
  });

  test('unknown role message names the close role', () => {
    const diagnostic = find('[{"role":"asistant","content":"hi"}]', 'unknown-role');

    assert.match(diagnostic?.message ?? '', /Did you mean "assistant"\?/);
  });

  test('object with a messages key says to keep the array', () => {
    const diagnostic = find('{"messages":[{"role":"user","content":"hi"}]}', 'expected-array');

    assert.match(diagnostic?.message ?? '', /keep only the value of "messages"/);
  });

  test('empty file is an error', () => {
    for (const content of ['', '  \n\t']) {
      const result = validatePrompt('openai', content);

      assert.equal(result.valid, false);
      assert.equal(result.diagnostics[0]?.code, 'empty-file');
    }
  });
});

describe('openai quick fixes', () => {
  const fixes: { name: string; content: string; code: string; fixed: string }[] = [
    {
      name: 'misspelt role',
      content: '[{"role":"asistant","content":"hi"}]',
      code: 'unknown-role',
      fixed: '[{"role":"assistant","content":"hi"}]',
    },
    {
      name: 'role in capitals',
      content: '[{"role":"User","content":"hi"}]',
      code: 'unknown-role',
      fixed: '[{"role":"user","content":"hi"}]',
    },
    {
      name: 'misspelt field',
      content: '[{"role":"user","contnet":"hi"}]',
      code: 'unknown-field',
      fixed: '[{"role":"user","content":"hi"}]',
    },
    {
      name: 'misspelt part type',
      content: '[{"role":"user","content":[{"type":"txt","text":"hi"}]}]',
      code: 'unknown-part-type',
      fixed: '[{"role":"user","content":[{"type":"text","text":"hi"}]}]',
    },
    {
      name: 'arguments written as an object',
      content: `[${user()},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":{"city": "Paris"}}}]},${toolResult('a')}]`,
      code: 'invalid-type',
      fixed: `[${user()},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{\\"city\\":\\"Paris\\"}"}}]},${toolResult('a')}]`,
    },
    {
      name: 'tool result with a wrong id',
      content: `[${user()},${assistantCalls('call_1')},${toolResult('call1')}]`,
      code: 'unknown-tool-call-id',
      fixed: `[${user()},${assistantCalls('call_1')},${toolResult('call_1')}]`,
    },
    {
      name: 'trailing comma',
      content: '[{"role":"user","content":"hi"},]',
      code: 'invalid-json',
      fixed: '[{"role":"user","content":"hi"}]',
    },
    {
      name: 'missing comma',
      content: '[{"role":"user" "content":"hi"}]',
      code: 'invalid-json',
      fixed: '[{"role":"user", "content":"hi"}]',
    },
  ];
  for (const { name, content, code, fixed } of fixes) {
    test(`fixes ${name}`, () => {
      const result = applyFix(content, find(content, code));

      assert.equal(result, fixed);
      assert.deepEqual(validatePrompt('openai', result).diagnostics, []);
    });
  }
});

describe('openai JSON syntax errors', () => {
  const cases: [string, string, string, RegExp][] = [
    ['unclosed string', '[{"role":"user","content":"hi}]', '"hi}]', /not closed/],
    ['single quotes', "[{'role':'user'}]", "'role'", /double quotes/],
    [
      'comment',
      '[{"role":"user","content":"hi"} // note\n]',
      '// note',
      /Comments are not allowed/,
    ],
    ['tab in a string', '[{"role":"user","content":"a\tb"}]', '"a\tb"', /escaped/],
    ['invalid escape', '[{"role":"user","content":"a\\qb"}]', '"a\\qb"', /escape sequence/],
    ['text after the array', '[{"role":"user","content":"hi"}] extra', 'extra', /Unexpected/],
  ];
  for (const [name, content, at, message] of cases) {
    test(`reports ${name} where it is`, () => {
      const [first] = validatePrompt('openai', content).diagnostics;

      assert.equal(first?.code, 'invalid-json');
      assert.deepEqual(rangeOfDiagnostic(first), rangeOf(content, at));
      assert.match(first?.message ?? '', message);
    });
  }

  test('reports a missing bracket at the end of a later line', () => {
    const content = '[\n  {"role": "user", "content": "hi"}\n';
    const [first] = validatePrompt('openai', content).diagnostics;

    assert.deepEqual(rangeOfDiagnostic(first), { line: 3, column: 1, endLine: 3, endColumn: 1 });
    assert.match(first?.message ?? '', /Expected "\]"/);
  });

  test('adjacent digits get no comma fix', () => {
    const content = '[{"role":"user","content":01}]';
    const diagnostics = validatePrompt('openai', content).diagnostics;

    assert.ok(diagnostics.length > 0);
    assert.ok(diagnostics.every((d) => d.fix === undefined));
  });
});

describe('openai declared variables', () => {
  const content = '[{"role":"system","content":"Hi {{name}}, about {{topic}}."}]';

  test('no checks without a declared list', () => {
    assert.deepEqual(validatePrompt('openai', content).diagnostics, []);
  });

  test('undeclared and unused variables against the list', () => {
    const { diagnostics } = validatePrompt('openai', content, {
      variables: ['name', { name: 'audience', description: 'Who reads it' }],
    });

    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.line, d.column, d.endColumn]),
      [
        ['unused-variable', 'warning', 1, 1, 1],
        ['undeclared-variable', 'warning', 1, 49, 58],
      ],
    );
    assert.deepEqual(diagnostics[1]?.fix, {
      title: 'Declare "topic"',
      edits: [],
      declareVariables: ['topic'],
    });
  });

  test('invalid JSON skips the declaration checks', () => {
    const { diagnostics } = validatePrompt('openai', '[{', { variables: ['name'] });

    assert.ok(diagnostics.every((d) => d.code === 'invalid-json'));
  });
});
