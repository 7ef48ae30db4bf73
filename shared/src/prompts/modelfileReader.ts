import type { DiagnosticSink } from './diagnostics.js';
import type { ModelfileSettings, PromptDocument, PromptMessage } from './document.js';
import { checkGoTemplate } from './goTemplate.js';
import { checkParameters } from './modelfileParameters.js';
import { parseModelfile, type ModelfileInstruction } from './modelfileParser.js';
import { closestMatch, didYouMean } from './suggest.js';
import { lineBreakOf, lineStartAt, normalizeNewlines } from './text.js';
import { appendAll, scanVariables, type VariableUse } from './variables.js';

/** Instructions in Ollama's Modelfile reference (docs/modelfile.mdx). */
const DOCUMENTED_INSTRUCTIONS = [
  'FROM',
  'PARAMETER',
  'TEMPLATE',
  'SYSTEM',
  'ADAPTER',
  'LICENSE',
  'MESSAGE',
  'REQUIRES',
];

/** Instructions Ollama's parser accepts that the reference does not describe. */
const UNDOCUMENTED_INSTRUCTIONS = ['DRAFT', 'RENDERER', 'PARSER'];

const ALL_INSTRUCTIONS = [...DOCUMENTED_INSTRUCTIONS, ...UNDOCUMENTED_INSTRUCTIONS];

/** MESSAGE roles Ollama's parser accepts; it compares them case-sensitively. */
const MODELFILE_ROLES = ['system', 'user', 'assistant'] as const;

/** Instructions that keep only their last value when repeated. */
const SINGLE_INSTRUCTIONS = ['system', 'template', 'adapter', 'requires'];

