/** The API VS Code injects into webviews; `acquireVsCodeApi` may be called only once. */
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** A typed channel to the extension host, with the webview's saved state. */
export class HostChannel<Outgoing extends { type: string }, State> {
  private readonly api: VsCodeApi<State> = acquireVsCodeApi<State>();

  post(message: Outgoing | { type: 'ready' } | { type: 'error'; message: string }): void {
    this.api.postMessage(message);
  }

  /** Calls `handler` for each message from the host. */
  listen<Incoming extends { type: string }>(handler: (message: Incoming) => void): () => void {
    const listener = (event: MessageEvent<Incoming>) => handler(event.data);
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }

  get state(): State | undefined {
    return this.api.getState();
  }

  set state(value: State) {
    this.api.setState(value);
  }
}
