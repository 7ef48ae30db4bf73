import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDivider,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

/** Registers the webview-ui-toolkit controls the panels use; safe to call more than once. */
export function registerToolkit(): void {
  if (customElements.get('vscode-button') !== undefined) {
    return;
  }
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeDivider(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}
