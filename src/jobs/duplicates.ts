/**
 * The duplicate-SPN watch as pure functions: issues from an owner map (duplicates and HTTP/HOST
 * alias collisions, computed by src/spn/duplicates.ts's SpnIndex, the same code as `spn dupes`),
 * the difference from the last run, and the alerts. No I/O: tested with plain data.
 *
 * Alert keys are deterministic in the previous committed state, so a run that posted and then died
 * before committing posts nothing twice when the next run recomputes the same difference:
 *   dupes:<scope>:new:<issue id>:<accounts fingerprint>#<episode>
 *   dupes:<scope>:resolved:<issue id>#<episode>
 *   dupes:<scope>:baseline
 * `episode` counts how often the issue was resolved before, so a duplicate that comes back is new again.
 */
import { createHash } from 'node:crypto';
import type { AccountRef, Fix, SpnIssue } from '../model/index.js';
import type { Alert } from '../notify.js';
import { spnIssueFinding } from '../rules/catalog/watch.js';
import { SpnIndex } from '../spn/duplicates.js';
import { normaliseSpn } from '../spn/parse.js';
import type { SpnOwner } from '../store/types.js';

export interface RememberedIssue extends SpnIssue {
  /** When this episode of the issue was first seen (ISO-8601). */
  since: string;
  episode: number;
}

export interface IssueDiff {
  /** Issues not present in the previous run. */
  appeared: RememberedIssue[];
  /** Issues still present but now involving a different set of accounts. */
  changed: RememberedIssue[];
  /** Issues of the previous run that are gone. */
  resolved: RememberedIssue[];
  /** What to remember: every current issue by id. */
  current: Record<string, RememberedIssue>;
  /** Episode counters, advanced for the resolved issues. */
  episodes: Record<string, number>;
}

export interface IssueOptions {
  /** SPNs never reported (config.dupesAllowList); case-insensitive; `kadmin` alone allows every kadmin/…. */
  allowList: string[];
  /** sPNMappings: alias class → target class (http → host). */
  mappings: Map<string, string>;
}

export function fingerprint(accounts: { dn: string }[]): string {
  const dns = [...new Set(accounts.map((a) => a.dn.toLowerCase()))].sort();
  return createHash('sha256').update(dns.join('\n')).digest('hex').slice(0, 12);
}

/** Accounts in a stable order (by name), whatever order the directory or the store returned them in. */
/** One collator (localeCompare with a locale builds one per call), made at the first comparison: ICU's start costs ≈ 10 ms of a CLI run that finds nothing to sort. */
let made: Intl.Collator | undefined;
const collator = { compare: (a: string, b: string) => (made ??= new Intl.Collator('en', { sensitivity: 'base' })).compare(a, b) };
const byName = (a: AccountRef, b: AccountRef) => collator.compare(a.sAMAccountName, b.sAMAccountName) || (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0);

const ref = (a: AccountRef): AccountRef => ({ dn: a.dn, sAMAccountName: a.sAMAccountName, ...(a.whenChanged ? { whenChanged: a.whenChanged } : {}), ...(a.disabled !== undefined ? { disabled: a.disabled } : {}) });

