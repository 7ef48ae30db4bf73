import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { describeReasoning } from './format.js';
import type { LiveAnswer, LiveChange } from './liveAnswer.js';
import { StreamingMarkdown } from './streamingMarkdown.js';

/** How often the "Thinking…" time ticks while no reasoning text arrives. */
const THINKING_TICK_MS = 500;

/**
 * The answer that is streaming. Lit renders its frame once; after that each animation frame
 * appends the new reasoning to one text node and renders only the Markdown tail that changed, so
 * a long answer costs one small DOM update per frame and nothing else on the page renders again.
 * The reasoning panel is open while the model thinks and folds when the answer starts.
 */
export class ChatLiveMessageElement extends LitElement {
  static override properties = {
    live: { attribute: false },
    author: {},
  };

  declare live: LiveAnswer | undefined;
  declare author: string;

  private unsubscribe: (() => void) | undefined;
  private markdown: StreamingMarkdown | undefined;
  private reasoningText: Text | undefined;
  private ticker: number | undefined;
  private folded = false;

  constructor() {
    super();
    this.live = undefined;
    this.author = 'Assistant';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override disconnectedCallback(): void {
    this.detach();
    super.disconnectedCallback();
  }

  override render() {
    if (this.live === undefined) {
      return nothing;
    }
    return html`
      <article
        class="message assistant live"
        data-message-id=${this.live.messageId}
        aria-busy="true"
      >
        <div class="message-header">
          <span class="author">${this.author}</span>
          <span class="status-badge">Answering</span>
        </div>
        <details class="reasoning" hidden>
          <summary></summary>
          <div class="reasoning-text"></div>
        </details>
        <div class="markdown-body" aria-live="polite"></div>
        <div class="typing">…</div>
      </article>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('live')) {
      this.attach();
    }
  }

  private attach(): void {
    this.detach();
    const live = this.live;
    if (live === undefined) {
      return;
    }
    const reasoningBox = this.querySelector<HTMLElement>('.reasoning-text');
    const body = this.querySelector<HTMLElement>('.markdown-body');
    if (reasoningBox === null || body === null) {
      return;
    }

    // The text that arrived before this element existed, as after a reload mid-answer.
    this.reasoningText = document.createTextNode(live.reasoning);
    reasoningBox.replaceChildren(this.reasoningText);
    body.replaceChildren();
    this.markdown = new StreamingMarkdown(body);
    const details = this.details();
    if (details !== null) {
      details.hidden = live.reasoning === '';
      details.open = !live.answering;
      this.folded = live.answering;
    }
    if (live.content !== '') {
      this.markdown.update(live.content);
    }
    this.showTyping(live.content === '');
    this.updateSummary();

    this.unsubscribe = live.subscribe((change) => this.onChange(change));
    this.ticker = window.setInterval(() => {
      if (this.live?.thinking === true) {
        this.updateSummary();
      }
    }, THINKING_TICK_MS);
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.ticker !== undefined) {
      window.clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private onChange(change: LiveChange): void {
    const live = this.live;
    if (live === undefined) {
      return;
    }
    const details = this.details();
    if (change.reasoning !== '') {
      this.reasoningText?.appendData(change.reasoning);
      if (details?.hidden === true) {
        details.hidden = false;
        details.open = !live.answering;
      }
    }
    if (change.answerStarted && !this.folded && details !== null) {
      details.open = false;
      this.folded = true;
    }
    if (change.content) {
      this.markdown?.update(live.content);
      this.showTyping(false);
    }
    if (change.reasoning !== '' || change.usage || change.answerStarted) {
      this.updateSummary();
    }
  }

  private updateSummary(): void {
    const live = this.live;
    const summary = this.querySelector('details.reasoning > summary');
    if (live === undefined || summary === null || live.reasoning === '') {
      return;
    }
    summary.textContent = describeReasoning({
      thinking: live.thinking,
      ms: live.reasoningMs(),
      reasoning: live.reasoning,
      usage: live.usage,
    });
  }

  private showTyping(visible: boolean): void {
    const typing = this.querySelector<HTMLElement>('.typing');
    if (typing !== null && typing.hidden === visible) {
      typing.hidden = !visible;
    }
  }

  private details(): HTMLDetailsElement | null {
    return this.querySelector<HTMLDetailsElement>('details.reasoning');
  }
}

customElements.define('chat-live-message', ChatLiveMessageElement);

declare global {
  interface HTMLElementTagNameMap {
    'chat-live-message': ChatLiveMessageElement;
  }
}
