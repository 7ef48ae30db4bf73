import type { DiagnosticSink } from './diagnostics.js';
import type { ModelfileInstruction } from './modelfileParser.js';
import { closestMatch, didYouMean } from './suggest.js';

type ParameterType = 'int' | 'float' | 'bool' | 'string';

interface ParameterSpec {
  type: ParameterType;
  /** Inclusive bounds outside which a value is almost certainly a mistake. */
  min?: number;
  max?: number;
}

/**
 * PARAMETER names and value types. The first group is the table in Ollama's Modelfile reference
 * (docs/modelfile.mdx in the ollama repository). The second group lists the other runtime
 * options of Ollama's api.Options and api.Runner types, which a Modelfile accepts too.
 */
const PARAMETERS = new Map<string, ParameterSpec>([
  ['num_ctx', { type: 'int', min: 1 }],
  ['repeat_last_n', { type: 'int', min: -1 }],
  ['repeat_penalty', { type: 'float', min: 0 }],
  ['temperature', { type: 'float', min: 0 }],
  ['seed', { type: 'int' }],
  ['stop', { type: 'string' }],
  ['num_predict', { type: 'int', min: -2 }],
  ['draft_num_predict', { type: 'int', min: 0 }],
  ['top_k', { type: 'int', min: 0 }],
  ['top_p', { type: 'float', min: 0, max: 1 }],
  ['min_p', { type: 'float', min: 0, max: 1 }],

  ['num_keep', { type: 'int' }],
  ['typical_p', { type: 'float', min: 0, max: 1 }],
  ['presence_penalty', { type: 'float' }],
  ['frequency_penalty', { type: 'float' }],
  ['num_batch', { type: 'int', min: 1 }],
  ['num_gpu', { type: 'int', min: -1 }],
  ['main_gpu', { type: 'int', min: 0 }],
  ['use_mmap', { type: 'bool' }],
  ['num_thread', { type: 'int', min: 0 }],
]);

/** Parameters Ollama's parser still accepts but ignores, printing a deprecation warning. */
const DEPRECATED_PARAMETERS = [
  'penalize_newline',
  'low_vram',
  'f16_kv',
  'logits_all',
  'vocab_only',
  'use_mlock',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
];

/** Parameters that may repeat; every other one keeps only its last value. */
const REPEATABLE_PARAMETERS = ['stop'];

const PARAMETER_NAMES = [...PARAMETERS.keys()];

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** The spellings Go's strconv.ParseBool accepts. */
const BOOLEANS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];

const TYPE_HINTS: Record<ParameterType, string> = {
  int: 'a whole number, such as 4096',
  float: 'a number, such as 0.7',
  bool: 'true or false',
  string: 'text',
};

/** Checks PARAMETER instructions: known names, value types, ranges and repeats. */
export function checkParameters(
  instructions: readonly ModelfileInstruction[],
  sink: DiagnosticSink,
): void {
  const seen = new Map<string, ModelfileInstruction>();
  for (const instruction of instructions) {
    const { argument, value } = instruction;
    if (instruction.name !== 'parameter' || !argument || !value) {
      continue;
    }
    const name = argument.text;
    const spec = PARAMETERS.get(name);
    if (!spec) {
      reportUnknownParameter(instruction, sink);
      continue;
    }
    checkValue(name, spec, instruction, sink);
    const earlier = seen.get(name);
    if (earlier && !REPEATABLE_PARAMETERS.includes(name)) {
      sink.warning(
        'duplicate-parameter',
        argument,
        `${name} is already set on line ${sink.lineOf(earlier.start)}; Ollama uses only the ` +
          'last value, so remove one of them.',
      );
    }
    seen.set(name, instruction);
  }
}

function reportUnknownParameter(instruction: ModelfileInstruction, sink: DiagnosticSink): void {
  const argument = instruction.argument;
  if (!argument) {
    return;
  }
  const name = argument.text;
  if (DEPRECATED_PARAMETERS.includes(name)) {
    sink.warning(
      'deprecated-parameter',
      argument,
      `Parameter ${name} is deprecated and Ollama ignores it; remove this line.`,
    );
    return;
  }
  const suggestion = closestMatch(name, PARAMETER_NAMES);
  sink.error(
    'unknown-parameter',
    argument,
    `Unknown parameter "${name}".${didYouMean(suggestion)}` +
      (suggestion ? '' : ` Known parameters: ${PARAMETER_NAMES.join(', ')}.`),
    suggestion === undefined
      ? undefined
      : {
          title: `Change "${name}" to "${suggestion}"`,
          edits: [{ start: argument.start, end: argument.end, newText: suggestion }],
        },
  );
}

function checkValue(
  name: string,
  spec: ParameterSpec,
  instruction: ModelfileInstruction,
  sink: DiagnosticSink,
): void {
  const value = instruction.value;
  if (!value || spec.type === 'string') {
    return;
  }
  const text = value.text.trim();
  const valid =
    spec.type === 'int'
      ? INTEGER.test(text)
      : spec.type === 'float'
        ? FLOAT.test(text)
        : BOOLEANS.includes(text);
  if (!valid) {
    sink.error(
      'invalid-parameter-value',
      value,
      `${name} takes ${TYPE_HINTS[spec.type]}; "${value.text}" is not one.`,
    );
    return;
  }
  const number = Number(text);
  const tooLow = spec.min !== undefined && number < spec.min;
  const tooHigh = spec.max !== undefined && number > spec.max;
  if (spec.type !== 'bool' && (tooLow || tooHigh)) {
    const range =
      spec.max === undefined ? `at least ${spec.min}` : `from ${spec.min} to ${spec.max}`;
    sink.warning('parameter-out-of-range', value, `${name} is ${text}, but it should be ${range}.`);
  }
}
