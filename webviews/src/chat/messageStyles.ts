import { css } from 'lit';

/**
 * Styles of the messages, which render into the light DOM of the message list's shadow root so
 * that one stylesheet serves them all. Colours come from the `--vscode-*` theme variables, so
 * light, dark and high-contrast themes need no extra rules.
 */
export const messageStyles = css`
  .message {
    padding: 0.6rem 0.8rem;
    border-radius: 6px;
    margin: 0 0 0.75rem;
    line-height: 1.5;
    overflow-wrap: anywhere;
  }
  .message.user {
    background: var(--vscode-input-background);
    border: 1px solid var(--vscode-input-border, transparent);
  }
  .message.assistant {
    border: 1px solid var(--vscode-widget-border, transparent);
  }
  .message-header {
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
    font-size: 0.9em;
    color: var(--vscode-descriptionForeground);
    margin-bottom: 0.25rem;
  }
  .author {
    font-weight: 600;
    color: var(--vscode-foreground);
  }
  .status-badge {
    padding: 0 0.4rem;
    border-radius: 3px;
    background: var(--vscode-badge-background);
    color: var(--vscode-badge-foreground);
  }
  .user-text {
    white-space: pre-wrap;
  }
  .message-error {
    margin-top: 0.5rem;
    padding: 0.4rem 0.6rem;
    border-left: 3px solid var(--vscode-errorForeground);
    color: var(--vscode-errorForeground);
  }
  .message-actions {
    display: flex;
    gap: 0.25rem;
    margin-top: 0.35rem;
    opacity: 0.6;
  }
  .message:hover .message-actions,
  .message:focus-within .message-actions {
    opacity: 1;
  }
  .link-button {
    background: none;
    border: none;
    padding: 0.1rem 0.35rem;
    color: var(--vscode-textLink-foreground);
    font: inherit;
    font-size: 0.9em;
    cursor: pointer;
    border-radius: 3px;
  }
  .link-button:hover {
    background: var(--vscode-toolbar-hoverBackground);
  }
  .link-button:disabled {
    color: var(--vscode-disabledForeground);
    cursor: default;
  }
  .link-button:focus-visible {
    outline: 1px solid var(--vscode-focusBorder);
  }

  details.reasoning {
    margin: 0.25rem 0 0.5rem;
    border-left: 2px solid var(--vscode-textBlockQuote-border);
    padding-left: 0.6rem;
  }
  details.reasoning > summary {
    cursor: pointer;
    color: var(--vscode-descriptionForeground);
    font-size: 0.9em;
  }
  .reasoning-text {
    white-space: pre-wrap;
    color: var(--vscode-descriptionForeground);
    font-size: 0.92em;
    max-height: 24rem;
    overflow-y: auto;
    margin-top: 0.35rem;
  }
  .typing {
    color: var(--vscode-descriptionForeground);
  }

  .markdown-body > :first-child,
  .markdown-block:first-child > :first-child {
    margin-top: 0;
  }
  .markdown-body p,
  .markdown-body ul,
  .markdown-body ol,
  .markdown-body blockquote,
  .markdown-body table {
    margin: 0.5rem 0;
  }
  .markdown-body a {
    color: var(--vscode-textLink-foreground);
  }
  .markdown-body a:hover {
    color: var(--vscode-textLink-activeForeground);
  }
  .markdown-body code {
    font-family: var(--vscode-editor-font-family);
    font-size: var(--vscode-editor-font-size);
  }
  .markdown-body :not(pre) > code {
    color: var(--vscode-textPreformat-foreground);
    background: var(--vscode-textPreformat-background);
    padding: 0.05rem 0.3rem;
    border-radius: 3px;
  }
  .markdown-body blockquote {
    background: var(--vscode-textBlockQuote-background);
    border-left: 4px solid var(--vscode-textBlockQuote-border);
    padding: 0.1rem 0.75rem;
  }
  .markdown-body table {
    border-collapse: collapse;
  }
  .markdown-body th,
  .markdown-body td {
    border: 1px solid var(--vscode-editorWidget-border);
    padding: 0.2rem 0.5rem;
  }
  .markdown-body .align-center {
    text-align: center;
  }
  .markdown-body .align-right {
    text-align: right;
  }
  .code-block {
    margin: 0.5rem 0;
    background: var(--vscode-textCodeBlock-background);
    border-radius: 4px;
  }
  .code-header {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: 0.15rem 0.5rem;
    font-size: 0.85em;
    color: var(--vscode-descriptionForeground);
    border-bottom: 1px solid var(--vscode-widget-border, transparent);
  }
  .copy-code {
    background: none;
    border: none;
    color: var(--vscode-textLink-foreground);
    cursor: pointer;
    font: inherit;
  }
  .code-block pre {
    margin: 0;
    padding: 0.5rem 0.75rem;
    overflow-x: auto;
  }

  .hljs-comment,
  .hljs-quote,
  .hljs-meta {
    color: var(--vscode-descriptionForeground);
    font-style: italic;
  }
  .hljs-keyword,
  .hljs-selector-tag,
  .hljs-doctag {
    color: var(--vscode-debugTokenExpression-name);
  }
  .hljs-string,
  .hljs-regexp,
  .hljs-template-string {
    color: var(--vscode-debugTokenExpression-string);
  }
  .hljs-number {
    color: var(--vscode-debugTokenExpression-number);
  }
  .hljs-literal,
  .hljs-built_in,
  .hljs-type {
    color: var(--vscode-debugTokenExpression-boolean);
  }
  .hljs-title,
  .hljs-section {
    color: var(--vscode-symbolIcon-functionForeground);
  }
  .hljs-attr,
  .hljs-attribute,
  .hljs-variable,
  .hljs-property,
  .hljs-name,
  .hljs-tag {
    color: var(--vscode-symbolIcon-variableForeground);
  }
  .hljs-addition {
    color: var(--vscode-gitDecoration-addedResourceForeground);
  }
  .hljs-deletion {
    color: var(--vscode-gitDecoration-deletedResourceForeground);
  }
  .hljs-emphasis {
    font-style: italic;
  }
  .hljs-strong {
    font-weight: bold;
  }
`;