/** Duplicate SPNs and alias collisions among `owners` (the whole map, or just the collision candidates). */
export function findSpnIssues(owners: Iterable<SpnOwner>, options: IssueOptions): SpnIssue[] {
  const index = new SpnIndex(options.allowList);
  for (const o of owners) index.add({ dn: o.dn, sAMAccountName: o.sAMAccountName, whenChanged: o.whenChanged, disabled: o.disabled }, o.spns);
  const out: SpnIssue[] = [];
  for (const d of index.duplicates()) {
    const accounts = d.accounts.map(ref).sort(byName);
    out.push({ id: `duplicate|${normaliseSpn(d.spn)}`, kind: 'duplicate', spn: d.spn, accounts, fingerprint: fingerprint(accounts) });
  }
  for (const c of index.aliasCollisions(options.mappings)) {
    const serviceAccounts = c.serviceAccounts.map(ref).sort(byName);
    const hostAccounts = c.hostAccounts.map(ref).sort(byName);
    const accounts = [...serviceAccounts, ...hostAccounts];
    out.push({ id: `alias|${normaliseSpn(c.spn)}`, kind: 'alias', spn: c.spn, aliasOf: c.aliasOf, accounts, serviceAccounts, hostAccounts, fingerprint: fingerprint(accounts) });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Compares the current issues with the remembered ones. */
export function diffIssues(previous: Record<string, RememberedIssue>, current: SpnIssue[], episodes: Record<string, number>, now: Date): IssueDiff {
  const nextEpisodes = { ...episodes };
  const out: IssueDiff = { appeared: [], changed: [], resolved: [], current: {}, episodes: nextEpisodes };
  const seen = new Set<string>();
  for (const issue of current) {
    seen.add(issue.id);
    const before = previous[issue.id];
    if (!before) {
      const r: RememberedIssue = { ...issue, since: now.toISOString(), episode: episodes[issue.id] ?? 0 };
      out.appeared.push(r);
      out.current[issue.id] = r;
    } else {
      const r: RememberedIssue = { ...issue, since: before.since, episode: before.episode };
      if (before.fingerprint !== issue.fingerprint) out.changed.push(r);
      out.current[issue.id] = r;
    }
  }
  for (const [id, before] of Object.entries(previous)) {
    if (seen.has(id)) continue;
    out.resolved.push(before);
    nextEpisodes[id] = before.episode + 1;
  }
  return out;
}

export const baselineAlertKey = (scope: string) => `dupes:${scope}:baseline`;
export const issueAlertKey = (scope: string, i: RememberedIssue) => `dupes:${scope}:new:${i.id}:${i.fingerprint}#${i.episode}`;
export const resolvedAlertKey = (scope: string, i: RememberedIssue) => `dupes:${scope}:resolved:${i.id}#${i.episode}`;

/** The fix as plain lines: the commands, then each conditional block under its heading. */
function fixLines(fix: Fix): string[] {
  return [...fix.commands.map((c) => `  ${c}`), ...(fix.alternatives ?? []).flatMap((a) => [a.when, ...a.commands.map((c) => `  ${c}`)])];
}

function issueLine(i: SpnIssue): string {
  return i.kind === 'duplicate'
    ? `${i.spn} — on ${i.accounts.map((a) => a.sAMAccountName).join(', ')}`
    : `${i.spn} on ${(i.serviceAccounts ?? []).map((a) => a.sAMAccountName).join(', ')} / ${i.aliasOf} on ${(i.hostAccounts ?? []).map((a) => a.sAMAccountName).join(', ')}`;
}

/** The alert for an issue that appeared (or whose set of accounts changed). */
export function newIssueAlert(scope: string, issue: RememberedIssue, options: { domain?: string; changed?: boolean } = {}): Alert {
  const f = spnIssueFinding(issue, options.domain);
  const head =
    issue.kind === 'duplicate'
      ? options.changed
        ? `Duplicate SPN now on ${issue.accounts.length} accounts: ${issue.spn}`
        : `New duplicate SPN: ${issue.spn}`
      : `${options.changed ? 'SPN alias collision changed' : 'New SPN alias collision'}: ${issue.spn} / ${issue.aliasOf}`;
  const text = [...f.evidence, '', f.why, '', `Fix: ${f.fix.summary}`, ...fixLines(f.fix)].join('\n');
  return { key: issueAlertKey(scope, issue), title: head, severity: f.severity, text, findings: [f], job: 'dupes-watch' };
}

/** The short note for an issue that disappeared. */
export function resolvedAlert(scope: string, issue: RememberedIssue): Alert {
  const title = issue.kind === 'duplicate' ? `Resolved: ${issue.spn} is no longer a duplicate` : `Resolved: alias collision ${issue.spn} / ${issue.aliasOf}`;
  return {
    key: resolvedAlertKey(scope, issue),
    title,
    severity: 'info',
    text: `${issueLine(issue)} (since ${issue.since}) is gone.`,
    job: 'dupes-watch',
  };
}

/** Lines listed in the baseline summary before "…and N more". */
export const BASELINE_LIST_LIMIT = 20;

/** The one summary of the first run: what was already there when the watch started. */
export function baselineAlert(scope: string, issues: SpnIssue[], stats: { accounts: number; server?: string }, options: { domain?: string } = {}): Alert {
  const dups = issues.filter((i) => i.kind === 'duplicate');
  const aliases = issues.filter((i) => i.kind === 'alias');
  const lines = [
    `Watching ${scope}${stats.server ? ` (${stats.server})` : ''}: ${stats.accounts} accounts with SPNs scanned.`,
    `${dups.length} duplicate SPN${dups.length === 1 ? '' : 's'} and ${aliases.length} alias collision${aliases.length === 1 ? '' : 's'} are already present; from now on only changes are posted.`,
  ];
  const shown = issues.slice(0, BASELINE_LIST_LIMIT);
  if (shown.length) lines.push('', ...shown.map((i) => `• ${issueLine(i)}`));
  if (issues.length > shown.length) lines.push(`…and ${issues.length - shown.length} more: run \`spn dupes\` for the full list.`);
  return {
    key: baselineAlertKey(scope),
    title: `Duplicate SPN watch started: ${dups.length} duplicate${dups.length === 1 ? '' : 's'}, ${aliases.length} alias collision${aliases.length === 1 ? '' : 's'}`,
    severity: dups.length ? 'high' : aliases.length ? 'medium' : 'info',
    text: lines.join('\n'),
    findings: shown.map((i) => spnIssueFinding(i, options.domain)),
    job: 'dupes-watch',
  };
}
