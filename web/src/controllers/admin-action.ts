/** Runs one admin action at a time and keeps its outcome: a success line or the error, never both. */
import type { ReactiveControllerHost } from 'lit';
import { describeError } from '../lib/errors';

/** Needs no lifecycle hooks, so it only holds the host to ask for re-renders. */
export class AdminActionController {
  error: string | null = null;
  status: string | null = null;
  busy = false;

  constructor(private readonly host: ReactiveControllerHost) {}

  /** `action` resolves with the success line to show, or throws. */
  async run(action: () => Promise<string | null>): Promise<void> {
    this.error = null;
    this.status = null;
    this.busy = true;
    this.host.requestUpdate();
    try {
      this.status = await action();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }
}
