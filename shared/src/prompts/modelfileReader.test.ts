import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DiagnosticSink } from './diagnostics.js';
import { parseModelfile } from './modelfileParser.js';
import { applyFix, rangeOf } from './testing/textEdits.js';
import type { PromptDiagnostic } from './types.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function find(content: string, code: string): PromptDiagnostic | undefined {
  return validatePrompt('ollama', content).diagnostics.find((d) => d.code === code);
}

function parse(text: string) {
  const sink = new DiagnosticSink(text);
  const instructions = parseModelfile(text, sink);
  return { instructions, problems: sink.problems };
}

describe('Modelfiles that validate cleanly', () => {
  for (const name of ['llama3-assistant.modelfile', 'Modelfile']) {
    test(`accepts ${name}`, () => {
      const result = validatePrompt('ollama', fixture(name));

      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.valid, true);
    });
  }

  const clean: [string, string][] = [
    ['split GGUF parts', 'FROM ./m-00001-of-00002.gguf\nFROM ./m-00002-of-00002.gguf\n'],
    ['repeated stop', 'FROM x\nPARAMETER stop "</s>"\nPARAMETER stop "User:"\n'],
    ['few-shot messages', 'FROM x\nMESSAGE user Is Toronto in Canada?\nMESSAGE assistant yes\n'],
    [
      'runtime options',
      'FROM x\nPARAMETER num_gpu -1\nPARAMETER num_thread 8\nPARAMETER typical_p .9\n',
    ],
    ['booleans as Go reads them', 'FROM x\nPARAMETER use_mmap F\n'],
    ['numbers with exponents', 'FROM x\nPARAMETER temperature 7e-1\nPARAMETER seed -3\n'],
    ['two-part versions', 'FROM x\nREQUIRES v0.14\n'],
    [
      'template with else, with and comments',
      'FROM x\nTEMPLATE """{{/* sys */}}{{ with .System }}{{ . }}{{ else }}none{{ end }}{{ if .Prompt }}{{ "}}" }}{{ end }}"""\n',
    ],
  ];
  for (const [name, content] of clean) {
    test(`accepts ${name}`, () => {
      assert.deepEqual(validatePrompt('ollama', content).diagnostics, []);
    });
  }
});