/** golang.org/x/mod/semver accepts vMAJOR, vMAJOR.MINOR and full versions; Ollama adds the v. */
const SEMVER = /^v?\d+(?:\.\d+(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/;

export interface ModelfileAnalysis {
  document: PromptDocument;
  instructions: ModelfileInstruction[];
  /** SYSTEM and MESSAGE instructions whose values hold at least one variable. */
  variableInstructions: ModelfileInstruction[];
  uses: VariableUse[];
}

/**
 * Reads a Modelfile. SYSTEM and MESSAGE values can hold `{{variables}}`; a TEMPLATE is a Go
 * template whose `{{ ... }}` actions belong to Ollama and are not variables.
 */
export function analyzeModelfile(text: string, sink: DiagnosticSink): ModelfileAnalysis {
  const instructions = parseModelfile(text, sink);
  const uses: VariableUse[] = [];
  const variableInstructions: ModelfileInstruction[] = [];
  for (const instruction of instructions) {
    checkInstruction(instruction, sink);
    const value = instruction.value;
    if (value && (instruction.name === 'system' || instruction.name === 'message')) {
      const found = scanVariables(text, value.contentStart, value.contentEnd, sink);
      if (found.length > 0) {
        variableInstructions.push(instruction);
        appendAll(uses, found);
      }
    }
    if (value && instruction.name === 'template') {
      checkGoTemplate(text, value.contentStart, value.contentEnd, sink);
    }
  }
  checkFrom(instructions, text, sink);
  checkRepeats(instructions, sink);
  checkParameters(instructions, sink);
  return { document: buildDocument(instructions), instructions, variableInstructions, uses };
}

function checkInstruction(instruction: ModelfileInstruction, sink: DiagnosticSink): void {
  const { keyword, name, argument, value } = instruction;
  if (!ALL_INSTRUCTIONS.includes(name.toUpperCase())) {
    const suggestion = closestMatch(keyword.text.toUpperCase(), DOCUMENTED_INSTRUCTIONS);
    sink.error(
      'unknown-instruction',
      keyword,
      `Unknown instruction "${keyword.text}"; a Modelfile line starts with one of ` +
        `${DOCUMENTED_INSTRUCTIONS.join(', ')}, or # for a comment.${didYouMean(suggestion)}`,
      suggestion === undefined
        ? undefined
        : {
            title: `Change "${keyword.text}" to "${suggestion}"`,
            edits: [{ start: keyword.start, end: keyword.end, newText: suggestion }],
          },
    );
    return;
  }
  const label = keyword.text.toUpperCase();
  if (UNDOCUMENTED_INSTRUCTIONS.includes(label)) {
    sink.report({
      severity: 'info',
      code: 'undocumented-instruction',
      start: keyword.start,
      end: keyword.end,
      message:
        `${label} is accepted by Ollama's parser but not described in the Modelfile reference; ` +
        'check that your Ollama version supports it.',
    });
  }
  if ((name === 'from' || name === 'adapter') && value && value.text.trim() === '') {
    sink.error('missing-value', value, `${label} needs a model or path, not an empty value.`);
  }
  if (name === 'message' && argument && value) {
    checkMessageRole(argument, sink);
  }
  if (name === 'requires' && value && !SEMVER.test(value.text.trim())) {
    sink.error(
      'invalid-version',
      value,
      `REQUIRES takes an Ollama version such as 0.14.0; "${value.text}" is not a version.`,
    );
  }
}

function checkMessageRole(
  argument: { text: string; start: number; end: number },
  sink: DiagnosticSink,
): void {
  const role = argument.text;
  if ((MODELFILE_ROLES as readonly string[]).includes(role)) {
    return;
  }
  const suggestion = closestMatch(role, MODELFILE_ROLES);
  const toolHint =
    role === 'tool' || role === 'developer'
      ? ` A Modelfile cannot hold ${role} messages.`
      : didYouMean(suggestion);
  sink.error(
    'unknown-role',
    argument,
    `Unknown MESSAGE role "${role}"; use system, user or assistant, in lower case.${toolHint}`,
    suggestion === undefined || role === 'tool' || role === 'developer'
      ? undefined
      : {
          title: `Change "${role}" to "${suggestion}"`,
          edits: [{ start: argument.start, end: argument.end, newText: suggestion }],
        },
  );
}

function checkFrom(
  instructions: readonly ModelfileInstruction[],
  text: string,
  sink: DiagnosticSink,
): void {
  const froms = instructions.filter((instruction) => instruction.name === 'from');
  if (froms.length === 0) {
    const first = instructions[0];
    const lineStart = first ? lineStartAt(text, first.start) : 0;
    sink.error(
      'missing-from',
      { start: first?.keyword.start ?? 0, end: first?.keyword.end ?? 0 },
      'This Modelfile has no FROM line; add one naming the base model, such as FROM llama3.2.',
      {
        title: 'Add a FROM line',
        edits: [{ start: lineStart, end: lineStart, newText: `FROM <model>${lineBreakOf(text)}` }],
      },
    );
    return;
  }
  const splitGguf = froms.every((from) => /\.gguf$/i.test(from.value?.text.trim() ?? ''));
  if (splitGguf) {
    return;
  }
  for (const from of froms.slice(1)) {
    sink.error(
      'duplicate-from',
      { start: from.keyword.start, end: from.end },
      `A Modelfile has one FROM line, and the first is on line ` +
        `${sink.lineOf(froms[0]?.start ?? 0)}; ` +
        'remove this one. Only the parts of one split GGUF model may have a FROM line each.',
    );
  }
}

function checkRepeats(instructions: readonly ModelfileInstruction[], sink: DiagnosticSink): void {
  const seen = new Map<string, ModelfileInstruction>();
  for (const instruction of instructions) {
    if (!SINGLE_INSTRUCTIONS.includes(instruction.name)) {
      continue;
    }
    const earlier = seen.get(instruction.name);
    if (earlier) {
      const label = instruction.keyword.text.toUpperCase();
      sink.warning(
        'duplicate-instruction',
        instruction.keyword,
        `${label} already appears on line ${sink.lineOf(earlier.start)}; Ollama keeps only the ` +
          `last ${label}, so merge the two or remove one.`,
      );
    }
    seen.set(instruction.name, instruction);
  }
}

function buildDocument(instructions: readonly ModelfileInstruction[]): PromptDocument {
  const settings: ModelfileSettings = {
    from: [],
    parameters: [],
    adapters: [],
    licenses: [],
    other: [],
  };
  const messages: PromptMessage[] = [];
  let system: string | undefined;
  for (const { name, argument, value } of instructions) {
    const text = value ? normalizeNewlines(value.text) : '';
    if (name === 'from') {
      settings.from.push(text);
    } else if (name === 'parameter' && argument) {
      settings.parameters.push({ name: argument.text, value: text });
    } else if (name === 'system') {
      system = text;
    } else if (name === 'message' && argument) {
      messages.push({ role: argument.text as PromptMessage['role'], content: text });
    } else if (name === 'template') {
      settings.template = text;
    } else if (name === 'adapter') {
      settings.adapters.push(text);
    } else if (name === 'license') {
      settings.licenses.push(text);
    } else {
      settings.other.push({ instruction: name, value: text });
    }
  }
  const systemMessages: PromptMessage[] =
    system === undefined ? [] : [{ role: 'system', content: system }];
  return { messages: [...systemMessages, ...messages], modelfile: settings };
}
