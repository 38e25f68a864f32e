/**
 * `dupes-watch`: on a schedule, find duplicate SPNs and HTTP/HOST alias collisions, compare with the
 * last run, post only what is new (and a short note when one is resolved).
 *
 * - First run: full scan, baseline, ONE summary alert.
 * - Later runs: incremental — only accounts whose uSNChanged is above the watermark of the DC
 *   (`DirectoryReader.changedSince`, which also returns accounts that lost their last SPN), merged
 *   into the SPN owner map kept in the store. A full scan again when the DC (dsServiceName) or its
 *   invocation ID changes, when its highestCommittedUSN went back, and at least every
 *   `fullScanEveryMs`.
 * - The accounts of standing issues that did not change in this delta are read again by DN (a
 *   deleted account is not returned by the delta: without this its duplicate would never resolve),
 *   at most `recheckPerRun` of them per run, in turn: a forest with thousands of standing
 *   duplicates sees a deletion within a few runs instead of paying for every account every run.
 *
 * Nothing is written until the end: the owner map (full scans are staged under a separate scope and
 * swapped in) and the state commit in one transaction, after the alerts. A run cut off anywhere
 * before that leaves the previous state intact; the next run recomputes the same difference and
 * the alert keys (deterministic in that state) stop anything from being posted twice.
 */
import type { Config } from '../config.js';
import type { DirectoryReader } from '../directory/types.js';
import type { AccountRef, DirectoryInfo } from '../model/index.js';
import { KrbopsError, ErrorCode } from '../errors.js';
import type { Alert, DeliveryResult } from '../notify.js';
import type { SpnOwner } from '../store/types.js';
import { baselineAlert, diffIssues, findSpnIssues, newIssueAlert, resolvedAlert, type RememberedIssue } from './duplicates.js';
import type { SpnIssue } from '../model/index.js';
import type { Job, JobContext } from './types.js';

export const DUPES_JOB = 'dupes-watch';

export interface DupesState {
  version: 1;
  scope: string;
  /** The DC whose USNs the watermark belongs to. */
  dc: { server: string; dsServiceName?: string; invocationId?: string };
  /** uSNChanged watermark for the next incremental run (the DC's highestCommittedUSN read before the scan). */
  usn?: string;
  lastFullScanAt: string;
  baselineAt: string;
  /** Whether the first run's summary was delivered (retried until it is). */
  baselinePosted: boolean;
  issues: Record<string, RememberedIssue>;
  episodes: Record<string, number>;
  /** Lower-cased DN of the last standing-issue account re-read; the next run goes on after it. */
  recheckCursor?: string;
}

export interface DupesWatchSummary {
  mode: 'full' | 'incremental';
  reason: string;
  scope: string;
  /** Accounts read from the directory in this run. */
  accountsRead: number;
  /** Standing issues with accounts outside this run's delta (incremental runs). */
  rechecked: number;
  /** Of those issues' accounts, how many this run read again by DN (at most `recheckPerRun`). */
  recheckedAccounts: number;
  duplicates: number;
  aliasCollisions: number;
  appeared: number;
  changed: number;
  resolved: number;
  alertsPosted: number;
  alertsFailed: number;
  usn?: string;
}

export interface DupesWatchOptions {
  /** Full rescan at least this often even when incremental runs work; default 24 h. */
  fullScanEveryMs?: number;
  /** Accounts per staging write during a full scan (bounded memory); default 500. */
  batchSize?: number;
  /** Standing issues' accounts read again per incremental run; default `config.dupesRecheckPerRun`. */
  recheckPerRun?: number;
  /**
   * Test seam: called after the alerts and just before the state commit. A test that kills the
   * replica here proves that a run cut off before its commit loses nothing.
   */
  beforeCommit?: (ctx: JobContext) => Promise<void>;
}

export const dupesStateKey = (scope: string) => `${DUPES_JOB}:${scope}`;
/** Per run (a run that lost its lease and kept writing cannot mix rows into the next run's scan). */
const stagingPrefix = (scope: string) => `${scope}#staging:`;
const stagingScope = (scope: string, tick: Date) => `${stagingPrefix(scope)}${tick.toISOString()}`;

