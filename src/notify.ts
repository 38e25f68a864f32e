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
  /**
   * Optional idempotency check for re-delivery: the destination's id of a message carrying this
   * alert's key, if one was already posted (a crash between the post and its record), else undefined.
   */
  find?(alert: Alert): Promise<string | undefined>;
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
    if (failed.length) throw new AggregateError(failed.map((f): unknown => f.reason), `${failed.length} of ${this.notifiers.length} destinations refused alert ${alert.key}`);
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
  /** Destinations that already had it (an earlier run, another replica, or found there on re-delivery). */
  already: string[];
  /** Destinations that refused it; their claim was removed so the next run retries. */
  failed: { target: string; error: string }[];
  /** Destinations with nowhere to post yet (Teams before krbops is added to a channel): kept for the next run, not a failure. */
  waiting: { target: string; reason: string }[];
}

/** A destination that cannot take alerts yet and is not broken (Teams before the bot is added to any channel). */
export class DestinationNotReadyError extends Error {}

export interface DeliveryOptions {
  log?: Logger;
  now?: () => Date;
  /**
   * A pending claim older than this is taken to belong to a poster that died mid-post (crash, kill -9)
   * and is delivered again, idempotently (Notifier.find). Default 60 000 ms.
   */
  staleMs?: number;
}

/**
 * Delivers `alert` to each destination through the outbox: the alert is recorded as pending (with
 * its content) BEFORE the post and marked posted after it, so a crash between the two leaves a
 * pending alert that a later run re-delivers — after asking the destination whether the first post
 * got through (Slack: the alert key in the channel's recent message metadata), so it is posted once.
 */
export async function deliverAlert(store: Pick<StoreOps, 'claimAlert' | 'confirmPosted' | 'unmarkPosted'>, notifiers: Notifier[], alert: Alert, o: DeliveryOptions | Logger = {}): Promise<DeliveryResult> {
  const opts: DeliveryOptions = 'level' in o ? { log: o as Logger } : (o as DeliveryOptions);
  const log = opts.log;
  const now = opts.now ?? (() => new Date());
  const result: DeliveryResult = { posted: [], already: [], failed: [], waiting: [] };
  for (const n of flatten(notifiers)) {
    const claim = await store.claimAlert(alert.key, n.name, { job: alert.job, title: alert.title, payload: JSON.stringify(alert), now: now(), staleMs: opts.staleMs ?? 60_000 });
    if (claim === 'posted' || claim === 'busy') {
      result.already.push(n.name);
      continue;
    }
    try {
      if (claim === 'redeliver' && n.find) {
        const ref = await n.find(alert);
        if (ref !== undefined) {
          await store.confirmPosted(alert.key, n.name, ref);
          log?.info({ alertKey: alert.key, target: n.name, ref }, 'pending alert was already at the destination; marked posted');
          result.already.push(n.name);
          continue;
        }
      }
      const posted = await n.post(alert);
      await store.confirmPosted(alert.key, n.name, refOf(posted));
      result.posted.push(n.name);
    } catch (e) {
      await store.unmarkPosted(alert.key, n.name);
      const error = e instanceof Error ? e.message : String(e);
      if (e instanceof DestinationNotReadyError) {
        result.waiting.push({ target: n.name, reason: error });
        log?.info({ alertKey: alert.key, target: n.name, reason: error }, 'alert kept for the next run');
        continue;
      }
      result.failed.push({ target: n.name, error });
      log?.error({ err: e, alertKey: alert.key, target: n.name }, 'alert delivery failed; it will be retried on the next run');
    }
  }
  return result;
}

/** The destination's id of a posted message, when the notifier says (`{ ts }` from Slack, `{ id }`). */
function refOf(posted: unknown): string | undefined {
  const p = posted as { ts?: unknown; id?: unknown } | undefined;
  return typeof p?.ts === 'string' ? p.ts : typeof p?.id === 'string' ? p.id : undefined;
}

/**
 * Re-delivers alerts left pending by a poster that died (after a restart; each scheduler start and
 * tick calls it). Returns how many were delivered (posted or found at the destination).
 */
export async function redeliverPending(store: Pick<StoreOps, 'claimAlert' | 'confirmPosted' | 'unmarkPosted' | 'pendingAlerts'>, notifiers: Notifier[], o: DeliveryOptions = {}): Promise<number> {
  const now = (o.now ?? (() => new Date()))();
  const staleMs = o.staleMs ?? 60_000;
  const byName = new Map(flatten(notifiers).map((n) => [n.name, n]));
  let delivered = 0;
  for (const p of await store.pendingAlerts(new Date(now.getTime() - staleMs))) {
    const n = byName.get(p.target);
    if (!n) continue;
    const r = await deliverAlert(store, [n], JSON.parse(p.payload) as Alert, o);
    delivered += r.posted.length + r.already.length;
  }
  return delivered;
}
