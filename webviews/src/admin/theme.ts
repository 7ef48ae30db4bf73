import { css } from 'lit';

/**
 * Colors of the light and dark themes, chosen by the system setting. Custom properties inherit
 * into shadow roots, so only the app's host sets them.
 */
export const themeColors = css`
  :host {
    color-scheme: light dark;
    --bg: #ffffff;
    --surface: #f5f7fa;
    --fg: #1b1f24;
    --muted: #5a6370;
    --border: #cdd4dc;
    --accent: #1f63c4;
    --accent-fg: #ffffff;
    --accent-soft: #dbe8fb;
    --danger: #b3261e;
    --danger-soft: #fbe4e2;
    --success: #1c7532;
    --focus: #1f63c4;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #111418;
      --surface: #1a1f26;
      --fg: #e8ecf1;
      --muted: #a3adb9;
      --border: #3a424d;
      --accent: #6ea8fe;
      --accent-fg: #0b1320;
      --accent-soft: #1d3357;
      --danger: #ff8a80;
      --danger-soft: #3d1d1b;
      --success: #6fd08c;
      --focus: #9cc3ff;
    }
  }
`;

/** Base styles of controls, tables and messages, shared by every element of the page. */
export const baseStyles = css`
  :host {
    font-family:
      system-ui,
      -apple-system,
      'Segoe UI',
      sans-serif;
    font-size: 15px;
    line-height: 1.45;
    color: var(--fg);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1.05rem;
    margin: 0 0 0.5rem;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--border);
    background: var(--surface);
    border-radius: 6px;
    padding: 0.3rem 0.75rem;
    min-height: 2rem;
  }
  button:hover:not(:disabled) {
    border-color: var(--accent);
  }
  button:disabled {
    cursor: default;
    opacity: 0.55;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--accent-fg);
  }
  button.danger {
    color: var(--danger);
  }
  button.danger.primary {
    background: var(--danger);
    border-color: var(--danger);
    color: var(--bg);
  }
  input,
  select {
    background: var(--bg);
    border: 1px solid var(--border);
    border-radius: 6px;
    padding: 0.3rem 0.5rem;
    min-height: 2rem;
    max-width: 100%;
  }
  :focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 2px;
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 0.2rem;
    font-size: 0.85rem;
    color: var(--muted);
  }
  label > input,
  label > select {
    font-size: 0.95rem;
    color: var(--fg);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 0.75rem;
    margin-bottom: 1rem;
  }
  .table-wrap {
    /* Contains the absolutely positioned visually hidden text, which would widen the page. */
    position: relative;
    overflow-x: auto;
    border: 1px solid var(--border);
    border-radius: 8px;
  }
  table {
    border-collapse: collapse;
    /* Columns keep their natural width and the wrapper scrolls, instead of squeezing the text. */
    width: max-content;
    min-width: 100%;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: left;
    padding: 0.5rem 0.75rem;
    font-weight: 600;
  }
  th,
  td {
    padding: 0.45rem 0.75rem;
    text-align: left;
    border-top: 1px solid var(--border);
    white-space: nowrap;
  }
  thead th {
    background: var(--surface);
    font-size: 0.85rem;
    color: var(--muted);
    font-weight: 600;
  }
  .long-text {
    display: inline-block;
    max-width: 20rem;
    white-space: normal;
    overflow-wrap: anywhere;
  }
  .number {
    text-align: right;
  }
  .muted {
    color: var(--muted);
  }
  .error {
    color: var(--danger);
    background: var(--danger-soft);
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
    margin: 0 0 1rem;
  }
  .error:empty,
  .notice:empty {
    display: none;
  }
  .notice {
    color: var(--success);
    margin: 0 0 1rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
