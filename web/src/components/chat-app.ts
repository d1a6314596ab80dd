/** The root: signs in, picks the page from the route, and keeps admin pages from everyone but admins. */
import { css, html, LitElement, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { RouteController } from '../controllers/route';
import { SessionController } from '../controllers/session';
import '../pages/admin-page';
import '../pages/chat-page';
import type { Credentials } from '../pages/login-page';
import '../pages/login-page';
import './app-header';

export class ChatApp extends LitElement {
  private readonly session = new SessionController(this);
  private readonly router = new RouteController(this);

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100vh;
      height: 100dvh;
    }
    main {
      flex: 1;
      min-height: 0;
    }
    p {
      padding: 1rem;
    }
  `;

  protected override willUpdate(): void {
    // Non-admins who follow an #/admin link land on the chat; the admin page is never rendered for them.
    const user = this.session.user;
    if (user && !user.isAdmin && this.router.route === 'admin') this.router.replace('chat');
  }

  override render() {
    const { session } = this;
    if (!session.checked) return html`<p role="status">Loading…</p>`;
    const user = session.user;
    if (!user) {
      return html`<main>
        <login-page
          ?busy=${session.busy}
          .error=${session.error}
          .notice=${session.notice}
          @login-submit=${(event: CustomEvent<Credentials>) => session.login(event.detail.username, event.detail.password)}
        ></login-page>
      </main>`;
    }
    const page = user.isAdmin && this.router.route === 'admin' ? 'admin' : 'chat';
    return html`
      <app-header .user=${user} .route=${page} @logout=${() => session.logout()}></app-header>
      <main>
        ${keyed(
          user.id,
          html`<chat-page
            .user=${user}
            ?hidden=${page !== 'chat'}
            ?active=${page === 'chat'}
            @session-ended=${() => session.ended()}
          ></chat-page>`,
        )}
        ${page === 'admin' ? html`<admin-page .user=${user}></admin-page>` : nothing}
      </main>
    `;
  }
}

customElements.define('chat-app', ChatApp);

declare global {
  interface HTMLElementTagNameMap {
    'chat-app': ChatApp;
  }
}
