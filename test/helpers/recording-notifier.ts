/** A test destination for alerts (moved out of src/notify.ts: production code holds no test doubles). */
import type { Alert, Notifier } from '../../src/notify.js';

/**
 * Keeps every alert it is given, in order: the destination of tests. A real Notifier (the same code path as Slack/Teams), not a mock. `failNext(n)` makes the
 * next n posts throw, to exercise retries.
 */
export class RecordingNotifier implements Notifier {
  readonly alerts: Alert[] = [];
  private failures = 0;
  constructor(readonly name = 'recording') {}

  failNext(n = 1): void {
    this.failures = n;
  }

  async post(alert: Alert): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error(`${this.name}: destination unavailable`);
    }
    this.alerts.push(alert);
  }

  clear(): void {
    this.alerts.length = 0;
  }
}

