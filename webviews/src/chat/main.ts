import {
  provideVSCodeDesignSystem,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
} from '@vscode/webview-ui-toolkit';
import { registerToolkit } from '../common/toolkit.js';
import './chat-app.js';

registerToolkit();
// The chat panel also uses the toolkit's dropdown and checkbox, which the common set leaves out.
if (customElements.get('vscode-dropdown') === undefined) {
  provideVSCodeDesignSystem().register(vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption());
}
