/**
 * `etypes-watch`: on a schedule, run the `krb etypes` report (one paged scan) and post each account
 * that newly enters "fails now" or "at risk" once, plus a weekly summary with the counts per class.
 *
 * - First run: baseline, ONE summary alert (counts and the accounts already failing); it counts as
 *   that week's summary.
 * - Later runs: an alert per account whose (class, account) pair was not in the previous state. An
 *   account that leaves a class and comes back is a new episode with a new alert key.
 * - Same store, outbox and dedupe as the other watchers (ctx.deliver → deliverAlert): a key is
 *   posted once per destination. A delivery that failed leaves the pair out of the new state, so the
 *   next run tries again under the same key. The state is written once, at the end.
 */
import type { EtypeAccountReport, EtypeRisk } from '../model/index.js';
import type { Config } from '../config.js';
import { RISK_LABEL as LABEL } from '../etypes/classify.js';
import { countByRisk, EtypesAccumulator } from '../etypes/report.js';
import { ErrorCode, KrbopsError } from '../errors.js';
import type { Alert, DeliveryResult } from '../notify.js';
import { etypeAccountFinding } from '../rules/catalog/watch.js';
import { krbops } from '../fix/index.js';
import type { Job, JobContext } from './types.js';

export const ETYPES_JOB = 'etypes-watch';
export const etypesStateKey = (scope: string) => `${ETYPES_JOB}:${scope}`;

type Watched = Extract<EtypeRisk, 'fails-now' | 'at-risk'>;
const WATCHED: Watched[] = ['fails-now', 'at-risk'];

export interface EtypesWatchState {
  version: 1;
  scope: string;
  baselineAt: string;
  baselinePosted: boolean;
  /** `${risk}|${sAMAccountName lower case}` → when it entered. */
  entries: Record<string, { sAMAccountName: string; risk: Watched; since: string }>;
  /** Episodes per entry id: bumped when an account leaves the class, so a return alerts again. */
  episodes: Record<string, number>;
  /** ISO week (2026-W49) of the last summary delivered. */
  lastSummaryWeek?: string;
}

export interface EtypesWatchSummary {
  scope: string;
  accountsRead: number;
  counts: Record<EtypeRisk, number>;
  krbtgt?: EtypeRisk;
  entered: number;
  left: number;
  summaryPosted: boolean;
  alertsPosted: number;
  alertsFailed: number;
}

