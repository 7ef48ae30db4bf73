import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DiagnosticSink } from './diagnostics.js';
import { applyFix } from './testing/textEdits.js';
import { fillVariables, scanVariables } from './variables.js';

function scan(text: string) {
  const sink = new DiagnosticSink(text);
  const uses = scanVariables(text, 0, text.length, sink);
  return { uses, diagnostics: sink.toResult().diagnostics };
}

describe('scanVariables', () => {
  const valid: [string, string[]][] = [
    ['Hi {{name}}!', ['name']],
    ['Hi {{ name }} and {{\tuser.first-name\t}}', ['name', 'user.first-name']],
    ['{{名前}} and {{_x1}} and {{Straße}}', ['名前', '_x1', 'Straße']],
    ['{{a}}{{b}}', ['a', 'b']],
    ['no variables, just { braces } and }', []],
  ];
  for (const [text, names] of valid) {
    test(`finds ${JSON.stringify(text)}`, () => {
      const { uses, diagnostics } = scan(text);

      assert.deepEqual(
        uses.map((use) => use.name),
        names,
      );
      assert.deepEqual(diagnostics, []);
    });
  }

  test('records the span of the braces and the name', () => {
    const [use] = scan('Hi {{ name }}!').uses;

    assert.deepEqual(use, { name: 'name', start: 3, end: 13, nameStart: 6, nameEnd: 10 });
  });

  const problems: [string, string, string, [number, number, number, number]][] = [
    ['Hi {{name', 'unclosed-variable', 'error', [1, 4, 1, 10]],
    ['{{}}', 'invalid-variable-name', 'error', [1, 1, 1, 5]],
    ['{{ 1abc }}', 'invalid-variable-name', 'error', [1, 4, 1, 8]],
    ['{{first name}}', 'invalid-variable-name', 'error', [1, 3, 1, 13]],
    ['{{ .System }}', 'invalid-variable-name', 'error', [1, 4, 1, 11]],
    ['a }} b', 'stray-closing-braces', 'warning', [1, 3, 1, 5]],
  ];
  for (const [text, code, severity, [line, column, endLine, endColumn]] of problems) {
    test(`reports ${code} in ${JSON.stringify(text)}`, () => {
      const { diagnostics } = scan(text);

      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.code, code);
      assert.equal(diagnostics[0]?.severity, severity);
      assert.deepEqual(
        [
          diagnostics[0]?.line,
          diagnostics[0]?.column,
          diagnostics[0]?.endLine,
          diagnostics[0]?.endColumn,
        ],
        [line, column, endLine, endColumn],
      );
    });
  }

  test('variable does not span lines', () => {
    const { uses, diagnostics } = scan('Hi {{name\nnext}}');

    assert.deepEqual(uses, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line, d.column, d.endColumn]),
      [
        ['unclosed-variable', 1, 4, 10],
        ['stray-closing-braces', 2, 5, 7],
      ],
    );
  });

  test('nested opening braces', () => {
    const { uses, diagnostics } = scan('{{ {{a}} }}');

    assert.deepEqual(
      uses.map((use) => use.name),
      ['a'],
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.column, d.endColumn]),
      [
        ['unclosed-variable', 1, 3],
        ['stray-closing-braces', 10, 12],
      ],
    );
  });

  test('unclosed variable fix adds the braces', () => {
    const text = 'Hi {{name and more';
    const fixed = applyFix(text, scan(text).diagnostics[0]);

    assert.equal(fixed, 'Hi {{name}} and more');
    assert.deepEqual(scan(fixed).diagnostics, []);
  });

  test('unclosed variable without a valid name has no fix', () => {
    const { diagnostics } = scan('Hi {{ 1st');

    assert.equal(diagnostics[0]?.code, 'unclosed-variable');
    assert.equal(diagnostics[0]?.fix, undefined);
  });

  test('stray braces fix removes them', () => {
    const text = 'a }} b';

    assert.equal(applyFix(text, scan(text).diagnostics[0]), 'a  b');
  });

  test('scans only the given range', () => {
    const text = '{{a}} {{b}} {{c}}';
    const uses = scanVariables(text, 6, 11);

    assert.deepEqual(
      uses.map((use) => use.name),
      ['b'],
    );
  });
});

describe('fillVariables', () => {
  test('replaces every use and keeps unknown ones', () => {
    const lookup = (name: string) => (name === 'name' ? 'Ann' : undefined);

    assert.equal(fillVariables('Hi {{ name }}, {{name}}{{other}}', lookup), 'Hi Ann, Ann{{other}}');
  });

  test('inserts values literally', () => {
    const filled = fillVariables('[{{x}}]', () => '{{y}} $& \\n');

    assert.equal(filled, '[{{y}} $& \\n]');
  });
});
