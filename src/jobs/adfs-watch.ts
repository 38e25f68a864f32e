/**
 * `adfs-watch`: on a schedule, read every configured ADFS federation metadata source with the ADFS
 * module (src/adfs: fetch, parse, signature against the previously pinned certificate, checks) and
 * post each finding's `alertKey` once. The previous state of each source (pinned signing
 * certificates, primary thumbprint) is kept in the store under `adfsStateKey(source)`.
 *
 * A source whose alerts could not all be delivered keeps its previous state, so the same findings
 * (and keys) come back on the next run and only the missing deliveries are retried. All states are
 * written in one transaction at the end of the run.
 */
import { adfsStateKey, nextAdfsState } from '../adfs/check.js';
import { toAdfsEvidence } from '../adfs/index.js';
import { collectAdfs, type CollectAdfsOptions } from '../collectors/adfs.js';
import type { AdfsEvidence, AdfsFinding, AdfsSnapshot, AdfsState } from '../model/index.js';
import { checkAdfs } from '../rules/catalog/adfs.js';
import type { Config } from '../config.js';
import { ErrorCode, KrbopsError } from '../errors.js';
import type { Alert } from '../notify.js';
import type { Job, JobContext } from './types.js';

export const ADFS_JOB = 'adfs-watch';

export interface AdfsWatchSummary {
  sources: { source: string; certificates: number; findings: number; posted: number; failed: number; error?: string }[];
  alertsPosted: number;
  alertsFailed: number;
}

export interface AdfsWatchOptions {
  /** Passed to the collector (timeouts, size limit…); the defaults of src/adfs apply otherwise. */
  collect?: Partial<Omit<WatchAdfsOptions, 'adfs' | 'now' | 'previousState'>>;
  /** Test seam: called just before the state commit. */
  beforeCommit?: (ctx: JobContext) => Promise<void>;
}

export interface WatchAdfsOptions extends Omit<CollectAdfsOptions, 'caFile'> {
  /** config.adfs: CA file, warning thresholds, expected thumbprints per relying party. */
  adfs: Config['adfs'];
  /** Relying party trust names for fix commands; default the keys of expectedThumbprints, else CRM. */
  relyingParties?: string[];
}

export interface AdfsWatchResult {
  snapshot: AdfsSnapshot;
  findings: AdfsFinding[];
  /** What to store under adfsStateKey(source) for the next run (undefined: keep nothing). */
  nextState: AdfsState | undefined;
  evidence: AdfsEvidence;
}

/**
 * One metadata source: collect, run the ADFS catalog, and the state to keep. Never throws for
 * endpoint or document problems.
 *
 * ```ts
 * const previous = await store.getState<AdfsState>(adfsStateKey(url));
 * const { findings, nextState } = await watchAdfsSource(url, { adfs: config.adfs, now: new Date(), previousState: previous });
 * for (const f of findings) if (await store.recordAlert(f.alertKey, …)) post(f);
 * if (nextState) await store.setState(adfsStateKey(url), nextState);
 * ```
 */
export async function watchAdfsSource(source: string, options: WatchAdfsOptions): Promise<AdfsWatchResult> {
  const snapshot = await collectAdfs(source, { ...options, caFile: options.adfs.caFile });
  const findings = checkAdfs(snapshot, options.previousState, {
    now: options.now,
    warnDays: options.adfs.warnDays,
    expectedThumbprints: options.adfs.expectedThumbprints,
    relyingParties: options.relyingParties,
  });
  return { snapshot, findings, nextState: nextAdfsState(snapshot, options.previousState), evidence: toAdfsEvidence(snapshot, findings) };
}

/** A finding as an alert: the card can render `findings`; `text` is the plain version. */
export function adfsAlert(f: AdfsFinding): Alert {
  const lines = [`Source: ${f.source}`, ...f.evidence, '', f.why];
  if (f.fix.summary || f.fix.commands.length) lines.push('', `Fix: ${f.fix.summary}`, ...f.fix.commands.map((c) => `  ${c}`));
  return { key: f.alertKey, title: f.title, severity: f.severity, text: lines.join('\n'), findings: [f], job: ADFS_JOB };
}

export function adfsWatchJob(config: Config, options: AdfsWatchOptions = {}): Job {
  return {
    name: ADFS_JOB,
    schedule: config.schedules.adfs,
    scheduleVariable: 'KRBOPS_SCHEDULE_ADFS',
    source: 'ADFS certificate watch',
    async run(ctx: JobContext): Promise<AdfsWatchSummary> {
      const now = ctx.now();
      const summary: AdfsWatchSummary = { sources: [], alertsPosted: 0, alertsFailed: 0 };
      const states: [string, AdfsState][] = [];
      for (const source of config.adfs.metadataUrls) {
        ctx.signal.throwIfAborted();
        const previousState = await ctx.store.getState<AdfsState>(adfsStateKey(source));
        const result = await watchAdfsSource(source, { ...options.collect, adfs: config.adfs, now, previousState });
        let posted = 0;
        let failed = 0;
        let waiting = 0;
        for (const f of result.findings) {
          const r = await ctx.deliver(adfsAlert(f));
          posted += r.posted.length;
          failed += r.failed.length;
          waiting += r.waiting.length;
        }
        if (result.nextState && failed === 0 && waiting === 0) states.push([adfsStateKey(source), result.nextState]);
        summary.sources.push({ source, certificates: result.snapshot.certificates.length, findings: result.findings.length, posted, failed, ...(result.snapshot.error ? { error: `${result.snapshot.error.code}: ${result.snapshot.error.message}` } : {}) });
        summary.alertsPosted += posted;
        summary.alertsFailed += failed;
      }
      ctx.signal.throwIfAborted();
      await options.beforeCommit?.(ctx);
      ctx.signal.throwIfAborted();
      await ctx.store.transaction(async (tx) => {
        for (const [k, v] of states) await tx.setState(k, v);
      });
      if (summary.alertsFailed) {
        throw new KrbopsError(ErrorCode.Internal, `${summary.alertsFailed} ADFS alert deliver${summary.alertsFailed === 1 ? 'y' : 'ies'} failed; they will be retried on the next run`, { details: { summary } });
      }
      return summary;
    },
  };
}