type Scanned = AccountRef & { servicePrincipalName: string[]; uSNChanged?: string };

function toOwner(a: Scanned): SpnOwner {
  return { dn: a.dn, sAMAccountName: a.sAMAccountName, whenChanged: a.whenChanged, disabled: a.disabled, spns: a.servicePrincipalName ?? [] };
}

const maxUsn = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : BigInt(a) >= BigInt(b) ? a : b);

/** Why this run must scan everything, or undefined for an incremental run. */
export function fullScanReason(prev: DupesState | undefined, dc: DupesState['dc'], highestCommittedUSN: string | undefined, now: Date, fullScanEveryMs: number): string | undefined {
  if (!prev) return 'baseline';
  if (prev.dc.dsServiceName && dc.dsServiceName ? prev.dc.dsServiceName.toLowerCase() !== dc.dsServiceName.toLowerCase() : prev.dc.server !== dc.server) return 'dc-changed';
  if (prev.dc.invocationId && dc.invocationId && prev.dc.invocationId.toLowerCase() !== dc.invocationId.toLowerCase()) return 'dc-invocation-id-changed';
  if (!prev.usn) return 'no-watermark';
  if (highestCommittedUSN && /^\d+$/.test(highestCommittedUSN) && BigInt(highestCommittedUSN) < BigInt(prev.usn)) return 'usn-went-back';
  if (now.getTime() - Date.parse(prev.lastFullScanAt) >= fullScanEveryMs) return 'periodic';
  return undefined;
}

/**
 * Corrects stale owner-map entries for the accounts of standing issues that this delta did not
 * cover (deleted accounts, or a missed change): those accounts are read again by DN, and what the
 * directory holds now wins; an account that is gone holds nothing. At most `perRun` of them, in
 * DN order from the one after `cursor` (wrapping): on Samba each account read by DN costs ≈ 0.6 ms
 * of the DC's time (BENCHMARKS.md), and a forest with a thousand standing duplicates would spend
 * more on this than on the delta itself.
 */
async function recheck(
  dir: DirectoryReader,
  issues: SpnIssue[],
  view: Map<string, SpnOwner>,
  fresh: Set<string>,
  turn: { perRun: number; cursor?: string },
  signal: AbortSignal,
): Promise<{ checked: number; read: number; cursor?: string; corrected: Map<string, SpnOwner> }> {
  const corrected = new Map<string, SpnOwner>();
  const stale = new Map<string, string>(); // lower-cased DN → DN as the owner map has it
  let checked = 0;
  for (const issue of issues) {
    const accounts = issue.kind === 'duplicate' ? issue.accounts : [...(issue.serviceAccounts ?? []), ...(issue.hostAccounts ?? [])];
    const notInDelta = accounts.filter((a) => !fresh.has(a.dn.toLowerCase()));
    if (!notInDelta.length) continue;
    checked++;
    for (const a of notInDelta) stale.set(a.dn.toLowerCase(), a.dn);
  }
  const { keys, cursor } = inTurn([...stale.keys()], turn);
  if (!keys.length) return { checked, read: 0, cursor, corrected };
  signal.throwIfAborted();
  const now = new Map((await dir.accountsByDn(keys.map((k) => stale.get(k)!), { scope: 'dc' })).map((a) => [a.dn.toLowerCase(), a]));
  for (const key of keys) {
    const dn = stale.get(key)!;
    const before = view.get(dn);
    const current = now.get(key);
    const next: SpnOwner | undefined = current ? { ...toOwner(current), dn } : before && { ...before, spns: [] };
    if (!next || (before && sameOwner(before, next))) continue;
    corrected.set(dn, next);
    view.set(dn, next);
  }
  return { checked, read: keys.length, cursor, corrected };
}

