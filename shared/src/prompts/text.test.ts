import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineIndex, lineBreakOf, normalizeNewlines, stripBom } from './text.js';
import { applyFix } from './testing/textEdits.js';
import type { PromptDiagnostic, PromptFormat } from './types.js';
import { validatePrompt } from './validate.js';

function first(format: PromptFormat, content: string, code: string): PromptDiagnostic {
  const diagnostic = validatePrompt(format, content).diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `no ${code}`);
  return diagnostic;
}

function span(diagnostic: PromptDiagnostic): [number, number, number, number] {
  return [diagnostic.line, diagnostic.column, diagnostic.endLine, diagnostic.endColumn];
}

describe('LineIndex', () => {
  const text = 'ab\r\ncd\ref\ngh';
  const cases: [number, number, number][] = [
    [0, 1, 1],
    [2, 1, 3],
    [4, 2, 1],
    [6, 2, 3],
    [7, 3, 1],
    [10, 4, 1],
    [12, 4, 3],
    [99, 4, 3],
    [-5, 1, 1],
  ];
  for (const [offset, line, column] of cases) {
    test(`offset ${offset} is line ${line}, column ${column}`, () => {
      assert.deepEqual(new LineIndex(text).position(offset), { line, column });
    });
  }

  test('counts UTF-16 code units', () => {
    const index = new LineIndex('😀é中x');

    assert.deepEqual(index.position(4), { line: 1, column: 5 });
  });
});

describe('text helpers', () => {
  test('stripBom removes only a leading mark', () => {
    assert.equal(stripBom('\uFEFFa\uFEFF'), 'a\uFEFF');
    assert.equal(stripBom('a'), 'a');
  });

  test('normalizeNewlines turns CRLF and CR into LF', () => {
    assert.equal(normalizeNewlines('a\r\nb\rc\n'), 'a\nb\nc\n');
  });

  test('lineBreakOf prefers CRLF when the text has one', () => {
    assert.equal(lineBreakOf('a\r\nb'), '\r\n');
    assert.equal(lineBreakOf('a\nb'), '\n');
  });
});

describe('positions with a byte order mark', () => {
  test('openai columns start after the mark', () => {
    const content = '\uFEFF[{"role":"asistant","content":"hi"}]';
    const diagnostic = first('openai', content, 'unknown-role');

    assert.deepEqual(span(diagnostic), [1, 10, 1, 20]);
    assert.equal(applyFix(content, diagnostic), '\uFEFF[{"role":"assistant","content":"hi"}]');
  });

  test('Modelfile with a mark reads its first instruction', () => {
    const content = '\uFEFFFROM llama3.2\nSYTEM hi\n';

    assert.deepEqual(span(first('ollama', content, 'unknown-instruction')), [2, 1, 2, 6]);
    assert.equal(validatePrompt('ollama', '\uFEFFFROM llama3.2\n').valid, true);
  });

  test('custom front matter after a mark', () => {
    const content = '\uFEFF---\nname: x\n---\n{{c}}\n';
    const diagnostic = first('custom', content, 'undeclared-variable');

    assert.deepEqual(span(diagnostic), [4, 1, 4, 6]);
    assert.equal(
      applyFix(content, diagnostic),
      '\uFEFF---\nname: x\nvariables:\n  - c\n---\n{{c}}\n',
    );
  });
});

describe('positions with CRLF and CR line endings', () => {
  test('openai', () => {
    const content = '[\r\n  {"role": "asistant", "content": "hi"}\r\n]\r\n';

    assert.deepEqual(span(first('openai', content, 'unknown-role')), [2, 12, 2, 22]);
  });

  test('openai syntax error on a later line', () => {
    const content = '[\r\n  {"role": "user", "content": "hi"},\r\n]\r\n';

    assert.deepEqual(span(first('openai', content, 'invalid-json')), [2, 36, 2, 37]);
  });

  test('Modelfile', () => {
    const content = 'FROM x\r\nPARAMETER temprature 0.7\r\n';

    assert.deepEqual(span(first('ollama', content, 'unknown-parameter')), [2, 11, 2, 21]);
  });

  test('Modelfile with lone CR', () => {
    assert.deepEqual(
      span(first('ollama', 'FROM x\rSYTEM hi', 'unknown-instruction')),
      [2, 1, 2, 6],
    );
  });

  test('Modelfile missing FROM fix uses CRLF', () => {
    const content = 'SYSTEM hi\r\n';

    assert.equal(
      applyFix(content, first('ollama', content, 'missing-from')),
      'FROM <model>\r\nSYSTEM hi\r\n',
    );
  });

  test('custom heading on a CRLF line', () => {
    const content = '## @user\r\nHi\r\n## @asistant\r\nHello\r\n';

    assert.deepEqual(span(first('custom', content, 'unknown-role')), [3, 4, 3, 13]);
  });
});

describe('positions with non-ASCII text', () => {
  test('openai counts an emoji as two columns', () => {
    const content = '[{"role":"user","content":"😀 {{ 名前 }} {{bad name}}"}]';

    assert.deepEqual(span(first('openai', content, 'invalid-variable-name')), [1, 42, 1, 50]);
  });

  test('openai with CJK before the role', () => {
    const content = '[{"name":"李雷","role":"usr","content":"你好"}]';
    const diagnostic = first('openai', content, 'unknown-role');

    assert.deepEqual(span(diagnostic), [1, 22, 1, 27]);
    assert.equal(applyFix(content, diagnostic), '[{"name":"李雷","role":"user","content":"你好"}]');
  });

  test('Modelfile with CJK before a variable', () => {
    assert.deepEqual(
      span(first('ollama', 'FROM x\nSYSTEM 你好 {{名前}\n', 'unclosed-variable')),
      [2, 11, 2, 15],
    );
  });

  test('custom heading with an emoji role', () => {
    assert.deepEqual(span(first('custom', '## @👤\nHi\n', 'unknown-role')), [1, 4, 1, 7]);
  });

  test('custom front matter with emoji before a misspelt key', () => {
    const content = '---\nname: "🚀 Launch"\ncategry: ops\n---\nGo.\n';

    assert.deepEqual(span(first('custom', content, 'unknown-key')), [3, 1, 3, 8]);
  });
});
