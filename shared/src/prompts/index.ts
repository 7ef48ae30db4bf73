/**
 * Prompt files in three formats: `openai` (a JSON array of chat completion messages, files
 * `*.prompt.json`), `ollama` (a Modelfile, files `Modelfile` or `*.modelfile`) and `custom`
 * (text or Markdown with optional YAML front matter, files `*.prompt.md`). Validation returns
 * diagnostics with exact ranges and quick fixes. Conversion keeps every message and warns about
 * what the target cannot hold. Rendering fills `{{variables}}`.
 *
 * Variables are `{{name}}`, with optional spaces inside the braces. A custom file declares them
 * in its front matter, and openai and Modelfile prompts take the declared list from the caller.
 *
 * A custom file contains several messages when each starts with a heading line, such as
 * `## @user` or `## @user name=alice`. A tool message is `## @tool id=call_1`. Each tool call
 * of an assistant message follows it as `## @tool-call id=call_1 name=get_weather`, with the
 * arguments as its text. A body with no such heading is one system message.
 */
export { detectPromptFormat } from './detect.js';
export { convertPrompt } from './convert.js';
export { PromptError, type PromptErrorCode } from './errors.js';
export { parsePrompt } from './parse.js';
export { renderPrompt } from './render.js';
export { validatePrompt } from './validate.js';
export { VARIABLE_NAME } from './variables.js';
export type {
  MessageRole,
  PromptContentPart,
  PromptDocument,
  PromptMessage,
  PromptMetadata,
  PromptToolCall,
  ModelfileSettings,
} from './document.js';
export * from './types.js';
