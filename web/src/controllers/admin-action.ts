/** Runs admin actions and shows the latest one's outcome: a success line or the error, never both. */
import { Task, TaskStatus } from '@lit/task';
import type { ReactiveControllerHost } from 'lit';
import { describeError } from '../lib/errors';

/** What the admin pages read of a @lit/task Task: busy, and the latest action's success line or error. */
export class AdminActionController {
  /** An action started while another is under way supersedes it: only the latest one's outcome shows. */
  private readonly task: Task<[() => Promise<string | null>], string | null>;

  constructor(host: ReactiveControllerHost) {
    this.task = new Task(host, { task: ([action]) => action(), autoRun: false });
  }

  get busy(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  get status(): string | null {
    return this.task.status === TaskStatus.COMPLETE ? (this.task.value ?? null) : null;
  }

  get error(): string | null {
    return this.task.status === TaskStatus.ERROR ? describeError(this.task.error) : null;
  }

  /** `action` resolves with the success line to show, or throws. */
  run(action: () => Promise<string | null>): Promise<void> {
    return this.task.run([action]);
  }
}
