// The prompt library: system-prompt templates in the openai, ollama (Modelfile) and custom
// formats, with their validation, conversion and rendering endpoints.
import type {
  ConversionWarning,
  PromptDiagnostic,
  PromptFormat,
  VariableDeclaration,
} from '../prompts/types.js';

/** A prompt as the API returns it. Built-in prompts have no owner and cannot be changed. */
export interface ApiPrompt {
  id: number;
  /** Null for built-in prompts, which every user can read. */
  ownerId: number | null;
  name: string;
  description: string | null;
  format: PromptFormat;
  /** Null when the prompt has no category. */
  category: string | null;
  content: string;
  /**
   * Declared `{{variables}}` with their descriptions and defaults. For a custom file with front
   * matter, the front matter's list.
   */
  variables: VariableDeclaration[];
  /** Whether this is the user's default prompt of its format; built-ins are never a default. */
  isDefault: boolean;
  isBuiltIn: boolean;
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/prompts`. Without `variables`, the server takes the front matter's or the used ones. */
export interface CreatePromptRequest {
  name: string;
  content: string;
  format: PromptFormat;
  description?: string | null;
  category?: string | null;
  variables?: (string | VariableDeclaration)[];
  isDefault?: boolean;
}

/** `PUT /api/prompts/:id`: the fields to change. */
export type UpdatePromptRequest = Partial<CreatePromptRequest>;

/** `POST /api/prompts/:id/copy`: the copy's name, or the first free "<name> (copy)" name. */
export interface CopyPromptRequest {
  name?: string;
  isDefault?: boolean;
}

/**
 * `POST /api/prompts` and `PUT /api/prompts/:id` return the saved prompt with the warnings and
 * notes that validation found; a prompt with errors is rejected with 400 `invalid_prompt`.
 */
export interface SavedPromptResponse {
  prompt: ApiPrompt;
  diagnostics: PromptDiagnostic[];
}

/** The scopes of `GET /api/prompts`: the user's own prompts, the built-ins, or both (`all`). */
export const PROMPT_SCOPES = ['all', 'own', 'builtIn'] as const;

export type PromptScope = (typeof PROMPT_SCOPES)[number];

/** `GET /api/prompts` query; `q` matches part of the name, description or content. */
export interface ListPromptsQuery {
  q?: string;
  category?: string;
  format?: PromptFormat;
  scope?: PromptScope;
  page?: number;
  pageSize?: number;
}

/** `GET /api/prompts`, sorted by category (uncategorized last), then name. */
export interface PromptListResponse {
  prompts: ApiPrompt[];
  total: number;
  page: number;
  pageSize: number;
}

/** `POST /api/prompts/validate`. */
export interface ValidatePromptRequest {
  format: PromptFormat;
  content: string;
  variables?: (string | VariableDeclaration)[];
}

/** `POST /api/prompts/convert`; `model` fills the FROM line of a Modelfile. */
export interface ConvertPromptRequest {
  from: PromptFormat;
  to: PromptFormat;
  content: string;
  model?: string;
}

export interface ConvertPromptResponse {
  content: string;
  warnings: ConversionWarning[];
}

/** `POST /api/prompts/:id/render`: a value for each variable without a default. */
export interface RenderPromptRequest {
  values: Record<string, string>;
}

export interface RenderPromptResponse {
  content: string;
}
