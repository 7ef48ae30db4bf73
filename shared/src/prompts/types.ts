/** The prompt-file formats a system prompt can be stored in. */
export type PromptFormat = 'openai' | 'ollama' | 'custom';

export const PROMPT_FORMATS: readonly PromptFormat[] = ['openai', 'ollama', 'custom'];

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/**
 * A span of text. Lines and columns are 1-based and columns count UTF-16 code units, as VS Code
 * does: an emoji outside the Basic Multilingual Plane takes two columns, a CJK character one. The
 * end is exclusive, so a one-character span on line 3, column 5 ends at line 3, column 6. A
 * leading byte order mark (U+FEFF) is not part of the text, so column 1 is the character after
 * it. CRLF, LF and a lone CR each end a line.
 */
export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A replacement of the text in `range` by `newText`; an empty range is an insertion. */
export interface TextEdit {
  range: TextRange;
  newText: string;
}

/** A quick fix for one diagnostic, such as replacing a misspelt role name. */
export interface DiagnosticFix {
  /** Title for the quick-fix menu, such as `Change "asistant" to "assistant"`. */
  title: string;
  /** Edits to the checked text, applied together; empty when only `declareVariables` applies. */
  edits: TextEdit[];
  /**
   * Variable names to add to the declared list that the caller passed in
   * `ValidateOptions.variables` (openai and ollama formats, and custom files without front matter).
   */
  declareVariables?: string[];
}

/** One problem found in a prompt file, with its exact span. */
export interface PromptDiagnostic extends TextRange {
  severity: DiagnosticSeverity;
  /** A plain-words sentence on what is wrong and how to fix it. */
  message: string;
  /** Stable kebab-case identifier of the kind of problem, such as `unknown-role`. */
  code?: string;
  fix?: DiagnosticFix;
}

/** The result of `validatePrompt`: `valid` is false when any diagnostic is an error. */
export interface ValidationResult {
  valid: boolean;
  diagnostics: PromptDiagnostic[];
}

/** A `{{variable}}` that a prompt declares, with an optional description and default value. */
export interface VariableDeclaration {
  name: string;
  description?: string;
  default?: string;
}

export interface ValidateOptions {
  /**
   * Declared variables for formats that cannot declare them in the file: openai JSON, Modelfiles,
   * and custom files without front matter (such as the `variables` column of a stored prompt).
   * When it is absent, those files get no undeclared or unused variable checks. A custom file's
   * front matter takes precedence over this list.
   */
  variables?: readonly (string | VariableDeclaration)[];
  /** Diagnostics returned at most, first by position; 200 when absent. */
  maxDiagnostics?: number;
}

/** Something the target format could not hold, reported by `convertPrompt`. */
export interface ConversionWarning {
  /** Stable kebab-case identifier, such as `tool-calls-dropped`. */
  code: string;
  message: string;
}

export interface ConversionResult {
  content: string;
  warnings: ConversionWarning[];
}

export interface ConvertOptions {
  /** Base model for the `FROM` line when converting to a Modelfile; `<model>` when absent. */
  model?: string;
}

export interface RenderOptions {
  /** Declarations whose defaults fill variables that `values` leaves out. */
  variables?: readonly (string | VariableDeclaration)[];
}
