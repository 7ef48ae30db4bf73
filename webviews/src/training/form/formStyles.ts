import { css } from 'lit';

/** Styles of the task form; colours come from the `--vscode-*` theme variables only. */
export const formStyles = css`
  :host {
    display: block;
    max-width: 60rem;
    padding: 0.5rem 1.25rem 2rem;
    color: var(--vscode-foreground);
    font-family: var(--vscode-font-family);
    font-size: var(--vscode-font-size);
  }
  h1 {
    font-size: 1.2em;
    font-weight: 600;
  }
  h2 {
    font-size: 1em;
    font-weight: 600;
    margin: 1.25rem 0 0.5rem;
    padding-bottom: 0.25rem;
    border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr));
    gap: 0.9rem 1.25rem;
  }
  .field .hint {
    margin: 0.25rem 0 0;
    font-size: 0.85em;
    color: var(--vscode-descriptionForeground);
  }
  .field .error {
    margin: 0.25rem 0 0;
    font-size: 0.85em;
    color: var(--vscode-errorForeground);
  }
  .field [aria-invalid='true'] {
    border-color: var(--vscode-inputValidation-errorBorder);
  }
  .checkbox label {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    color: var(--vscode-foreground);
    font-size: 1em;
  }
  .checkbox input {
    width: auto;
  }
  .with-button {
    display: flex;
    gap: 0.4rem;
  }
  .summary {
    color: var(--vscode-descriptionForeground);
  }
  .form-error {
    margin: 1rem 0 0;
    padding: 0.4rem 0.6rem;
    border: 1px solid var(--vscode-inputValidation-errorBorder);
    background: var(--vscode-inputValidation-errorBackground);
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-top: 1.25rem;
  }
`;
