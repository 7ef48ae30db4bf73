import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import MarkdownIt, { type Token } from 'markdown-it';

// Only these languages are bundled, to keep the webview small; a fence in any other language is
// shown as plain code. Each module registers its own aliases (js, ts, py, sh, html…).
const LANGUAGES = {
  bash,
  c,
  cpp,
  css,
  diff,
  go,
  java,
  javascript,
  json,
  python,
  rust,
  sql,
  typescript,
  xml,
  yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) {
  hljs.registerLanguage(name, language);
}

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
const escapeHtml = markdown.utils.escapeHtml;

/** Whether fences are highlighted in the render in progress; see `renderMarkdown`. */
let highlightFences = true;

function highlighted(code: string, language: string): string {
  if (highlightFences && language !== '' && hljs.getLanguage(language) !== undefined) {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  }
  return escapeHtml(code);
}

/** Renders a code block under a header with its language and a copy button. */
function codeBlock(code: string, info: string): string {
  const language = info.trim().split(/\s+/)[0] ?? '';
  const languageClass = language === '' ? '' : ` language-${escapeHtml(language)}`;
  return (
    `<div class="code-block"><div class="code-header">` +
    `<span class="code-language">${escapeHtml(language)}</span>` +
    `<button type="button" class="copy-code" data-copy-code title="Copy code">Copy</button>` +
    `</div><pre><code class="hljs${languageClass}">${highlighted(code, language)}</code></pre></div>`
  );
}

markdown.renderer.rules.fence = (tokens, index) => {
  const token = tokens[index] as Token;
  return codeBlock(token.content, token.info);
};
markdown.renderer.rules.code_block = (tokens, index) =>
  codeBlock((tokens[index] as Token).content, '');

// Images would load remote content, which the webview's CSP forbids, so each becomes a link.
markdown.renderer.rules.image = (tokens, index) => {
  const token = tokens[index] as Token;
  const source = String(token.attrGet('src') ?? '');
  const label = token.content === '' ? source : token.content;
  return `<a class="image-link" href="${escapeHtml(source)}">Image: ${escapeHtml(label)}</a>`;
};

// Table alignment arrives as a style attribute, which a CSP without 'unsafe-inline' drops, so it
// becomes a class.
markdown.core.ruler.push('alignment_classes', (state) => {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') {
      continue;
    }
    const alignment = /text-align:\s*(left|center|right)/.exec(
      String(token.attrGet('style') ?? ''),
    );
    if (token.attrs !== null) {
      token.attrs = token.attrs.filter(([name]) => name !== 'style');
    }
    if (alignment !== null) {
      token.attrJoin('class', `align-${alignment[1]}`);
    }
  }
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('rel', 'noopener noreferrer');
    const href = node.getAttribute('href');
    if (href !== null) {
      node.setAttribute('title', href);
    }
  }
});

const SANITIZE_CONFIG = {
  FORBID_TAGS: ['style', 'img', 'svg', 'math', 'form', 'input', 'textarea', 'select', 'iframe'],
  FORBID_ATTR: ['style'],
  // Web and mail links, and anchors within the message; no javascript:, data: or file: URLs.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

/**
 * Renders Markdown to sanitized HTML. Raw HTML in the source is shown as text, and DOMPurify
 * then removes scripts, event handler attributes, styles and links other than http, https and
 * mailto from the output. `highlight: false` skips syntax highlighting, which is the costly part
 * when a long streaming code block is rendered again each frame.
 */
export function renderMarkdown(source: string, options: { highlight?: boolean } = {}): string {
  highlightFences = options.highlight ?? true;
  try {
    return DOMPurify.sanitize(markdown.render(source), SANITIZE_CONFIG);
  } finally {
    highlightFences = true;
  }
}
