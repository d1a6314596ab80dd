/** The unread count next to a room's name; the words "unread" are there for screen readers. */
import { html, nothing } from 'lit';

export function unreadBadge(count: number) {
  if (count <= 0) return nothing;
  return html`<span class="badge" data-testid="unread-count">${count}</span><span class="visually-hidden"> unread</span>`;
}
