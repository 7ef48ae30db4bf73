import { analyzeCustom, type CustomAnalysis } from './customReader.js';
import { DiagnosticSink } from './diagnostics.js';
import type { PromptDocument } from './document.js';
import { PromptError } from './errors.js';
import { analyzeModelfile, type ModelfileAnalysis } from './modelfileReader.js';
import { analyzeOpenAI, type OpenAIAnalysis } from './openaiReader.js';
import { stripBom } from './text.js';
import { PROMPT_FORMATS, type PromptFormat, type VariableDeclaration } from './types.js';
import {
  checkDeclarations,
  toDeclarations,
  type DeclarationContext,
  type VariableUse,
} from './variables.js';

/** A prompt read in any format, with the per-format analysis that rendering needs. */
export interface AnalyzedPrompt {
  format: PromptFormat;
  text: string;
  sink: DiagnosticSink;
  document: PromptDocument;
  uses: VariableUse[];
  openai?: OpenAIAnalysis;
  modelfile?: ModelfileAnalysis;
  custom?: CustomAnalysis;
}

/** Throws a PromptError naming the format unless it is one of PROMPT_FORMATS. */
export function assertFormat(format: unknown): asserts format is PromptFormat {
  if (typeof format !== 'string' || !(PROMPT_FORMATS as readonly string[]).includes(format)) {
    throw new PromptError(
      'unsupported_format',
      `Prompt format ${JSON.stringify(format)} is not supported; use ${PROMPT_FORMATS.join(', ')}.`,
    );
  }
}

/**
 * Reads a prompt in `format` and checks it, including its variables against `variables` or
 * the custom front matter. The content loses its byte order mark first.
 */
export function analyzePrompt(
  format: PromptFormat,
  content: string,
  variables?: readonly (string | VariableDeclaration)[],
): AnalyzedPrompt {
  assertFormat(format);
  if (typeof content !== 'string') {
    throw new TypeError(`Prompt content must be a string, not ${typeof content}.`);
  }
  const text = stripBom(content);
  const sink = new DiagnosticSink(text);
  const base = { format, text, sink };
  if (format === 'openai') {
    const openai = analyzeOpenAI(text, sink);
    if (openai.complete) {
      checkAgainstList(openai.uses, variables, sink);
    }
    return { ...base, document: openai.document, uses: openai.uses, openai };
  }
  if (format === 'ollama') {
    const modelfile = analyzeModelfile(text, sink);
    checkAgainstList(modelfile.uses, variables, sink);
    return { ...base, document: modelfile.document, uses: modelfile.uses, modelfile };
  }
  const custom = analyzeCustom(text, sink);
  if (custom.declarations) {
    checkDeclarations(custom.uses, custom.declarations, sink);
  } else if (!custom.hasFrontMatter) {
    checkAgainstList(custom.uses, variables, sink);
  }
  return { ...base, document: custom.document, uses: custom.uses, custom };
}

/** Checks variables against a caller's declared list; does nothing when there is no list. */
function checkAgainstList(
  uses: readonly VariableUse[],
  variables: readonly (string | VariableDeclaration)[] | undefined,
  sink: DiagnosticSink,
): void {
  if (!variables) {
    return;
  }
  const context: DeclarationContext = {
    declared: toDeclarations(variables).map((variable) => ({ name: variable.name })),
    declareFix: (name) => ({ title: `Declare "${name}"`, edits: [], declareVariables: [name] }),
    declarationPlace: "the prompt's declared variables",
  };
  checkDeclarations(uses, context, sink);
}