describe('Modelfile problems with their exact ranges', () => {
  const cases: {
    name: string;
    content: string;
    code: string;
    at: string;
    occurrence?: number;
    severity?: string;
  }[] = [
    {
      name: 'no FROM',
      content: 'PARAMETER temperature 0.7\n',
      code: 'missing-from',
      at: 'PARAMETER',
    },
    { name: 'two FROM lines', content: 'FROM a\nFROM b\n', code: 'duplicate-from', at: 'FROM b' },
    {
      name: 'misspelt instruction',
      content: 'FROM x\nSYTEM hi\n',
      code: 'unknown-instruction',
      at: 'SYTEM',
    },
    { name: 'FROM without a model', content: 'FROM\n', code: 'missing-value', at: 'FROM' },
    { name: 'FROM with an empty value', content: 'FROM ""\n', code: 'missing-value', at: '""' },
    {
      name: 'undocumented instruction',
      content: 'FROM x\nRENDERER qwen3\n',
      code: 'undocumented-instruction',
      at: 'RENDERER',
      severity: 'info',
    },
    {
      name: 'PARAMETER without a value',
      content: 'FROM x\nPARAMETER temperature\n',
      code: 'missing-value',
      at: 'PARAMETER temperature',
    },
    {
      name: 'misspelt parameter',
      content: 'FROM x\nPARAMETER temprature 0.7\n',
      code: 'unknown-parameter',
      at: 'temprature',
    },
    {
      name: 'deprecated parameter',
      content: 'FROM x\nPARAMETER mirostat 1\n',
      code: 'deprecated-parameter',
      at: 'mirostat',
      severity: 'warning',
    },
    {
      name: 'text for an integer',
      content: 'FROM x\nPARAMETER num_ctx 4k\n',
      code: 'invalid-parameter-value',
      at: '4k',
    },
    {
      name: 'text for a float',
      content: 'FROM x\nPARAMETER temperature hot\n',
      code: 'invalid-parameter-value',
      at: 'hot',
    },
    {
      name: 'fraction for an integer',
      content: 'FROM x\nPARAMETER top_k 2.5\n',
      code: 'invalid-parameter-value',
      at: '2.5',
    },
    {
      name: 'word for a boolean',
      content: 'FROM x\nPARAMETER use_mmap maybe\n',
      code: 'invalid-parameter-value',
      at: 'maybe',
    },
    {
      name: 'top_p above 1',
      content: 'FROM x\nPARAMETER top_p 1.5\n',
      code: 'parameter-out-of-range',
      at: '1.5',
      severity: 'warning',
    },
    {
      name: 'repeated parameter',
      content: 'FROM x\nPARAMETER temperature 0.1\nPARAMETER temperature 0.2\n',
      code: 'duplicate-parameter',
      at: 'temperature',
      occurrence: 2,
      severity: 'warning',
    },
    {
      name: 'role in capitals',
      content: 'FROM x\nMESSAGE User hi\n',
      code: 'unknown-role',
      at: 'User',
    },
    {
      name: 'tool role',
      content: 'FROM x\nMESSAGE tool result\n',
      code: 'unknown-role',
      at: 'tool',
    },
    {
      name: 'unclosed triple quotes',
      content: 'FROM x\nSYSTEM """Hello\nworld\n',
      code: 'unterminated-string',
      at: '"""',
    },
    {
      name: 'unclosed quote',
      content: 'FROM x\nSYSTEM "Hello\n',
      code: 'unterminated-string',
      at: '"',
    },
    {
      name: 'text after closing quotes',
      content: 'FROM x\nSYSTEM """Hello""" there\n',
      code: 'text-after-quote',
      at: 'there',
    },
    {
      name: 'text after a quote that a later line closes',
      content: 'FROM x\nSYSTEM "Hello" world\nmore text"\n',
      code: 'text-after-quote',
      at: 'world',
      severity: 'warning',
    },
    {
      name: 'second SYSTEM',
      content: 'FROM x\nSYSTEM a\nSYSTEM b\n',
      code: 'duplicate-instruction',
      at: 'SYSTEM',
      occurrence: 2,
      severity: 'warning',
    },
    {
      name: 'invalid version',
      content: 'FROM x\nREQUIRES latest\n',
      code: 'invalid-version',
      at: 'latest',
    },
    {
      name: 'if without end',
      content: 'FROM x\nTEMPLATE """{{ if .System }}{{ .System }}"""\n',
      code: 'template-syntax',
      at: '{{ if .System }}',
    },
    {
      name: 'end without block',
      content: 'FROM x\nTEMPLATE "{{ .Prompt }}{{- end }}"\n',
      code: 'template-syntax',
      at: '{{- end }}',
    },
    {
      name: 'unclosed action',
      content: 'FROM x\nTEMPLATE "{{ .Prompt"\n',
      code: 'template-syntax',
      at: '{{',
    },
    {
      name: 'unclosed variable in SYSTEM',
      content: 'FROM x\nSYSTEM Hi {{name\n',
      code: 'unclosed-variable',
      at: '{{name',
    },
  ];
  for (const { name, content, code, at, occurrence, severity = 'error' } of cases) {
    test(`${name} is ${code}`, () => {
      const diagnostic = find(content, code);

      assert.ok(
        diagnostic,
        `no ${code} in ${JSON.stringify(validatePrompt('ollama', content).diagnostics)}`,
      );
      const { line, column, endLine, endColumn } = diagnostic;
      assert.deepEqual({ line, column, endLine, endColumn }, rangeOf(content, at, occurrence));
      assert.equal(diagnostic.severity, severity);
    });
  }

  test('text after a quote names the line where the value ends', () => {
    const diagnostic = find('FROM x\nSYSTEM "Hello" world\nmore text"\n', 'text-after-quote');

    assert.match(diagnostic?.message ?? '', /until line 3/);
  });

  test('variables inside TEMPLATE are Ollama template actions', () => {
    const content = 'FROM x\nTEMPLATE """{{ .System }} {{ .Prompt }}"""\nSYSTEM Hi {{name}}\n';
    const { diagnostics } = validatePrompt('ollama', content, { variables: [] });

    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line]),
      [['undeclared-variable', 3]],
    );
  });
});

