/**
 * Quotes a string as one POSIX shell word. The value goes inside single quotes, where the shell
 * expands nothing, so line breaks, `$()`, backquotes and semicolons stay literal. Each single
 * quote in it becomes `'\''`: end the quote, an escaped quote, reopen.
 * Throws on a NUL character, which no shell argument can contain.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new Error('A shell argument cannot contain a NUL character.');
  }
  return `'${value.replaceAll("'", "'\\''")}'`;
}
