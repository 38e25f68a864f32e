/**
 * Builders for rule tests: accounts and evidence as the collectors would produce them, so rules
 * are tested with plain data (STYLE: `anAccount({ spns: ['HTTP/crm'] })`). The defaults describe a
 * healthy CRM site: http://crm.contoso.test/, app pool CONTOSO\crmweb holding both HTTP SPNs,
 * IIS kernel mode with useAppPoolCredentials, Negotiate offered with keep-alive, clocks in sync.
 */
import { builtinIdentity, inferIdentity } from '../../src/collectors/directory.js';
import type { AccountFacts, AdfsEvidence, DirectoryEvidence, DnsEvidence, Evidence, HostComputer, HttpEvidence, InputsEvidence, KdcAnswer, ResolvedAccount, SpnHolder, SpnLookup } from '../../src/model/index.js';
import { describeTarget, planLookups } from '../../src/collectors/index.js';
import { parseIisConfig } from '../../src/collectors/iis-config.js';
import { decodeEncryptionTypes, decodeUac, UAC } from '../../src/directory/uac.js';

export const NOW = new Date('2025-03-01T10:00:00.000Z');
const BASE = 'DC=contoso,DC=test';

export interface AccountOptions {
  sam: string;
  spns?: string[];
  kind?: AccountFacts['kind'];
  disabled?: boolean;
  lockedOut?: boolean;
  trustedForDelegation?: boolean;
  notDelegated?: boolean;
  useDesKeyOnly?: boolean;
  allowedToDelegateTo?: string[];
  resourceBasedDelegation?: boolean;
  protectedUser?: boolean;
  encryptionTypes?: number;
  dNSHostName?: string;
  container?: string;
}

export function anAccount(o: AccountOptions): AccountFacts {
  const kind = o.kind ?? (o.sam.endsWith('$') ? 'computer' : 'user');
  let uac = kind === 'computer' ? UAC.WORKSTATION_TRUST_ACCOUNT : UAC.NORMAL_ACCOUNT;
  if (o.disabled) uac |= UAC.ACCOUNTDISABLE;
  if (o.lockedOut) uac |= UAC.LOCKOUT;
  if (o.trustedForDelegation) uac |= UAC.TRUSTED_FOR_DELEGATION;
  if (o.notDelegated) uac |= UAC.NOT_DELEGATED;
  if (o.useDesKeyOnly) uac |= UAC.USE_DES_KEY_ONLY;
  const cn = o.sam.replace(/\$$/, '');
  const container = o.container ?? (kind === 'computer' ? 'CN=Computers' : kind === 'user' && (o.spns?.length ?? 0) > 0 ? 'OU=Service Accounts' : 'CN=Users');
  return {
    dn: `CN=${cn},${container},${BASE}`,
    sAMAccountName: o.sam,
    domain: 'CONTOSO',
    userPrincipalName: kind === 'user' ? `${o.sam}@contoso.test` : undefined,
    kind,
    objectClass: kind === 'computer' ? ['top', 'person', 'organizationalPerson', 'user', 'computer'] : ['top', 'person', 'organizationalPerson', 'user'],
    dNSHostName: o.dNSHostName,
    servicePrincipalName: o.spns ?? [],
    userAccountControl: decodeUac(uac),
    allowedToDelegateTo: o.allowedToDelegateTo ?? [],
    hasResourceBasedDelegation: o.resourceBasedDelegation ?? false,
    supportedEncryptionTypes: o.encryptionTypes,
    encryptionTypeNames: decodeEncryptionTypes(o.encryptionTypes),
    memberOf: o.protectedUser ? [`CN=Protected Users,CN=Users,${BASE}`] : [],
    protectedUser: o.protectedUser ?? false,
  };
}

/** A computer account with its HOST/ SPNs: aComputer('NDCRMSRV1'). */
export function aComputer(name: string, extra: Partial<AccountOptions> = {}): AccountFacts {
  const short = name.toLowerCase();
  return anAccount({ sam: `${name.toUpperCase()}$`, kind: 'computer', dNSHostName: `${short}.contoso.test`, spns: [`HOST/${name.toUpperCase()}`, `HOST/${short}.contoso.test`], ...extra });
}

