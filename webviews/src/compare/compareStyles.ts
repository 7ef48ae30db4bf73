import { css } from 'lit';

/**
 * Styles of the native form controls and small buttons the compare elements share. Colours come
 * from the `--vscode-*` theme variables only, so light, dark and high-contrast themes need no
 * extra rules.
 */
export const controlStyles = css`
  select,
  textarea,
  input {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    color: var(--vscode-input-foreground);
    background: var(--vscode-input-background);
    border: 1px solid var(--vscode-input-border, var(--vscode-widget-border, transparent));
    border-radius: 2px;
    padding: 0.3rem 0.45rem;
  }
  select {
    color: var(--vscode-dropdown-foreground);
    background: var(--vscode-dropdown-background);
    border-color: var(--vscode-dropdown-border, transparent);
  }
  textarea {
    resize: vertical;
  }
  select:focus,
  textarea:focus,
  input:focus {
    outline: 1px solid var(--vscode-focusBorder);
    outline-offset: -1px;
  }
  textarea::placeholder,
  input::placeholder {
    color: var(--vscode-input-placeholderForeground);
  }
  label {
    display: block;
    font-size: 0.9em;
    color: var(--vscode-descriptionForeground);
    margin: 0 0 0.2rem;
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
  .link-button:focus-visible,
  .star:focus-visible {
    outline: 1px solid var(--vscode-focusBorder);
  }
  .link-button[aria-pressed='true'] {
    color: var(--vscode-badge-foreground);
    background: var(--vscode-badge-background);
  }
`;
