/** Administration (admins only; chat-app never renders it for anyone else, and the API checks again). */
import type { PublicUser } from '@chat/protocol';
import { css, html, LitElement } from 'lit';
import '../components/admin-rooms';
import '../components/admin-users';

export class AdminPage extends LitElement {
  static override properties = {
    user: { attribute: false },
  };
  declare user: PublicUser;

  static override styles = css`
    /* The page's one scroller. Positioned, so the visually hidden parts of labels (absolutely positioned) scroll
       with it instead of stretching the document below the app into a second, blank scroll. */
    :host {
      display: block;
      position: relative;
      overflow-y: auto;
      height: 100%;
    }
    .content {
      display: grid;
      gap: 2rem;
      max-width: 60rem;
      margin: 0 auto;
      padding: 1rem;
    }
    h1 {
      margin: 0;
      font-size: 1.5rem;
    }
  `;

  override render() {
    return html`
      <div class="content">
        <h1>Administration</h1>
        <admin-rooms></admin-rooms>
        <admin-users .selfId=${this.user.id}></admin-users>
      </div>
    `;
  }
}

customElements.define('admin-page', AdminPage);

declare global {
  interface HTMLElementTagNameMap {
    'admin-page': AdminPage;
  }
}
