/** The top bar: who is signed in, the page links (Admin only for admins) and Sign out. */
import type { PublicUser } from '@chat/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { hrefOf, type Route } from '../lib/route';
import { fire } from './events';
import { sharedStyles } from './shared-styles';

export class AppHeader extends LitElement {
  static override properties = {
    user: { attribute: false },
    route: {},
  };
  declare user: PublicUser;
  declare route: Route;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        background: var(--chat-surface);
        border-bottom: 1px solid var(--chat-border);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        padding: 0.5rem 1rem;
      }
      .brand {
        font-weight: 700;
        margin-inline-end: auto;
      }
      nav ul {
        display: flex;
        gap: 0.75rem;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      a {
        color: var(--chat-accent);
      }
      a[aria-current='page'] {
        font-weight: 700;
        color: var(--chat-text);
      }
      .who {
        color: var(--chat-muted);
        font-size: 0.9rem;
      }
      /* Narrow: the name, the links and Sign out on one line, who is signed in on the next. */
      @media (max-width: 500px) {
        header {
          padding: 0.4rem 0.5rem;
          gap: 0.25rem 0.75rem;
        }
        .brand {
          margin-inline-end: 0;
        }
        nav {
          margin-inline-end: auto;
        }
        .who {
          order: 1;
          flex-basis: 100%;
          font-size: 0.85rem;
        }
      }
    `,
  ];

  constructor() {
    super();
    this.route = 'chat';
  }

  override render() {
    const link = (route: Route, label: string) =>
      html`<li><a href=${hrefOf(route)} aria-current=${this.route === route ? 'page' : 'false'}>${label}</a></li>`;
    // The greater role says what the user can do here; "staff" is for staff who are not administrators.
    const role = this.user.isAdmin ? 'administrator' : this.user.isStaff ? 'staff' : null;
    return html`
      <header>
        <span class="brand">MultiChat</span>
        <nav aria-label="Main">
          <ul>
            ${link('chat', 'Chat')} ${this.user.isAdmin ? link('admin', 'Admin') : nothing}
          </ul>
        </nav>
        <span class="who" data-testid="current-user">
          Signed in as <strong>${this.user.username}</strong>${role ? ` (${role})` : ''}
        </span>
        <button type="button" @click=${() => fire(this, 'logout', null)}>Sign out</button>
      </header>
    `;
  }
}

customElements.define('app-header', AppHeader);

declare global {
  interface HTMLElementTagNameMap {
    'app-header': AppHeader;
  }
}
