/**
 * Alerts from the scheduled watchers, and where they go. The surfaces implement `Notifier`
 * (Slack posts to config.slack.alertChannel, Teams to every saved conversation reference); the
 * jobs only call `deliverAlert`, which posts each alert key once per destination, across restarts
 * and replicas, by marking it in the store first.
 */
import type { Logger } from 'pino';
import type { Finding, Severity } from './model/index.js';
import type { StoreOps } from './store/types.js';

export interface Alert {
  /** Stable identity: the same key is posted at most once per destination, ever. */
  key: string;
  title: string;
  severity: Severity;
  /** Plain text (a few lines; surfaces may render `findings` as a card instead). */
  text: string;
  findings?: Finding[];
  /** Extra plain lines a card shows under the text. */
  lines?: string[];
  /** The job that raised it (dupes-watch, adfs-watch). */
  job?: string;
  /** Where it came from, for people: "duplicate SPN watch", "ADFS certificate watch". */
  source?: string;
  /** When it was detected (ISO-8601). */
  at?: string;
}

/** What a card shows of an alert (Slack and Teams render the same view); everything but the title optional. */
export type AlertView = Pick<Alert, 'title'> & Partial<Omit<Alert, 'title'>>;

export interface Notifier {
  /** Destination name, also the dedupe target in the store: 'slack', 'teams', 'log'… Unique per process. */
  readonly name: string;
  /**
   * Posts the alert; throws when the destination did not accept it (the next run retries). What it
   * resolves with (a message ts, the channels reached) is only logged. The Slack and Teams
   * notifiers of src/surfaces implement this.
   */
  post(alert: Alert): Promise<unknown>;
}

/** Several destinations as one: every destination gets every alert; the first failure is rethrown after all were tried. */
export class CompositeNotifier implements Notifier {
  readonly name: string;
  constructor(readonly notifiers: Notifier[]) {
    this.name = notifiers.map((n) => n.name).join('+') || 'none';
  }

  async post(alert: Alert): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.post(alert)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new AggregateError(failed.map((f) => f.reason), `${failed.length} of ${this.notifiers.length} destinations refused alert ${alert.key}`);
  }
}

/** Writes alerts to the JSON log: always on in `krbops serve`, so an alert is never only in a chat. */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}

  async post(alert: Alert): Promise<void> {
    this.log.warn({ alert: { key: alert.key, job: alert.job, severity: alert.severity, title: alert.title, text: alert.text } }, `alert: ${alert.title}`);
  }
}

function flatten(notifiers: Notifier[]): Notifier[] {
  return notifiers.flatMap((n) => (n instanceof CompositeNotifier ? flatten(n.notifiers) : [n]));
}

export interface DeliveryResult {
  /** Destinations that got the alert now. */
  posted: string[];
  /** Destinations that already had it (an earlier run, another replica). */
  already: string[];
  /** Destinations that refused it; their mark was removed so the next run retries. */
  failed: { target: string; error: string }[];
}

/**
 * Posts `alert` to each destination that has not had its key yet. The mark is taken before the
 * post (insert-if-absent, so two replicas cannot both post) and removed again if the post fails.
 */
export async function deliverAlert(store: Pick<StoreOps, 'markPosted' | 'unmarkPosted'>, notifiers: Notifier[], alert: Alert, log?: Logger): Promise<DeliveryResult> {
  const result: DeliveryResult = { posted: [], already: [], failed: [] };
  for (const n of flatten(notifiers)) {
    if (!(await store.markPosted(alert.key, { target: n.name, job: alert.job, title: alert.title }))) {
      result.already.push(n.name);
      continue;
    }
    try {
      await n.post(alert);
      result.posted.push(n.name);
    } catch (e) {
      await store.unmarkPosted(alert.key, n.name);
      const error = e instanceof Error ? e.message : String(e);
      result.failed.push({ target: n.name, error });
      log?.error({ err: e, alertKey: alert.key, target: n.name }, 'alert delivery failed; it will be retried on the next run');
    }
  }
  return result;
}
