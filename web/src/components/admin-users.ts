/** User administration: create, reset a password, toggle staff/admin/disabled, delete. */
import type { AdminUserView, UpdateUserBody } from '@chat/protocol';
import { html, LitElement, nothing } from 'lit';
import { createUser, deleteUser, listUsers, updateUser } from '../api/users';
import { AdminActionController } from '../controllers/admin-action';
import { MIN_PASSWORD_LENGTH } from '../lib/limits';
import { adminStyles } from './admin-styles';
import { sharedStyles } from './shared-styles';

type Flag = 'isStaff' | 'isAdmin' | 'disabled';

const flagLabels: Record<Flag, string> = { isStaff: 'Staff', isAdmin: 'Admin', disabled: 'Disabled' };

export class AdminUsers extends LitElement {
  static override properties = {
    selfId: { attribute: false },
    users: { state: true },
    confirming: { state: true },
  };
  /** The signed-in admin, who may not lock themselves out (demote, disable or delete their own account). */
  declare selfId: string;
  declare users: readonly AdminUserView[];
  declare confirming: string | null;

  private readonly action = new AdminActionController(this);

  static override styles = [sharedStyles, adminStyles];

  constructor() {
    super();
    this.selfId = '';
    this.users = [];
    this.confirming = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.action.run(async () => {
      this.users = await listUsers();
      return null;
    });
  }

  override render() {
    const { error, status } = this.action;
    return html`
      <section aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        <form class="create" @submit=${this.onCreate}>
          <label>Username <input type="text" name="username" required autocomplete="off" autocapitalize="none" /></label>
          <label>
            Password
            <input type="password" name="password" required minlength=${MIN_PASSWORD_LENGTH} autocomplete="new-password" />
          </label>
          <label class="check"><input type="checkbox" name="isStaff" /> Staff</label>
          <label class="check"><input type="checkbox" name="isAdmin" /> Admin</label>
          <button type="submit" class="primary">Create user</button>
        </form>
        ${error ? html`<p role="alert">${error}</p>` : nothing}
        <p role="status" class="status">${status ?? ''}</p>
        <ul class="rows" aria-label="All users">
          ${this.users.map((user) => this.renderUser(user))}
        </ul>
      </section>
    `;
  }

  private renderUser(user: AdminUserView) {
    const self = user.id === this.selfId;
    return html`
      <li class="row" data-testid="admin-user" data-user-id=${user.id}>
        <span class="name">${user.username}${self ? html` <span class="muted">(you)</span>` : nothing}</span>
        ${(['isStaff', 'isAdmin', 'disabled'] as const).map((flag) => this.renderFlag(user, flag, self && flag !== 'isStaff'))}
        <form @submit=${(event: SubmitEvent) => this.onResetPassword(event, user)}>
          <label class="field">
            New password<span class="visually-hidden"> for ${user.username}</span>
            <input type="password" name="password" required minlength=${MIN_PASSWORD_LENGTH} autocomplete="new-password" />
          </label>
          <button type="submit" aria-label=${`Reset password for ${user.username}`}>Reset password</button>
        </form>
        ${self ? nothing : this.renderDelete(user)}
      </li>
    `;
  }

  private renderFlag(user: AdminUserView, flag: Flag, locked: boolean) {
    return html`<label class="check">
      <input
        type="checkbox"
        .checked=${user[flag]}
        ?disabled=${locked}
        @change=${(event: Event) => this.onFlag(event, user, flag)}
      />
      ${flagLabels[flag]}<span class="visually-hidden">: ${user.username}</span>
    </label>`;
  }

  private renderDelete(user: AdminUserView) {
    return this.confirming === user.id
      ? html`<button type="button" class="danger" @click=${() => this.onDelete(user)}>
            Confirm delete<span class="visually-hidden"> ${user.username}</span>
          </button>
          <button type="button" @click=${() => (this.confirming = null)}>Cancel</button>`
      : html`<button
          type="button"
          class="danger"
          aria-label=${`Delete ${user.username}`}
          @click=${() => (this.confirming = user.id)}
        >
          Delete
        </button>`;
  }

  private onCreate(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    void this.action.run(async () => {
      const user = await createUser({
        username: String(data.get('username') ?? '').trim(),
        password: String(data.get('password') ?? ''),
        isStaff: data.get('isStaff') === 'on',
        isAdmin: data.get('isAdmin') === 'on',
      });
      this.users = [...this.users, user];
      form.reset();
      return `User ${user.username} created.`;
    });
  }

  private onFlag(event: Event, user: AdminUserView, flag: Flag): void {
    const box = event.target as HTMLInputElement;
    const value = box.checked;
    const body: UpdateUserBody = { [flag]: value };
    void this.action.run(async () => {
      try {
        this.replace(await updateUser(user.id, body));
      } catch (error) {
        box.checked = user[flag];
        throw error;
      }
      return `${flagLabels[flag]} ${value ? 'set' : 'cleared'} for ${user.username}.`;
    });
  }

  private onResetPassword(event: SubmitEvent, user: AdminUserView): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const password = String(new FormData(form).get('password') ?? '');
    void this.action.run(async () => {
      await updateUser(user.id, { password });
      form.reset();
      return `Password reset for ${user.username}.`;
    });
  }

  private onDelete(user: AdminUserView): void {
    this.confirming = null;
    void this.action.run(async () => {
      await deleteUser(user.id);
      this.users = this.users.filter((other) => other.id !== user.id);
      return `User ${user.username} deleted.`;
    });
  }

  private replace(user: AdminUserView): void {
    this.users = this.users.map((other) => (other.id === user.id ? user : other));
  }
}

customElements.define('admin-users', AdminUsers);

declare global {
  interface HTMLElementTagNameMap {
    'admin-users': AdminUsers;
  }
}
