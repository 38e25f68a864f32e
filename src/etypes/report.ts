/**
 * The forest report of `krb etypes` and the etypes watcher: accounts streamed from the directory's
 * one paged scan are classified as they arrive (memory: one small report per account). Pure.
 */
import type { DomainKeyFacts, EncryptionScanAccount, EtypeAccountReport, EtypeRisk, EtypesReport } from '../model/index.js';
import { classifyAccount, isKrbtgt, RISK_ORDER, type AesSince, type ClassifyContext } from './classify.js';
import type { FixNames } from './fix.js';

/** `krb etypes --json`. */

const HOUR = 3_600_000;

/**
 * From when the domain makes AES keys: the Read-only Domain Controllers group (RID 521) appears when
 * the domain is prepared for Windows Server 2008. When the domain itself was created within the hour
 * before it, a Windows Server 2008+ DC created the domain, so every password ever set in it has AES
 * keys (its built-in accounts, krbtgt included, are older than the group by seconds).
 */
export function aesSinceOf(facts: DomainKeyFacts): AesSince {
  const group = facts.rodcGroupCreated;
  if (!group) return { basis: 'no Read-only Domain Controllers group (RID 521) was readable, so when the domain gained AES keys is unknown' };
  const domain = facts.domainCreated;
  const gap = domain ? Date.parse(group) - Date.parse(domain) : NaN;
  if (domain && gap >= 0 && gap < HOUR) {
    return { at: domain, basis: `the domain was created ${domain.slice(0, 10)} with its Read-only Domain Controllers group (RID 521), by a DC that makes AES keys` };
  }
  return { at: group, basis: `the Read-only Domain Controllers group (RID 521) was created ${group.slice(0, 10)}, when the domain was prepared for Windows Server 2008` };
}

/** Kerberos realm and NetBIOS-like fallback from a domain DN (DC=contoso,DC=com → CONTOSO.COM). */
export function realmOf(domainDn: string): string | undefined {
  const parts = [...domainDn.matchAll(/(?:^|,)\s*DC=([^,]+)/gi)].map((m) => m[1]);
  return parts.length ? parts.join('.').toUpperCase() : undefined;
}

/**
 * One collator for every comparison: `localeCompare(…, 'en', options)` builds a new one per call,
 * which made sorting 20 000 accounts take seconds (BENCHMARKS.md, krb etypes).
 */
const byName = new Intl.Collator('en', { sensitivity: 'base' });

export function sortReports(a: EtypeAccountReport, b: EtypeAccountReport): number {
  return RISK_ORDER.indexOf(a.risk) - RISK_ORDER.indexOf(b.risk) || byName.compare(a.sAMAccountName, b.sAMAccountName);
}

export class EtypesAccumulator {
  private readonly ctx: ClassifyContext;
  private readonly accounts: EtypeAccountReport[] = [];
  private krbtgt: EtypeAccountReport | null = null;

  constructor(facts: DomainKeyFacts, names: FixNames, now: Date) {
    this.ctx = { ...names, realm: names.realm ?? realmOf(facts.domainDn), aesSince: aesSinceOf(facts), now };
  }

  add(a: EncryptionScanAccount): void {
    const r = classifyAccount(a, this.ctx);
    if (a.sAMAccountName.toLowerCase() === 'krbtgt' && !this.krbtgt) this.krbtgt = r;
    else if (a.spns.length || isKrbtgt(a)) this.accounts.push(r);
  }

  get aesSince(): AesSince {
    return this.ctx.aesSince;
  }

  result(): EtypesReport {
    return { aesSince: this.ctx.aesSince.at ?? null, krbtgt: this.krbtgt, accounts: [...this.accounts].sort(sortReports) };
  }
}

export function countByRisk(accounts: { risk: EtypeRisk }[]): Record<EtypeRisk, number> {
  const out: Record<EtypeRisk, number> = { 'fails-now': 0, 'at-risk': 0, kerberoastable: 0, ok: 0 };
  for (const a of accounts) out[a.risk]++;
  return out;
}
