/** Escapes text from the server, such as a name or an error, for a MarkdownString tooltip. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

/** Makes text safe inside a Markdown code span, which ends at the next backtick. */
export function codeText(text: string): string {
  return text.replace(/`/g, "'");
}
