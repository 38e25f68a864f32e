/**
 * Directory collector: who holds each SPN that matters for the URL (exact and through
 * sPNMappings), the app-pool identity, the affected user, the computers behind the host, and the
 * facts (UAC, delegation, encryption types) of every account involved. Indexed lookups only —
 * servicePrincipalName, sAMAccountName, dNSHostName, DN reads — never a scan (speed budget 1.5 s).
 * Each lookup failure is recorded next to the lookup; only a directory that cannot be reached at
 * all makes the section `ok: false`.
 */
import type { DirectoryReader } from '../directory/types.js';
import type { AccountFacts, DirectoryEvidence, DirectoryInfo, HostComputer, ResolvedAccount, SpnLookup } from '../model/index.js';
import { collectorError, withTimeout } from './timeout.js';

export interface DirectoryPlan {
  lookups: Omit<SpnLookup, 'holders' | 'error'>[];
  identity?: { query: string; source: 'option' | 'inventory' | 'iis-config' };
  user?: string;
  hosts: { host: string; role: HostComputer['role'] }[];
}

/** IIS built-in identities: tickets are decrypted with the computer account. */
const BUILTIN = /^(applicationpoolidentity|networkservice|network service|nt authority\\network service|localsystem|local system|nt authority\\system|localservice|local service|nt authority\\local service|iis apppool\\.+)$/i;

export function builtinIdentity(query: string): string | undefined {
  const q = query.trim();
  return BUILTIN.test(q) ? q : undefined;
}

/** DC=contoso,DC=com → contoso.com */
export function dnsDomainOf(namingContext: string | undefined): string | undefined {
  if (!namingContext) return undefined;
  const labels = namingContext.split(',').map((p) => p.trim()).filter((p) => /^DC=/i.test(p)).map((p) => p.slice(3));
  return labels.length ? labels.join('.').toLowerCase() : undefined;
}

const msg = (e: unknown) => collectorError('directory', e).message;

export interface DirectoryCollectOptions {
  /** Bound for the whole collection, default 4000 ms. */
  timeoutMs?: number;
  /** info() already read by the caller. */
  info?: DirectoryInfo;
}

