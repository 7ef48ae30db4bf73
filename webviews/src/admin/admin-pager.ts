import { css, html, LitElement } from 'lit';
import { formatCount } from './format.js';
import { baseStyles } from './theme.js';

/** The page and page size that a `page-change` event requests. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

const PAGE_SIZES = [25, 50, 100];

/** Previous and Next buttons, the page position and a page-size choice. Fires `page-change`. */
export class AdminPager extends LitElement {
  static override properties = {
    page: { type: Number },
    pageSize: { type: Number },
    total: { type: Number },
    noun: {},
    nounPlural: {},
  };

  static override styles = [
    baseStyles,
    css`
      nav {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        margin-top: 0.75rem;
      }
      .position {
        color: var(--muted);
      }
      label {
        flex-direction: row;
        align-items: center;
        gap: 0.4rem;
      }
    `,
  ];

  declare page: number;
  declare pageSize: number;
  declare total: number;
  /** The noun for one item, such as "user". */
  declare noun: string;
  declare nounPlural: string;

  constructor() {
    super();
    this.page = 1;
    this.pageSize = 50;
    this.total = 0;
    this.noun = 'row';
    this.nounPlural = 'rows';
  }

  override render() {
    const pages = Math.max(Math.ceil(this.total / this.pageSize), 1);
    return html`
      <nav aria-label="Pages of ${this.nounPlural}">
        <button ?disabled=${this.page <= 1} @click=${() => this.go(this.page - 1)}>Previous</button>
        <span class="position" aria-live="polite">
          Page ${this.page} of ${pages} · ${formatCount(this.total, this.noun, this.nounPlural)}
        </span>
        <button ?disabled=${this.page >= pages} @click=${() => this.go(this.page + 1)}>Next</button>
        <label>
          Per page
          <select @change=${this.onPageSize}>
            ${PAGE_SIZES.map(
              (size) =>
                html`<option value=${size} ?selected=${size === this.pageSize}>${size}</option>`,
            )}
          </select>
        </label>
      </nav>
    `;
  }

  private go(page: number) {
    this.emit({ page, pageSize: this.pageSize });
  }

  private readonly onPageSize = (event: Event) => {
    const pageSize = Number((event.target as HTMLSelectElement).value);
    this.emit({ page: 1, pageSize });
  };

  private emit(request: PageRequest) {
    this.dispatchEvent(
      new CustomEvent<PageRequest>('page-change', {
        detail: request,
        bubbles: true,
        composed: true,
      }),
    );
  }
}

customElements.define('admin-pager', AdminPager);

declare global {
  interface HTMLElementTagNameMap {
    'admin-pager': AdminPager;
  }
}
