/** Shows whether the socket is up, and offers to skip the wait while reconnecting. */
import { css, html, LitElement, nothing } from 'lit';
import type { ConnectionStatus } from '../controllers/connection';
import { sharedStyles } from './shared-styles';

const labels: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ended: 'Disconnected',
};

export class ConnectionStatusView extends LitElement {
  static override properties = {
    status: {},
    attempt: { type: Number },
  };
  declare status: ConnectionStatus;
  declare attempt: number;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.9rem;
      }
      [role='status'] {
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      .dot {
        width: 0.65rem;
        height: 0.65rem;
        border-radius: 50%;
        background: var(--chat-warn);
        flex: none;
      }
      [data-state='connected'] .dot {
        background: var(--chat-ok);
      }
      [data-state='ended'] .dot {
        background: var(--chat-danger);
      }
      button {
        min-height: 1.9rem;
        padding: 0.1rem 0.5rem;
      }
    `,
  ];

  constructor() {
    super();
    this.status = 'connecting';
    this.attempt = 0;
  }

  override render() {
    const attempt = this.status === 'reconnecting' && this.attempt > 1 ? ` (attempt ${this.attempt})` : '';
    return html`
      <div role="status" data-testid="connection-status" data-state=${this.status}>
        <span class="dot" aria-hidden="true"></span>
        <span>${labels[this.status]}${attempt}</span>
      </div>
      ${
        this.status === 'reconnecting'
          ? html`<button type="button" @click=${() => this.dispatchEvent(new Event('reconnect-now', { bubbles: true, composed: true }))}>Reconnect now</button>`
          : nothing
      }
    `;
  }
}

customElements.define('connection-status', ConnectionStatusView);

declare global {
  interface HTMLElementTagNameMap {
    'connection-status': ConnectionStatusView;
  }
}
