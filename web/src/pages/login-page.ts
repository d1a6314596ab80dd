/** The sign-in form. It only collects credentials; chat-app signs in and tells it how that went. */
import { css, html, LitElement, nothing } from 'lit';
import { fire } from '../components/events';
import { sharedStyles } from '../components/shared-styles';

export interface Credentials {
  username: string;
  password: string;
}

export class LoginPage extends LitElement {
  static override properties = {
    busy: { type: Boolean },
    error: { attribute: false },
    notice: { attribute: false },
  };
  declare busy: boolean;
  declare error: string | null;
  declare notice: string | null;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100%;
        padding: 1rem;
      }
      form {
        width: min(22rem, 100%);
        display: grid;
        gap: 0.9rem;
        background: var(--chat-surface);
        border: 1px solid var(--chat-border);
        border-radius: var(--chat-radius);
        padding: 1.5rem;
      }
      h1 {
        margin: 0;
        font-size: 1.4rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
        font-weight: 600;
      }
      p {
        margin: 0;
      }
      .notice {
        color: var(--chat-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.busy = false;
    this.error = null;
    this.notice = null;
  }

  override render() {
    return html`
      <form @submit=${this.onSubmit} aria-labelledby="heading">
        <h1 id="heading">Sign in to MultiChat</h1>
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <label>
          Username
          <input type="text" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    `;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const credentials: Credentials = {
      username: String(data.get('username') ?? '').trim(),
      password: String(data.get('password') ?? ''),
    };
    if (credentials.username && credentials.password) fire(this, 'login-submit', credentials);
  }
}

customElements.define('login-page', LoginPage);

declare global {
  interface HTMLElementTagNameMap {
    'login-page': LoginPage;
  }
}
