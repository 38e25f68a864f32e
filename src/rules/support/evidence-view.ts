/**
 * Read helpers over Evidence shared by the rules: who holds an SPN, which account the KDC would
 * encrypt a ticket for, which account the web server decrypts with, and how to name accounts
 * (`CONTOSO\crmweb`). Pure. The commands themselves are built by src/fix.
 */
import type { AdNoun } from '../../fix/index.js';
import type { AccountFacts, Evidence, IisAuthSection, KdcAnswer, SpnHolder, SpnLookup } from '../../model/index.js';

export const norm = (s: string) => s.trim().toLowerCase();

/** The host part of an SPN, lower case, without port or service name. */
export const spnHostOf = (spn: string) => norm(spn.split('/')[1]?.split(':')[0] ?? '');

export function directoryOk(ev: Evidence): boolean {
  return ev.directory?.ok === true;
}

export function lookup(ev: Evidence, spn: string): SpnLookup | undefined {
  const n = norm(spn);
  return ev.directory?.spns.find((l) => norm(l.spn) === n);
}

/** What the KDC answered when asked for a ticket to this SPN, when it was asked. */
export function kdcAnswer(ev: Evidence, spn: string): KdcAnswer | undefined {
  const n = norm(spn);
  return ev.kdc?.answers.find((a) => norm(a.spn) === n);
}

export const exactHolders = (l: SpnLookup | undefined): SpnHolder[] => (l ? l.holders.filter((h) => h.via === 'exact') : []);
export const aliasHolders = (l: SpnLookup | undefined): SpnHolder[] => (l ? l.holders.filter((h) => h.via === 'alias') : []);

export function accountByDn(ev: Evidence, dn: string | undefined): AccountFacts | undefined {
  if (!dn) return undefined;
  const n = norm(dn);
  return ev.directory?.accounts.find((a) => norm(a.dn) === n);
}

export function isComputer(a: { kind?: string; sAMAccountName: string } | undefined): boolean {
  return !!a && (a.kind === 'computer' || (a.kind === undefined && a.sAMAccountName.endsWith('$')));
}

/** NetBIOS domain for `CONTOSO\name` forms. */
export function netbiosDomain(ev: Evidence, a?: { domain?: string }): string {
  return (a?.domain ?? ev.directory?.netbiosDomain ?? ev.directory?.dnsDomain?.split('.')[0] ?? 'DOMAIN').toUpperCase();
}

/** `CONTOSO\crmweb`, `CONTOSO\NDCRMSRV1$`: the account argument of setspn. */
export function domainAccount(ev: Evidence, a: { sAMAccountName: string; domain?: string }): string {
  return `${netbiosDomain(ev, a)}\\${a.sAMAccountName}`;
}

/** The PowerShell noun for an account: Set-ADUser / Set-ADComputer / Set-ADServiceAccount. */
export function psNoun(a: { kind?: string; sAMAccountName: string }): AdNoun {
  if (isComputer(a)) return 'ADComputer';
  if (a.kind === 'gmsa' || a.kind === 'msa') return 'ADServiceAccount';
  return 'ADUser';
}

export interface IdentityView {
  /** The account facts of the app-pool identity, when resolved. */
  facts?: AccountFacts;
  /** Built-in IIS identity: tickets are decrypted with the computer account. */
  builtin?: string;
  source?: string;
  query?: string;
  /** True when the engineer (or inventory / IIS config) named it; false when inferred from an SPN holder. */
  declared: boolean;
  error?: string;
}

export function identityOf(ev: Evidence): IdentityView {
  const r = ev.directory?.identity;
  if (!r) return { declared: !!ev.inputs.identity, query: ev.inputs.identity?.query };
  return {
    facts: accountByDn(ev, r.dn),
    builtin: r.builtin,
    source: r.source,
    query: r.query,
    declared: r.source === 'option' || r.source === 'inventory' || r.source === 'iis-config',
    error: r.error,
  };
}

export function describeIdentity(ev: Evidence, id: IdentityView): string {
  const how = id.source === 'option' ? 'given with --identity' : id.source === 'inventory' ? 'from the inventory' : id.source === 'iis-config' ? 'from the pasted IIS application pool' : 'inferred from the SPN holder';
  if (id.builtin) return `The app pool runs as ${id.builtin} (${how}): tickets are decrypted with the computer account`;
  if (id.facts) return `The app pool identity is ${domainAccount(ev, id.facts)} (${how})`;
  return `The app pool identity ${id.query ?? '(unknown)'} was not found in the directory`;
}

/** The account to register the site's SPNs on, or a placeholder when nothing says. */
export function registrationAccount(ev: Evidence): { name: string; facts?: AccountFacts; known: boolean } {
  const id = identityOf(ev);
  if (id.facts) return { name: domainAccount(ev, id.facts), facts: id.facts, known: true };
  const comp = urlComputer(ev);
  if (id.builtin && comp) return { name: domainAccount(ev, comp), facts: comp, known: true };
  return { name: `${netbiosDomain(ev)}\\<app-pool-account>`, known: false };
}

