import type { DiagnosticSink } from './diagnostics.js';

const BLOCK_KEYWORDS = ['if', 'range', 'with', 'define', 'block'];

interface OpenAction {
  keyword: string;
  start: number;
  end: number;
}

/**
 * Checks the structure of a Go text/template, as used by a Modelfile TEMPLATE: every `{{` has
 * its `}}`, and every if, range, with, define and block has its end. It does not check
 * expressions. Reports problems in `text` from `from` to `to`.
 */
export function checkGoTemplate(
  text: string,
  from: number,
  to: number,
  sink: DiagnosticSink,
): void {
  const open: OpenAction[] = [];
  let index = text.indexOf('{{', from);
  while (index >= 0 && index < to) {
    const close = findActionEnd(text, index + 2, to);
    if (close < 0) {
      sink.error(
        'template-syntax',
        { start: index, end: index + 2 },
        'This template action is not closed; add "}}" after it.',
      );
      return;
    }
    checkAction(text, { start: index, end: close + 2 }, open, sink);
    index = text.indexOf('{{', close + 2);
  }
  for (const action of open) {
    sink.error(
      'template-syntax',
      action,
      `This {{ ${action.keyword} }} has no {{ end }}; add {{ end }} where its block ends.`,
    );
  }
}

/** Returns the offset of the `}}` that ends an action, skipping comments and quoted strings. */
function findActionEnd(text: string, from: number, to: number): number {
  let index = from;
  while (index < to - 1) {
    const char = text[index];
    if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? to : end + 2;
    } else if (char === '"' || char === '`') {
      index = skipString(text, index, to);
    } else if (text.startsWith('}}', index)) {
      return index;
    } else {
      index++;
    }
  }
  return -1;
}

function skipString(text: string, start: number, to: number): number {
  const quote = text[start];
  let index = start + 1;
  while (index < to && text[index] !== quote) {
    index += quote === '"' && text[index] === '\\' ? 2 : 1;
  }
  return index + 1;
}

function checkAction(
  text: string,
  span: { start: number; end: number },
  open: OpenAction[],
  sink: DiagnosticSink,
): void {
  const inner = text
    .slice(span.start + 2, span.end - 2)
    .replace(/^-\s/, '')
    .replace(/\s-$/, '')
    .trim();
  const keyword = /^[a-z]+/.exec(inner)?.[0] ?? '';
  if (BLOCK_KEYWORDS.includes(keyword)) {
    open.push({ keyword, ...span });
  } else if (keyword === 'end') {
    if (!open.pop()) {
      sink.error(
        'template-syntax',
        span,
        'This {{ end }} closes no if, range, with, define or block; remove it.',
      );
    }
  } else if (keyword === 'else' && open.length === 0) {
    sink.error(
      'template-syntax',
      span,
      'This {{ else }} is outside any if, range or with; move it inside one or remove it.',
    );
  }
}
