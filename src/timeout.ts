/**
 * The one "race against a timeout" helper: collectors, the health check, the SPNEGO probe and the
 * graceful shutdowns all bound their waits with these.
 */

/** Resolves like `promise`, or rejects with `onTimeout()` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until every promise settled or `ms` passed; true when they all settled in time. */
export async function settledWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    // Not unref'd: waiting for the work is the point (shutdown grace periods).
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = Promise.allSettled([...promises]).then(() => true as const);
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}