/** The computer account behind the URL host (by name, else by PTR), when found. */
export function urlComputer(ev: Evidence): AccountFacts | undefined {
  const comps = ev.directory?.computers ?? [];
  const c = comps.find((x) => x.role === 'url-host' && x.dn) ?? comps.find((x) => x.role === 'ptr' && x.dn);
  return accountByDn(ev, c?.dn);
}

export function nlbComputers(ev: Evidence): { host: string; facts?: AccountFacts }[] {
  return (ev.directory?.computers ?? []).filter((c) => c.role === 'nlb-node').map((c) => ({ host: c.host, facts: accountByDn(ev, c.dn) }));
}

export type KdcTarget =
  | { kind: 'unknown'; reason: string }
  | { kind: 'none' }
  | { kind: 'duplicate'; holders: SpnHolder[] }
  | { kind: 'one'; holder: SpnHolder; via: 'exact' | 'alias'; facts?: AccountFacts };

/** The account the KDC encrypts a ticket for this SPN to: the exact holder, else the HOST/ alias holder. */
export function kdcTarget(ev: Evidence, spn: string): KdcTarget {
  if (!directoryOk(ev)) return { kind: 'unknown', reason: 'the directory was not reachable' };
  const l = lookup(ev, spn);
  if (!l) return { kind: 'unknown', reason: `${spn} was not looked up` };
  if (l.error) return { kind: 'unknown', reason: `the lookup of ${spn} failed: ${l.error}` };
  const exact = exactHolders(l);
  if (exact.length > 1) return { kind: 'duplicate', holders: exact };
  const [onlyExact] = exact;
  if (onlyExact && exact.length === 1) return { kind: 'one', holder: onlyExact, via: 'exact', facts: accountByDn(ev, onlyExact.dn) };
  const alias = aliasHolders(l);
  if (alias.length > 1) return { kind: 'duplicate', holders: alias };
  const [onlyAlias] = alias;
  if (onlyAlias && alias.length === 1) return { kind: 'one', holder: onlyAlias, via: 'alias', facts: accountByDn(ev, onlyAlias.dn) };
  return { kind: 'none' };
}

/** IIS windowsAuthentication effective values with IIS 7+ defaults (kernel mode on, app-pool credentials off). */
export function iisEffective(ev: Evidence): (Required<Pick<IisAuthSection, 'useKernelMode' | 'useAppPoolCredentials'>> & { stated: Set<string>; section: IisAuthSection }) | undefined {
  if (!ev.iis?.ok) return undefined;
  const e = ev.iis.effective;
  const stated = new Set<string>(Object.entries(e).filter(([, v]) => v !== undefined).map(([k]) => k));
  return { useKernelMode: e.useKernelMode ?? true, useAppPoolCredentials: e.useAppPoolCredentials ?? false, stated, section: e };
}

/** The IIS config path (site or site/app) fix commands target: pasted <location>, else inventory site. */
export function iisPath(ev: Evidence): string | undefined {
  return ev.iis?.effective.location || ev.inputs.site || undefined;
}

export const sameAccount = (a: { dn: string } | undefined, b: { dn: string } | undefined) => !!a && !!b && norm(a.dn) === norm(b.dn);

export function expectedOf(ev: Evidence, form: 'fqdn' | 'short'): string | undefined {
  return ev.expected.find((e) => e.form === form)?.spn;
}

export function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The account that receives users' tickets for the site and would delegate them to backends:
 * the holder of the site SPN, else the app pool identity (its computer for built-in identities).
 */
export function frontEndAccount(ev: Evidence): { facts?: AccountFacts; how: string } {
  for (const form of ['fqdn', 'short'] as const) {
    const spn = expectedOf(ev, form);
    if (!spn) continue;
    const t = kdcTarget(ev, spn);
    if (t.kind === 'one' && t.facts) return { facts: t.facts, how: `holder of ${spn}` };
  }
  const id = identityOf(ev);
  if (id.facts) return { facts: id.facts, how: 'the app pool identity' };
  if (id.builtin) {
    const c = urlComputer(ev);
    if (c) return { facts: c, how: `the computer account (app pool runs as ${id.builtin})` };
  }
  return { how: 'unknown' };
}

export function backendSpns(ev: Evidence): string[] {
  return ev.inputs.backends.map((b) => b.spn);
}

/**
 * The URL host is a CNAME (DNS followed at least one alias). Returns the account holding the SPN
 * for the alias name as typed (HTTP/<alias>), which is where engineers usually registered it.
 */
export function cnameAlias(ev: Evidence): { chain: string[]; aliasHolder?: SpnHolder; aliasSpns: SpnLookup[] } | undefined {
  if (!ev.dns?.ok || ev.dns.chain.length < 2) return undefined;
  const aliasSpns = (ev.directory?.spns ?? []).filter((l) => l.role === 'url-alias' && exactHolders(l).length);
  const fqdnFirst = [...aliasSpns.filter((l) => l.form === 'fqdn'), ...aliasSpns.filter((l) => l.form !== 'fqdn')];
  const aliasHolder = fqdnFirst.map((l) => exactHolders(l)).find((h) => h.length === 1)?.[0];
  return { chain: ev.dns.chain, aliasHolder, aliasSpns };
}
