/** Who is in a room now (on any device), with how many: kept live by the room's join and leave notices. */
import { css, html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Members } from '../lib/members';
import { sharedStyles } from './shared-styles';

export class MemberList extends LitElement {
  static override properties = { members: { attribute: false }, selfId: { attribute: false } };
  declare members: Members;
  declare selfId: string;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        font-size: 0.85rem;
        color: var(--chat-muted);
      }
      ul {
        display: inline;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: inline;
      }
      li + li::before {
        content: ', ';
      }
      .self {
        font-weight: 600;
      }
    `,
  ];

  constructor() {
    super();
    this.members = { users: [], count: 0 };
    this.selfId = '';
  }

  override render() {
    const users = [...this.members.users].sort((a, b) => a.username.localeCompare(b.username));
    const more = this.members.count - users.length;
    return html`<span data-testid="member-count">${this.members.count} online</span>:
      <ul aria-label="Members">
        ${repeat(
          users,
          (user) => user.id,
          (user) => html`<li data-testid="member" class=${user.id === this.selfId ? 'self' : ''}>${user.username}</li>`,
        )}
      </ul>
      ${more > 0 ? html`<span>and ${more} more</span>` : ''}`;
  }
}

customElements.define('member-list', MemberList);

declare global {
  interface HTMLElementTagNameMap {
    'member-list': MemberList;
  }
}
