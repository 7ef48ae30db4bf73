import { css } from 'lit';

/** Styles of the monitor app; colours come from the `--vscode-*` theme variables only. */
export const monitorStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
    height: 100vh;
    box-sizing: border-box;
    padding: 0.5rem 1rem;
    color: var(--vscode-foreground);
    font-family: var(--vscode-font-family);
    font-size: var(--vscode-font-size);
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
  }
  h1 {
    margin: 0;
    font-size: 1.15em;
    font-weight: 600;
  }
  .details {
    flex-basis: 100%;
    margin: 0;
    color: var(--vscode-descriptionForeground);
  }
  .actions {
    display: flex;
    gap: 0.4rem;
    margin-left: auto;
  }
  .status {
    padding: 0 0.45rem;
    border-radius: 2px;
    color: var(--vscode-badge-foreground);
    background: var(--vscode-badge-background);
  }
  .status.running {
    background: var(--vscode-charts-blue);
  }
  .status.completed {
    background: var(--vscode-testing-iconPassed, var(--vscode-charts-green));
  }
  .status.failed {
    background: var(--vscode-testing-iconFailed, var(--vscode-charts-red));
  }
  .connection {
    color: var(--vscode-descriptionForeground);
    font-size: 0.9em;
  }
  .progress {
    display: flex;
    align-items: center;
    gap: 0.75rem;
  }
  progress {
    width: 14rem;
    accent-color: var(--vscode-progressBar-background);
  }
  .error-tail pre {
    max-height: 12rem;
    overflow: auto;
    font-family: var(--vscode-editor-font-family);
    white-space: pre-wrap;
  }
  .tabs {
    display: flex;
    gap: 0.25rem;
    border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border));
  }
  .tab {
    background: none;
    border: none;
    border-bottom: 2px solid transparent;
    padding: 0.3rem 0.6rem;
    color: var(--vscode-foreground);
    font: inherit;
    cursor: pointer;
  }
  .tab[aria-selected='true'] {
    border-bottom-color: var(--vscode-focusBorder);
  }
  .panel {
    flex: 1;
    min-height: 0;
    overflow: auto;
  }
  .panel.log {
    display: flex;
    flex-direction: column;
  }
  .panel[hidden] {
    display: none;
  }
  .chart-toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .chart-toolbar input[type='range'] {
    width: 10rem;
  }
  label.inline {
    display: inline;
    margin: 0;
  }
  .overlays {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem;
    margin-left: 1rem;
  }
  .overlays select {
    width: auto;
  }
  .chip {
    padding: 0 0.2rem 0 0.5rem;
    border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
    border-radius: 2px;
  }
  .latest {
    color: var(--vscode-descriptionForeground);
  }
  .charts-grid {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr));
    gap: 1rem;
  }
  .notice {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    padding: 0.3rem 0.6rem;
    border: 1px solid var(--vscode-inputValidation-infoBorder);
    background: var(--vscode-inputValidation-infoBackground);
  }
  .notice.error {
    border-color: var(--vscode-inputValidation-errorBorder);
    background: var(--vscode-inputValidation-errorBackground);
  }
  .notice span {
    flex: 1;
  }
  .markdown-body table {
    border-collapse: collapse;
  }
  .markdown-body th,
  .markdown-body td {
    border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
    padding: 0.2rem 0.5rem;
  }
`;
