import { DiagnosticSink } from './diagnostics.js';
import { parseModelfile } from './modelfileParser.js';

/**
 * Returns `text` as a Modelfile value that Ollama reads back unchanged: bare, in """ or in "
 * quotes, whichever works first. Returns undefined when none does, which happens for text
 * that contains """ on a line that other quoting cannot hold.
 */
export function formatModelfileValue(text: string): string | undefined {
  const candidates = [text, `"""${text}"""`, `"${text}"`];
  return candidates.find((candidate) => readsBackAs(candidate, text));
}

function readsBackAs(candidate: string, text: string): boolean {
  if (candidate === '' || /^[ \t\r\n]/.test(candidate)) {
    return false;
  }
  const source = `SYSTEM ${candidate}\n`;
  const sink = new DiagnosticSink(source);
  const instructions = parseModelfile(source, sink);
  return (
    sink.problems.length === 0 && instructions.length === 1 && instructions[0]?.value?.text === text
  );
}
