/**
 * Acknowledge first, then work a few commands at a time. Under a burst of slash commands every
 * command's continuations share one event loop with the HTTP parsing, signature check and `ack()`
 * of the next request: with 20 commands at work, an acknowledgement waits behind all of their
 * steps (bench/chat.ts: event-loop delay p50 22–39 ms, ack p99 190–630 ms at load 5). With at most
 * four at work it waited 6–7 ms at p50 (ack p99 140–480 ms, median 200 vs 380).
 *
 * A command holds its slot until it ends or for `holdMs`, whichever comes first, so a long scan
 * (`spn dupes` over a forest) never keeps quick questions waiting longer than that.
 */
export interface WorkQueueOptions {
  /** Commands at work at once; default 4. */
  max?: number;
  /** Longest time one command keeps its slot; default 500 ms. */
  holdMs?: number;
}

export type WorkQueue = <T>(work: () => Promise<T>) => Promise<T>;

export function workQueue(options: WorkQueueOptions = {}): WorkQueue {
  const max = Math.max(1, options.max ?? 4);
  const holdMs = options.holdMs ?? 500;
  let active = 0;
  const waiting: (() => void)[] = [];
  // A freed slot passes straight to the next waiting command, so `active` never exceeds `max`.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      release();
    };
    const timer = setTimeout(free, holdMs);
    return Promise.resolve().then(work).finally(free);
  };
  return (work) => {
    if (active < max) {
      active++;
      return run(work);
    }
    return new Promise<void>((r) => waiting.push(r)).then(() => run(work));
  };
}