/** This run's turn of the keys: all of them if they fit, else `perRun` in order after `cursor`, wrapping. */
export function inTurn(all: string[], turn: { perRun: number; cursor?: string }): { keys: string[]; cursor?: string } {
  if (all.length <= turn.perRun) return { keys: all, cursor: turn.cursor };
  const sorted = all.sort();
  const after = turn.cursor === undefined ? 0 : sorted.findIndex((k) => k > turn.cursor!);
  const start = after < 0 ? 0 : after;
  const keys = Array.from({ length: turn.perRun }, (_, i) => sorted[(start + i) % sorted.length]!);
  return { keys, cursor: keys.at(-1) };
}

const sameOwner = (a: SpnOwner, b: SpnOwner) =>
  a.dn === b.dn && a.sAMAccountName === b.sAMAccountName && a.whenChanged === b.whenChanged && a.disabled === b.disabled && a.spns.length === b.spns.length && a.spns.every((s, i) => s === b.spns[i]);

export function dupesWatchJob(config: Config, options: DupesWatchOptions = {}): Job {
  const fullEvery = options.fullScanEveryMs ?? 24 * 3600_000;
  const batchSize = options.batchSize ?? 500;
  const recheckPerRun = options.recheckPerRun ?? config.dupesRecheckPerRun;
  return {
    name: DUPES_JOB,
    schedule: config.schedules.dupes,
    scheduleVariable: 'KRBOPS_SCHEDULE_DUPES',
    source: 'duplicate SPN watch',
    async run(ctx: JobContext): Promise<DupesWatchSummary> {
      const { store, signal } = ctx;
      const now = ctx.now();
      const dir = await ctx.directory();
      const info: DirectoryInfo = await dir.info();
      const scope = info.defaultNamingContext;
      const key = dupesStateKey(scope);
      const prev = await store.getState<DupesState>(key);
      const dc = { server: info.server, dsServiceName: info.dsServiceName, invocationId: info.invocationId };
      const hcu = info.highestCommittedUSN && /^\d+$/.test(info.highestCommittedUSN) ? info.highestCommittedUSN : undefined;
      const reason = fullScanReason(prev, dc, hcu, now, fullEvery);
      const mappings = await dir.spnMappings();
      const issueOptions = { allowList: config.dupesAllowList, mappings };
      let issues: SpnIssue[];
      let accountsRead = 0;
      let rechecked = 0;
      let recheckedAccounts = 0;
      let recheckCursor = prev?.recheckCursor;
      let maxSeen: string | undefined;
      let ownerWrites: SpnOwner[] = [];

      if (reason) {
        // Full scan, staged page by page under a separate scope (bounded memory), swapped in at commit.
        const staging = stagingScope(scope, ctx.tick);
        // Leftovers of runs that died mid-scan.
        await store.clearSpnOwners(stagingPrefix(scope), { prefix: true });
        let batch: SpnOwner[] = [];
        for await (const a of dir.scanSpns({ scope: 'dc' })) {
          signal.throwIfAborted();
          accountsRead++;
          maxSeen = maxUsn(maxSeen, a.uSNChanged);
          batch.push(toOwner(a));
          if (batch.length >= batchSize) {
            await store.upsertSpnOwners(staging, batch);
            batch = [];
          }
        }
        await store.upsertSpnOwners(staging, batch);
        issues = findSpnIssues(await store.spnCollisionCandidates(staging), issueOptions);
      } else {
        const delta = new Map<string, SpnOwner>();
        for await (const a of dir.changedSince(prev!.usn!)) {
          signal.throwIfAborted();
          accountsRead++;
          maxSeen = maxUsn(maxSeen, a.uSNChanged);
          delta.set(a.dn, toOwner(a));
        }
        // Everything a post-merge duplicate can involve: accounts already colliding, plus the
        // accounts sharing an SPN instance with a changed account; then the delta on top.
        const view = new Map<string, SpnOwner>();
        for (const o of await store.spnCollisionCandidates(scope)) view.set(o.dn, o);
        for (const o of await store.spnOwnersSharing(scope, [...delta.values()].flatMap((o) => o.spns))) view.set(o.dn, o);
        for (const [dn, o] of delta) view.set(dn, o);
        issues = findSpnIssues(view.values(), issueOptions);
        const fresh = new Set([...delta.keys()].map((dn) => dn.toLowerCase()));
        const r = await recheck(dir, issues, view, fresh, { perRun: recheckPerRun, cursor: recheckCursor }, signal);
        rechecked = r.checked;
        recheckedAccounts = r.read;
        recheckCursor = r.cursor;
        if (r.corrected.size) issues = findSpnIssues(view.values(), issueOptions);
        ownerWrites = [...delta.values(), ...r.corrected.values()];
      }

      // ── what changed, and the alerts ──
      const diff = diffIssues(prev?.issues ?? {}, issues, prev?.episodes ?? {}, now);
      const domain = info.netbiosDomain;
      let posted = 0;
      let failed = 0;
      const count = (r: DeliveryResult) => {
        posted += r.posted.length;
        failed += r.failed.length;
        // Waiting (Teams in no channel yet) is no failure, but the alert is not out: the next run sends it.
        return r.failed.length === 0 && r.waiting.length === 0;
      };
      const send = async (a: Alert) => count(await ctx.deliver(a));
      let baselinePosted = prev?.baselinePosted ?? false;
      if (!baselinePosted) {
        const accounts = reason ? accountsRead : await store.countSpnOwners(scope);
        baselinePosted = await send(baselineAlert(scope, issues, { accounts, server: info.server }, { domain }));
      }
      const current = { ...diff.current };
      const episodes = { ...diff.episodes };
      if (prev) {
        for (const i of diff.appeared) if (!(await send(newIssueAlert(scope, i, { domain })))) delete current[i.id];
        for (const i of diff.changed) {
          if (await send(newIssueAlert(scope, i, { domain, changed: true }))) continue;
          const before = prev.issues[i.id];
          if (before) current[i.id] = before;
          else delete current[i.id];
        }
        for (const i of diff.resolved) {
          // Not delivered: remember it as still open, so the next run reports the same resolution.
          if (!(await send(resolvedAlert(scope, i)))) {
            current[i.id] = i;
            const before = prev.episodes?.[i.id];
            if (before === undefined) delete episodes[i.id];
            else episodes[i.id] = before;
          }
        }
      }

      // ── commit ──
      signal.throwIfAborted();
      await options.beforeCommit?.(ctx);
      signal.throwIfAborted();
      const usn = hcu ?? maxUsn(prev?.usn, maxSeen);
      const next: DupesState = {
        version: 1,
        scope,
        dc,
        usn,
        lastFullScanAt: reason ? now.toISOString() : prev!.lastFullScanAt,
        baselineAt: prev?.baselineAt ?? now.toISOString(),
        baselinePosted,
        issues: current,
        episodes,
        ...(recheckCursor === undefined ? {} : { recheckCursor }),
      };
      await store.transaction(async (tx) => {
        if (reason) await tx.moveSpnOwners(stagingScope(scope, ctx.tick), scope);
        else await tx.upsertSpnOwners(scope, ownerWrites);
        await tx.setState(key, next);
      });

      const summary: DupesWatchSummary = {
        mode: reason ? 'full' : 'incremental',
        reason: reason ?? 'incremental',
        scope,
        accountsRead,
        rechecked,
        recheckedAccounts,
        duplicates: issues.filter((i) => i.kind === 'duplicate').length,
        aliasCollisions: issues.filter((i) => i.kind === 'alias').length,
        appeared: prev ? diff.appeared.length : 0,
        changed: prev ? diff.changed.length : 0,
        resolved: prev ? diff.resolved.length : 0,
        alertsPosted: posted,
        alertsFailed: failed,
        usn,
      };
      if (failed) {
        throw new KrbopsError(ErrorCode.Internal, `${failed} alert deliver${failed === 1 ? 'y' : 'ies'} failed; the state was saved and they will be retried on the next run`, { details: { summary } });
      }
      return summary;
    },
  };
}
