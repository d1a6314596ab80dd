/** Who is signed in: asks the gateway on start (the cookie is httpOnly, so only the server knows). */
import type { PublicUser } from '@chat/protocol';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as auth from '../api/auth';
import { describeError, errorCode } from '../lib/errors';

export class SessionController implements ReactiveController {
  user: PublicUser | null = null;
  /** False until the first "who am I" answered. */
  checked = false;
  busy = false;
  /** Why the last sign-in failed. */
  error: string | null = null;
  /** Why the user is looking at the sign-in page again (signed out, session ended). */
  notice: string | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.checked) void this.check();
  }

  async check(): Promise<void> {
    try {
      this.user = await auth.me();
    } catch (error) {
      this.user = null;
      if (errorCode(error) !== 'UNAUTHORIZED') this.error = describeError(error);
    }
    this.checked = true;
    this.host.requestUpdate();
  }

  async login(username: string, password: string): Promise<void> {
    this.busy = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      this.user = await auth.login({ username, password });
      this.notice = null;
    } catch (error) {
      this.error = errorCode(error) === 'UNAUTHORIZED' ? 'Wrong username or password.' : describeError(error);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  async logout(): Promise<void> {
    try {
      await auth.logout();
    } catch {
      // The cookie may already be gone; either way this page is signed out.
    }
    this.signedOut('You have signed out.');
  }

  /** The gateway ended the session (logout elsewhere, account disabled or deleted). */
  ended(): void {
    this.signedOut('Your session has ended. Please sign in again.');
  }

  private signedOut(notice: string): void {
    this.user = null;
    this.error = null;
    this.notice = notice;
    this.host.requestUpdate();
  }
}