describe('Modelfile quick fixes', () => {
  const fixes: { name: string; content: string; code: string; fixed: string }[] = [
    {
      name: 'missing FROM',
      content: 'PARAMETER temperature 0.7\n',
      code: 'missing-from',
      fixed: 'FROM <model>\nPARAMETER temperature 0.7\n',
    },
    {
      name: 'missing FROM after comments',
      content: '# Support bot\nSYSTEM Be brief.\n',
      code: 'missing-from',
      fixed: '# Support bot\nFROM <model>\nSYSTEM Be brief.\n',
    },
    {
      name: 'missing FROM in an empty file',
      content: '',
      code: 'missing-from',
      fixed: 'FROM <model>\n',
    },
    {
      name: 'misspelt instruction',
      content: 'FROM x\nSYTEM hi\n',
      code: 'unknown-instruction',
      fixed: 'FROM x\nSYSTEM hi\n',
    },
    {
      name: 'misspelt parameter',
      content: 'FROM x\nPARAMETER temprature 0.7\n',
      code: 'unknown-parameter',
      fixed: 'FROM x\nPARAMETER temperature 0.7\n',
    },
    {
      name: 'parameter in capitals',
      content: 'FROM x\nPARAMETER Num_Ctx 4096\n',
      code: 'unknown-parameter',
      fixed: 'FROM x\nPARAMETER num_ctx 4096\n',
    },
    {
      name: 'misspelt role',
      content: 'FROM x\nMESSAGE asistant Sure.\n',
      code: 'unknown-role',
      fixed: 'FROM x\nMESSAGE assistant Sure.\n',
    },
  ];
  for (const { name, content, code, fixed } of fixes) {
    test(`fixes ${name}`, () => {
      const result = applyFix(content, find(content, code));

      assert.equal(result, fixed);
      assert.deepEqual(validatePrompt('ollama', result).diagnostics, []);
    });
  }

  test('tool role has no fix', () => {
    assert.equal(find('FROM x\nMESSAGE tool result\n', 'unknown-role')?.fix, undefined);
  });
});

describe('parseModelfile', () => {
  test('reads instructions in any letter case', () => {
    const { instructions } = parse('from llama3.2\nParameter temperature 1\nsystem Be brief.\n');

    assert.deepEqual(
      instructions.map((i) => [i.name, i.argument?.text, i.value?.text]),
      [
        ['from', undefined, 'llama3.2'],
        ['parameter', 'temperature', '1'],
        ['system', undefined, 'Be brief.'],
      ],
    );
  });

  test('reads a triple-quoted value over several lines', () => {
    const { instructions, problems } = parse('TEMPLATE """line 1\n  line "2"\nline 3"""\nFROM x\n');

    assert.deepEqual(problems, []);
    assert.equal(instructions[0]?.value?.text, 'line 1\n  line "2"\nline 3');
    assert.equal(instructions[0]?.value?.quote, '"""');
    assert.equal(instructions[1]?.name, 'from');
  });

  test('reads a double-quoted value over several lines', () => {
    const { instructions } = parse('SYSTEM "first\nsecond"\nFROM x\n');

    assert.equal(instructions[0]?.value?.text, 'first\nsecond');
  });

  test('keeps quotes inside a bare value', () => {
    const { instructions } = parse('SYSTEM He said "hi" to me  \n');

    assert.equal(instructions[0]?.value?.text, 'He said "hi" to me');
    assert.equal(instructions[0]?.value?.quote, '');
  });

  test('reads # as text inside a value', () => {
    const { instructions } = parse('  # a comment\nSYSTEM # not a comment\n');

    assert.equal(instructions.length, 1);
    assert.equal(instructions[0]?.value?.text, '# not a comment');
  });

  test('reads CRLF line endings', () => {
    const { instructions, problems } = parse(
      'FROM x\r\nSYSTEM """a\r\nb"""\r\nMESSAGE user hi\r\n',
    );

    assert.deepEqual(problems, []);
    assert.deepEqual(
      instructions.map((i) => i.value?.text),
      ['x', 'a\r\nb', 'hi'],
    );
  });

  test('empty quoted values', () => {
    const { instructions, problems } = parse('SYSTEM ""\nTEMPLATE """"""\n');

    assert.deepEqual(problems, []);
    assert.deepEqual(
      instructions.map((i) => i.value?.text),
      ['', ''],
    );
  });
});