/** ISO-8601 week of a date, e.g. 2026-W49 (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const idOf = (risk: EtypeRisk, sam: string) => `${risk}|${sam.toLowerCase()}`;

export function enteredAlert(scope: string, a: EtypeAccountReport, episode: number): Alert {
  return {
    key: `etypes:${scope}:${a.risk}:${a.sAMAccountName.toLowerCase()}#${episode}`,
    title: `Kerberos encryption types: ${a.sAMAccountName} ${LABEL[a.risk]}`,
    severity: a.risk === 'fails-now' ? 'high' : 'medium',
    text: [...a.reasons, '', `Fix: ${a.fix.summary}`, ...a.fix.commands.map((c) => `  ${c}`)].join('\n'),
    findings: [etypeAccountFinding(a)],
    job: ETYPES_JOB,
  };
}

function countsText(counts: Record<EtypeRisk, number>, krbtgt?: EtypeAccountReport | null): string {
  return `${counts['fails-now']} fail now, ${counts['at-risk']} at risk, ${counts.kerberoastable} Kerberoastable, ${counts.ok} OK${krbtgt ? `; krbtgt ${LABEL[krbtgt.risk]}` : ''}`;
}

function listLines(accounts: EtypeAccountReport[], krbtgt: EtypeAccountReport | null): string[] {
  const bad = [...(krbtgt && krbtgt.risk !== 'ok' ? [krbtgt] : []), ...accounts.filter((a) => a.risk === 'fails-now' || a.risk === 'at-risk')];
  const lines = bad.slice(0, 50).map((a) => `${a.sAMAccountName}: ${LABEL[a.risk]}`);
  if (bad.length > 50) lines.push(`…and ${bad.length - 50} more: ${krbops.etypes({ json: true })}`);
  return lines;
}

export function summaryAlert(scope: string, kind: 'baseline' | 'weekly', week: string, accounts: EtypeAccountReport[], krbtgt: EtypeAccountReport | null): Alert {
  const counts = countByRisk(accounts);
  const bad = counts['fails-now'] + counts['at-risk'] + (krbtgt && krbtgt.risk !== 'ok' ? 1 : 0);
  return {
    key: kind === 'baseline' ? `etypes:${scope}:baseline` : `etypes:${scope}:summary:${week}`,
    title: `${kind === 'baseline' ? 'Encryption-type watch started' : `Encryption types, week ${week}`}: ${countsText(counts, krbtgt)}`,
    severity: counts['fails-now'] ? 'high' : bad ? 'medium' : 'info',
    text: [`${accounts.length} accounts with SPNs in ${scope} under the 2026 AES-only KDC default.`, ...listLines(accounts, krbtgt), '', 'Details and fixes: krb etypes'].join('\n'),
    job: ETYPES_JOB,
  };
}

export function etypesWatchJob(config: Config, options: { beforeCommit?: (ctx: JobContext) => Promise<void> } = {}): Job {
  return {
    name: ETYPES_JOB,
    schedule: config.schedules.etypes,
    scheduleVariable: 'KRBOPS_SCHEDULE_ETYPES',
    source: 'encryption-type watch',
    async run(ctx: JobContext): Promise<EtypesWatchSummary> {
      const now = ctx.now();
      const dir = await ctx.directory();
      const [info, facts] = await Promise.all([dir.info(), dir.domainKeyFacts()]);
      const scope = info.defaultNamingContext;
      const key = etypesStateKey(scope);
      const prev = await ctx.store.getState<EtypesWatchState>(key);
      const acc = new EtypesAccumulator(facts, { netbios: info.netbiosDomain }, now);
      let accountsRead = 0;
      for await (const a of dir.scanEncryptionTypes()) {
        ctx.signal.throwIfAborted();
        accountsRead++;
        acc.add(a);
      }
      const report = acc.result();
      const watched = [...(report.krbtgt ? [report.krbtgt] : []), ...report.accounts].filter((a): a is EtypeAccountReport & { risk: Watched } => (WATCHED as EtypeRisk[]).includes(a.risk));

      let posted = 0;
      let failed = 0;
      const send = async (alert: Alert) => {
        const r: DeliveryResult = await ctx.deliver(alert);
        posted += r.posted.length;
        failed += r.failed.length;
        return r.failed.length === 0;
      };

      const week = isoWeek(now);
      const entries: EtypesWatchState['entries'] = {};
      const episodes = { ...(prev?.episodes ?? {}) };
      let entered = 0;
      let baselinePosted = prev?.baselinePosted ?? false;
      let lastSummaryWeek = prev?.lastSummaryWeek;
      let summaryPosted = false;
      if (!baselinePosted) {
        baselinePosted = summaryPosted = await send(summaryAlert(scope, 'baseline', week, report.accounts, report.krbtgt));
        if (baselinePosted) lastSummaryWeek = week;
      }
      for (const a of watched) {
        const id = idOf(a.risk, a.sAMAccountName);
        const before = prev?.entries[id];
        if (before || !prev) {
          entries[id] = before ?? { sAMAccountName: a.sAMAccountName, risk: a.risk, since: now.toISOString() };
          continue;
        }
        entered++;
        if (await send(enteredAlert(scope, a, episodes[id] ?? 0))) entries[id] = { sAMAccountName: a.sAMAccountName, risk: a.risk, since: now.toISOString() };
      }
      let left = 0;
      for (const id of Object.keys(prev?.entries ?? {})) {
        if (entries[id] || watched.some((a) => idOf(a.risk, a.sAMAccountName) === id)) continue;
        left++;
        episodes[id] = (episodes[id] ?? 0) + 1;
      }
      if (prev && lastSummaryWeek !== week) {
        if (await send(summaryAlert(scope, 'weekly', week, report.accounts, report.krbtgt))) {
          lastSummaryWeek = week;
          summaryPosted = true;
        }
      }

      ctx.signal.throwIfAborted();
      await options.beforeCommit?.(ctx);
      ctx.signal.throwIfAborted();
      const next: EtypesWatchState = { version: 1, scope, baselineAt: prev?.baselineAt ?? now.toISOString(), baselinePosted, entries, episodes, lastSummaryWeek };
      await ctx.store.transaction(async (tx) => tx.setState(key, next));
      const summary: EtypesWatchSummary = { scope, accountsRead, counts: countByRisk(report.accounts), krbtgt: report.krbtgt?.risk, entered, left, summaryPosted, alertsPosted: posted, alertsFailed: failed };
      if (failed) {
        throw new KrbopsError(ErrorCode.Internal, `${failed} alert deliver${failed === 1 ? 'y' : 'ies'} failed; the state was saved and they will be retried on the next run`, { details: { summary } });
      }
      return summary;
    },
  };
}
