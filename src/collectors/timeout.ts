/** Bounds a collector step in time. Collectors record the resulting error as evidence; they never throw it. */
import { isKrbopsError, ProbeError, ErrorCode } from '../errors.js';
import type { CollectorError, CollectorName } from '../model/index.js';
import { withTimeout as raceTimeout } from '../timeout.js';

export class CollectorTimeoutError extends ProbeError {
  constructor(what: string, ms: number) {
    super(ErrorCode.ProbeTimeout, `${what} did not answer within ${ms} ms`, { details: { timeoutMs: ms } });
  }
}

/** Resolves like `promise`, or rejects with CollectorTimeoutError after `ms`. The timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return raceTimeout(promise, ms, () => new CollectorTimeoutError(what, ms));
}

/** Turns any thrown value into a CollectorError (code from KrbopsError, else the system code). */
export function collectorError(collector: CollectorName, e: unknown): CollectorError {
  if (isKrbopsError(e)) return { collector, code: e.code, message: e.message };
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : 'ERROR';
  const message = typeof err?.message === 'string' && err.message ? err.message.split('\n', 1)[0]!.slice(0, 300) : String(e).slice(0, 300);
  return { collector, code, message };
}
