import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type {
  CommonHostMessage,
  CommonWebviewMessage,
} from '../../../shared/src/protocol/webview.js';
import type { Logger } from '../log.js';

/** The settings of a panel kind. */
export interface PanelOptions {
  viewType: string;
  title: string;
  /** Bundle name under `dist/webviews/`, such as `overview` for `dist/webviews/overview/main.js`. */
  bundle: string;
  /** The custom element the bundle defines; the page contains only that element. */
  rootElement: string;
}

/**
 * Hosts one webview panel: a strict CSP with a per-load nonce, scripts and styles only from the
 * extension's `dist/webviews` through `asWebviewUri`, typed messages both ways, and the theme kind
 * forwarded on change. Retains no context when hidden; webviews restore from `getState`.
 */
export class WebviewPanelHost<
  HostMessage extends { type: string },
  WebviewMessage extends { type: string },
>
  implements vscode.Disposable
{
  private readonly disposables: vscode.Disposable[] = [];
  private readonly received = new vscode.EventEmitter<WebviewMessage>();
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidReceiveMessage = this.received.event;
  readonly onDidDispose = this.disposed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly options: PanelOptions,
    private readonly log: Logger,
  ) {
    const distUri = vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distUri] };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'workbench.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      this.received,
      this.disposed,
      panel.webview.onDidReceiveMessage((message: WebviewMessage | CommonWebviewMessage) => {
        if (message.type === 'error') {
          this.log.error(`${options.title} webview: ${(message as { message: string }).message}`);
          return;
        }
        if (message.type === 'ready') {
          this.postTheme();
        }
        this.received.fire(message as WebviewMessage);
      }),
      vscode.window.onDidChangeActiveColorTheme(() => this.postTheme()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Creates a panel in the active column, or beside it. */
  static open<H extends { type: string }, W extends { type: string }>(
    extensionUri: vscode.Uri,
    options: PanelOptions,
    log: Logger,
  ): WebviewPanelHost<H, W> {
    const panel = vscode.window.createWebviewPanel(
      options.viewType,
      options.title,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')],
      },
    );
    return new WebviewPanelHost<H, W>(panel, extensionUri, options, log);
  }

  /** Sends a typed message; returns false when the webview is gone. */
  post(message: HostMessage | CommonHostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.disposed.fire();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
    this.panel.dispose();
  }

  private postTheme(): void {
    void this.post({ type: 'theme', kind: themeKind(vscode.window.activeColorTheme.kind) });
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(18).toString('base64');
    const bundleUri = vscode.Uri.joinPath(
      this.extensionUri,
      'dist',
      'webviews',
      this.options.bundle,
    );
    const script = webview.asWebviewUri(vscode.Uri.joinPath(bundleUri, 'main.js'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      // Lit and the toolkit add component styles at run time, which a nonce cannot cover.
      `style-src ${webview.cspSource} 'unsafe-inline'`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!doctype html>
<html lang="${vscode.env.language}">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(this.options.title)}</title>
  </head>
  <body>
    <${this.options.rootElement}></${this.options.rootElement}>
    <script type="module" nonce="${nonce}" src="${script.toString()}"></script>
  </body>
</html>`;
  }
}

function themeKind(kind: vscode.ColorThemeKind): CommonHostMessage['kind'] {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'highContrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'highContrastLight';
    default:
      return 'dark';
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
