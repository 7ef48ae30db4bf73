import { css, html, LitElement } from 'lit';
import type {
  OverviewActionMessage,
  OverviewHostMessage,
  OverviewStateMessage,
  OverviewWebviewState,
} from '../../../shared/src/protocol/overview.js';
import { HostChannel } from '../common/vscodeApi.js';

/** The overview panel: server health and version, and the signed-in account. */
export class OverviewApp extends LitElement {
  static override properties = {
    state: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      padding: 1rem 1.25rem;
      color: var(--vscode-foreground);
      font-family: var(--vscode-font-family);
      font-size: var(--vscode-font-size);
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.35rem 1rem;
    }
    dt {
      color: var(--vscode-descriptionForeground);
    }
    .unreachable {
      color: var(--vscode-errorForeground);
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      margin-top: 1rem;
    }
  `;

  declare state: OverviewStateMessage | undefined;

  private readonly channel = new HostChannel<OverviewActionMessage, OverviewWebviewState>();
  private stopListening: (() => void) | undefined;

  constructor() {
    super();
    this.state = this.channel.state?.last;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopListening = this.channel.listen<OverviewHostMessage>((message) => {
      if (message.type === 'state') {
        this.state = message;
        this.channel.state = { last: message };
      }
    });
    this.channel.post({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    this.stopListening?.();
    super.disconnectedCallback();
  }

  override render() {
    if (this.state === undefined) {
      return html`<vscode-progress-ring></vscode-progress-ring>`;
    }
    const { server, user } = this.state;
    return html`
      <h2>LLM Workbench</h2>
      <dl>
        <dt>Server</dt>
        <dd id="server-url">${server.url}</dd>
        <dt>Status</dt>
        <dd id="server-status" class=${server.reachable ? '' : 'unreachable'}>
          ${
            server.reachable
              ? `Reachable, version ${server.version ?? '?'} on ${server.database ?? '?'}`
              : `Not reachable: ${server.error ?? 'no answer'}`
          }
        </dd>
        <dt>Account</dt>
        <dd id="account">
          ${user === undefined ? 'Not signed in' : `${user.nickname} (${user.email}), ${user.role}`}
        </dd>
      </dl>
      <div class="actions">
        ${
          user === undefined
            ? html`<vscode-button @click=${() => this.send('signIn')}>Sign In</vscode-button>`
            : html`<vscode-button appearance="secondary" @click=${() => this.send('signOut')}>
                Sign Out
              </vscode-button>`
        }
        <vscode-button appearance="secondary" @click=${() => this.send('refresh')}>
          Refresh
        </vscode-button>
        <vscode-button appearance="secondary" @click=${() => this.send('openAdminPage')}>
          Open Admin Page
        </vscode-button>
      </div>
    `;
  }

  private send(type: OverviewActionMessage['type']): void {
    this.channel.post({ type });
  }
}

customElements.define('overview-app', OverviewApp);

declare global {
  interface HTMLElementTagNameMap {
    'overview-app': OverviewApp;
  }
}
