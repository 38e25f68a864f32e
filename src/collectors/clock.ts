/**
 * Clock collector: the DC's currentTime (rootDSE), the web server's Date header and the local
 * clock, as offsets from the local clock. Reading the DC is the directory's job; this module only
 * times the read and turns the readings into evidence.
 */
import type { ClockEvidence, ClockReading, HttpEvidence } from '../model/index.js';
import { collectorError, withTimeout } from './timeout.js';

export function reading(remote: string | undefined, observedAt: Date): ClockReading | undefined {
  if (!remote) return undefined;
  const t = Date.parse(remote);
  if (Number.isNaN(t)) return undefined;
  return { time: new Date(t).toISOString(), observedAt: observedAt.toISOString(), offsetMs: t - observedAt.getTime() };
}

/** Reads the DC clock, stamping it with the local time half-way through the round trip. */
export async function readDcClock(read: () => Promise<string | undefined>, now: () => Date, timeoutMs: number): Promise<{ reading?: ClockReading; error?: string }> {
  try {
    const before = now().getTime();
    const t = await withTimeout(read(), timeoutMs, 'The DC clock');
    const after = now().getTime();
    const r = reading(t, new Date(Math.round((before + after) / 2)));
    return r ? { reading: r } : { error: 'the DC did not return currentTime' };
  } catch (e) {
    return { error: `DC clock: ${collectorError('clock', e).message}` };
  }
}

export function clockEvidence(local: Date, dc: { reading?: ClockReading; error?: string } | undefined, http: HttpEvidence | undefined): ClockEvidence {
  const errors: string[] = [];
  if (dc?.error) errors.push(dc.error);
  let server: ClockReading | undefined;
  if (http?.ok) {
    server = reading(http.date, http.observedAt ? new Date(http.observedAt) : local);
    if (!server) errors.push(http.date ? `the web server Date header is not a date: ${http.date.slice(0, 60)}` : 'the web server sent no Date header');
  } else if (http) errors.push('the web server clock is unknown (the probe failed)');
  return { local: local.toISOString(), ...(dc?.reading ? { dc: dc.reading } : {}), ...(server ? { server } : {}), errors };
}
