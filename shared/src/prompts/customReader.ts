import { readCustomBody } from './customBody.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { PromptDocument } from './document.js';
import { findFrontMatter, readFrontMatter } from './frontMatter.js';
import { checkToolCalls } from './toolCalls.js';
import { scanVariables, type DeclarationContext, type VariableUse } from './variables.js';

export interface CustomAnalysis {
  document: PromptDocument;
  uses: VariableUse[];
  /** Start of the text after the front matter. */
  bodyStart: number;
  /** The front matter's declarations, or undefined when there is no readable front matter. */
  declarations?: DeclarationContext;
  hasFrontMatter: boolean;
}

/**
 * Reads a custom prompt: plain text or Markdown, with optional YAML front matter between `---`
 * lines at the very top, and optional `## @role` headings that split it into messages.
 */
export function analyzeCustom(text: string, sink: DiagnosticSink): CustomAnalysis {
  const block = findFrontMatter(text, sink);
  const bodyStart = block?.bodyStart ?? 0;
  const body = readCustomBody(text, bodyStart, sink);
  checkToolCalls(body.steps, sink, (id) => id);
  const uses = scanVariables(text, bodyStart, text.length, sink);
  const analysis: CustomAnalysis = {
    document: { messages: body.messages },
    uses,
    bodyStart,
    hasFrontMatter: block !== undefined,
  };
  if (!block) {
    return analysis;
  }
  const frontMatter = readFrontMatter(text, block, sink);
  analysis.document.metadata = frontMatter.metadata;
  if (frontMatter.declared) {
    analysis.declarations = {
      declared: frontMatter.declared,
      declareFix: frontMatter.declareFix,
      declarationPlace: 'the "variables" list of the front matter',
    };
  }
  return analysis;
}