/** The Contoso scenario of the seeds, healthy. */
export const contoso = {
  crmweb: () => anAccount({ sam: 'crmweb', spns: ['HTTP/crm', 'HTTP/crm.contoso.test'], trustedForDelegation: true }),
  crmweb2: (spns: string[] = []) => anAccount({ sam: 'crmweb2', spns }),
  sqlservice: () => anAccount({ sam: 'sqlservice', spns: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433', 'MSSQLSvc/ndsqlsrv1:1433'] }),
  rptservice: () => anAccount({ sam: 'rptservice', spns: ['HTTP/reports', 'HTTP/reports.contoso.test'], allowedToDelegateTo: ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'] }),
  alice: () => anAccount({ sam: 'alice' }),
  bob: () => anAccount({ sam: 'bob', notDelegated: true }),
  carol: () => anAccount({ sam: 'carol', protectedUser: true }),
  computers: () => ['NDCRMSRV1', 'NDCRMSRV2', 'NDCRMSRV3', 'NDSQLSRV1'].map((n) => aComputer(n)),
};

export const HEALTHY_IIS = `<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="true">
  <providers>
    <add value="Negotiate" />
    <add value="NTLM" />
  </providers>
</windowsAuthentication>`;

export interface EvidenceOptions {
  url?: string;
  /** The whole directory (default: the healthy Contoso scenario). */
  accounts?: AccountFacts[];
  /** App pool identity given with --identity (null: not given, inferred from the SPN holder). */
  identity?: string | null;
  user?: string;
  backends?: string[];
  nlbNodes?: string[];
  iisSite?: string;
  /** CNAME target of the URL host. */
  cname?: string;
  addresses?: string[];
  /** address → PTR names (default: the canonical name). */
  ptr?: Record<string, string[]>;
  /** HTTP probe result overrides, or 'failed'. */
  http?: Partial<HttpEvidence> | 'failed';
  /** DC clock − local, ms (null: not readable). */
  dcOffsetMs?: number | null;
  /** Web server clock − local, ms (null: not readable). */
  serverOffsetMs?: number | null;
  /** Pasted IIS configuration (null: none pasted). */
  iis?: string | null;
  kdc?: KdcAnswer[];
  adfs?: AdfsEvidence;
  /** The directory could not be reached. */
  directoryDown?: boolean;
}

function holdersOf(accounts: AccountFacts[], spn: string, aliases: boolean): SpnHolder[] {
  const lower = spn.toLowerCase();
  const ref = (a: AccountFacts, matched: string, via: 'exact' | 'alias'): SpnHolder => ({ dn: a.dn, sAMAccountName: a.sAMAccountName, disabled: a.userAccountControl.disabled, matched, via });
  const exact = accounts.filter((a) => a.servicePrincipalName.some((s) => s.toLowerCase() === lower)).map((a) => ref(a, a.servicePrincipalName.find((s) => s.toLowerCase() === lower)!, 'exact'));
  if (!aliases || !lower.startsWith('http/')) return exact;
  const alias = `host/${lower.slice(5)}`;
  const viaAlias = accounts
    .filter((a) => !exact.some((e) => e.dn === a.dn) && a.servicePrincipalName.some((s) => s.toLowerCase() === alias))
    .map((a) => ref(a, a.servicePrincipalName.find((s) => s.toLowerCase() === alias)!, 'alias'));
  return [...exact, ...viaAlias];
}

function findAccount(accounts: AccountFacts[], query: string): AccountFacts | undefined {
  const q = query.replace(/^[^\\]*\\/, '').toLowerCase();
  return accounts.find((a) => a.sAMAccountName.toLowerCase() === q || a.sAMAccountName.toLowerCase() === `${q}$` || a.dn.toLowerCase() === q);
}

function computerByHost(accounts: AccountFacts[], host: string): AccountFacts | undefined {
  const h = host.toLowerCase();
  return accounts.find((a) => a.kind === 'computer' && (a.dNSHostName?.toLowerCase() === h || a.sAMAccountName.toLowerCase() === `${h.split('.')[0]}$`));
}

export function anEvidence(o: EvidenceOptions = {}): Evidence {
  const url = new URL(o.url ?? 'http://crm.contoso.test/');
  const accounts = o.accounts ?? [contoso.crmweb(), contoso.sqlservice(), contoso.alice(), ...contoso.computers()];
  const urlHost = url.hostname.toLowerCase();
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(urlHost);
  const queried = isIp || urlHost.includes('.') ? urlHost : `${urlHost}.contoso.test`;
  const chain = o.cname ? [queried, o.cname] : [queried];
  const canonicalName = chain[chain.length - 1];
  const addresses = o.addresses ?? (isIp ? [urlHost] : ['10.0.0.5']);
  const dns: DnsEvidence = {
    ok: true,
    servers: ['10.0.0.1'],
    queried,
    chain,
    canonicalName,
    addresses: addresses.map((address) => ({ address, family: 4 as const })),
    ptr: addresses.map((address) => ({ address, names: o.ptr?.[address] ?? (isIp ? [] : [canonicalName]) })),
  };
  const { target, expected } = describeTarget(url, isIp ? undefined : canonicalName, urlHost.includes('.') ? undefined : 'contoso.test');

  const identity = o.identity === undefined ? 'crmweb' : o.identity;
  const inputs: InputsEvidence = {
    ...(identity ? { identity: { query: identity, source: 'option' as const } } : {}),
    ...(o.user ? { user: o.user } : {}),
    backends: (o.backends ?? []).map((spn) => ({ spn, source: 'option' as const })),
    nlbNodes: o.nlbNodes ?? [],
    ...(o.iisSite ? { site: o.iisSite } : {}),
    iisConfig: o.iis === null ? 'none' : 'option',
  };

  let directory: DirectoryEvidence | undefined;
  const inferred: string[] = [];
  if (o.directoryDown) {
    directory = { ok: false, error: { collector: 'directory', code: 'DIRECTORY_UNAVAILABLE', message: 'No domain controller answered' }, mappings: {}, spns: [], accounts: [], computers: [] };
  } else {
    const lookups: SpnLookup[] = planLookups(target, expected, inputs.backends.map((b) => b.spn), chain.length > 1 ? [chain[0]] : []).map((l) => ({
      ...l,
      holders: holdersOf(accounts, l.spn, l.role !== 'backend'),
    }));
    const referenced = new Map<string, AccountFacts>();
    for (const l of lookups) for (const h of l.holders) referenced.set(h.dn.toLowerCase(), accounts.find((a) => a.dn === h.dn)!);
    const hosts: { host: string; role: HostComputer['role'] }[] = [
      ...(isIp ? [] : [{ host: target.fqdn ?? target.canonicalHost, role: 'url-host' as const }]),
      ...dns.ptr.flatMap((p) => p.names).filter((n) => n !== target.canonicalHost).map((host) => ({ host, role: 'ptr' as const })),
      ...inputs.nlbNodes.map((host) => ({ host, role: 'nlb-node' as const })),
      ...[...new Set(inputs.backends.map((b) => b.spn.split('/')[1].split(':')[0].toLowerCase()))].map((host) => ({ host, role: 'backend-host' as const })),
    ];
    const computers: HostComputer[] = hosts.map((h) => {
      const c = computerByHost(accounts, h.host);
      if (c) referenced.set(c.dn.toLowerCase(), c);
      return c ? { ...h, dn: c.dn } : h;
    });
    let resolved: ResolvedAccount | undefined;
    if (inputs.identity) {
      const builtin = builtinIdentity(inputs.identity.query);
      const a = builtin ? undefined : findAccount(accounts, inputs.identity.query);
      if (a) referenced.set(a.dn.toLowerCase(), a);
      resolved = builtin ? { ...inputs.identity, builtin } : a ? { ...inputs.identity, dn: a.dn } : { ...inputs.identity, error: `${inputs.identity.query} was not found in the directory` };
    }
    let user: DirectoryEvidence['user'];
    if (o.user) {
      const u = findAccount(accounts, o.user);
      if (u) referenced.set(u.dn.toLowerCase(), u);
      user = u ? { query: o.user, dn: u.dn } : { query: o.user, error: `${o.user} was not found in the directory` };
    }
    resolved ??= inferIdentity(lookups, referenced, inferred);
    directory = {
      ok: true,
      server: 'ldaps://dc1.contoso.test:636',
      netbiosDomain: 'CONTOSO',
      dnsDomain: 'contoso.test',
      mappings: { http: 'host' },
      spns: lookups,
      accounts: [...referenced.values()],
      ...(resolved ? { identity: resolved } : {}),
      ...(user ? { user } : {}),
      computers,
    };
  }

  const observedAt = NOW.toISOString();
  const serverOffset = o.serverOffsetMs === undefined ? 0 : o.serverOffsetMs;
  const http: HttpEvidence =
    o.http === 'failed'
      ? { ok: false, error: { collector: 'http', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:80' }, wwwAuthenticate: [], schemes: [] }
      : {
          ok: true,
          address: addresses[0],
          status: 401,
          statusText: 'Unauthorized',
          httpVersion: '1.1',
          wwwAuthenticate: ['Negotiate', 'NTLM'],
          schemes: ['Negotiate', 'NTLM'],
          closesConnection: false,
          ...(serverOffset !== null ? { date: new Date(NOW.getTime() + serverOffset).toUTCString() } : {}),
          server: 'Microsoft-IIS/10.0',
          observedAt,
          ...o.http,
        };
  const dcOffset = o.dcOffsetMs === undefined ? 0 : o.dcOffsetMs;
  const clock = {
    local: observedAt,
    ...(dcOffset !== null ? { dc: { time: new Date(NOW.getTime() + dcOffset).toISOString(), observedAt, offsetMs: dcOffset } } : {}),
    ...(http.ok && serverOffset !== null ? { server: { time: new Date(Math.floor((NOW.getTime() + serverOffset) / 1000) * 1000).toISOString(), observedAt, offsetMs: Math.floor((NOW.getTime() + serverOffset) / 1000) * 1000 - NOW.getTime() } } : {}),
    errors: [],
  };
  const iisText = o.iis === undefined ? HEALTHY_IIS : o.iis;
  const iis = iisText === null ? undefined : parseIisConfig(iisText, 'option');
  return {
    collectedAt: observedAt,
    target,
    expected,
    inputs,
    inferred,
    directory,
    dns,
    http,
    clock,
    ...(iis ? { iis } : {}),
    ...(o.kdc ? { kdc: { ok: true, principal: 'krbops-reader@CONTOSO.TEST', answers: o.kdc } } : {}),
    ...(o.adfs ? { adfs: o.adfs } : {}),
    collectorErrors: [...(directory.error ? [directory.error] : []), ...(http.error ? [http.error] : [])],
  };
}