/** Runs the plan against the directory. Never throws. */
export async function collectDirectory(dirP: Promise<DirectoryReader>, plan: DirectoryPlan, options: DirectoryCollectOptions = {}): Promise<DirectoryEvidence & { inferred: string[] }> {
  const ev: DirectoryEvidence & { inferred: string[] } = { ok: false, mappings: {}, spns: [], accounts: [], computers: [], inferred: [] };
  const timeoutMs = options.timeoutMs ?? 4000;
  try {
    await withTimeout(
      (async () => {
        const dir = await dirP;
        const info = options.info ?? (await dir.info());
        ev.server = info.server;
        ev.netbiosDomain = info.netbiosDomain;
        ev.dnsDomain = dnsDomainOf(info.defaultNamingContext);
        const accounts = new Map<string, AccountFacts>();
        const keep = (a: AccountFacts | undefined) => {
          if (a) accounts.set(a.dn.toLowerCase(), a);
          return a;
        };

        const mappingsP = dir.spnMappings().then(
          (m) => Object.fromEntries(m),
          () => ({ http: 'host' }),
        );
        // Two indexed reads; the encryption-type rule decides "AES keys likely" only with them.
        const keyFactsP = dir.domainKeyFacts().catch(() => undefined);
        const lookupsP = Promise.all(
          plan.lookups.map(async (l): Promise<SpnLookup> => {
            try {
              return { ...l, holders: await dir.spnHolders(l.spn, { includeAliases: l.role !== 'backend' }) };
            } catch (e) {
              return { ...l, holders: [], error: msg(e) };
            }
          }),
        );
        const builtin = plan.identity ? builtinIdentity(plan.identity.query) : undefined;
        const identityP: Promise<ResolvedAccount | undefined> = plan.identity
          ? builtin
            ? Promise.resolve({ ...plan.identity, builtin })
            : dir.tryFindAccount(plan.identity.query).then(
                (a) => (keep(a) ? { ...plan.identity!, dn: a!.dn } : { ...plan.identity!, error: `${plan.identity!.query} was not found in the directory` }),
                (e) => ({ ...plan.identity!, error: msg(e) }),
              )
          : Promise.resolve(undefined);
        const userP = plan.user
          ? dir.tryFindAccount(plan.user).then(
              (a) => (keep(a) ? { query: plan.user!, dn: a!.dn } : { query: plan.user!, error: `${plan.user} was not found in the directory` }),
              (e) => ({ query: plan.user!, error: msg(e) }),
            )
          : Promise.resolve(undefined);
        const hostsP = Promise.all(
          plan.hosts.map((h) =>
            dir.findComputerByHost(h.host).then(
              (a): HostComputer => (keep(a) ? { ...h, dn: a!.dn } : h),
              (e): HostComputer => ({ ...h, error: msg(e) }),
            ),
          ),
        );
        const [mappings, lookups, identity, user, computers, keyFacts] = await Promise.all([mappingsP, lookupsP, identityP, userP, hostsP, keyFactsP]);
        ev.mappings = mappings;
        if (keyFacts) ev.keyFacts = keyFacts;
        ev.spns = lookups;
        ev.user = user;
        ev.computers = computers;

        // Facts of every holder not read yet (DN reads: base-scope, indexed).
        const missing = [...new Set(lookups.flatMap((l) => l.holders.map((h) => h.dn.toLowerCase())))].filter((dn) => !accounts.has(dn));
        const holderDns = new Map(lookups.flatMap((l) => l.holders.map((h) => [h.dn.toLowerCase(), h.dn] as const)));
        await Promise.all(missing.map((dn) => dir.tryFindAccount(holderDns.get(dn) ?? dn).then(keep, () => undefined)));

        ev.identity = identity ?? inferIdentity(lookups, accounts, ev.inferred);
        for (const c of computers) {
          if (c.dn && c.role === 'ptr') ev.inferred.push(`Computer behind the address: ${accounts.get(c.dn.toLowerCase())?.sAMAccountName ?? c.dn} (from the PTR name ${c.host})`);
          if (c.dn && c.role === 'url-host') ev.inferred.push(`${c.host} is the computer ${accounts.get(c.dn.toLowerCase())?.sAMAccountName ?? c.dn}`);
        }
        ev.accounts = [...accounts.values()];
        ev.ok = true;
      })(),
      timeoutMs,
      'The directory',
    );
  } catch (e) {
    ev.ok = false;
    ev.error = collectorError('directory', e);
  }
  return ev;
}

/** No identity given: the holder of the FQDN SPN, else of the short one, else the HOST/ holder. */
export function inferIdentity(lookups: SpnLookup[], accounts: Map<string, AccountFacts>, inferred: string[]): ResolvedAccount | undefined {
  const expected = lookups.filter((l) => l.role === 'expected');
  const ordered = [...expected.filter((l) => l.form === 'fqdn'), ...expected.filter((l) => l.form !== 'fqdn')];
  for (const via of ['exact', 'alias'] as const) {
    for (const l of ordered) {
      const hs = l.holders.filter((h) => h.via === via);
      const [h] = hs;
      if (h && hs.length === 1) {
        const name = accounts.get(h.dn.toLowerCase())?.sAMAccountName ?? h.sAMAccountName;
        inferred.push(`App pool identity: ${name} (holder of ${via === 'exact' ? l.spn : `${h.matched}, which answers for ${l.spn}`}; pass --identity to check against the real one)`);
        return { query: name, source: via === 'exact' ? 'spn-holder' : 'computer', dn: h.dn };
      }
    }
  }
  return undefined;
}
