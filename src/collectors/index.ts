/**
 * Gathers the why-401 evidence for one URL: inputs (options, inventory, pasted IIS config) →
 * directory info → DNS → (HTTP probe ‖ directory lookups ‖ KDC ‖ DC clock) → Evidence.
 * Collectors run in parallel, each bounded by a timeout; failures land in the evidence and in
 * `collectorErrors`, never as exceptions. Only bad input (URL, SPN) throws, before any I/O.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DirectoryReader } from '../directory/types.js';
import type { AdfsEvidence, AuthenticationEvidence, CollectorError, DirectoryInfo, Evidence, ExpectedSpn, HttpEvidence, InputsEvidence, TargetEvidence } from '../model/index.js';
import { InvalidInputError, truncate } from '../errors.js';
import { findSite, loadInventory } from '../inventory.js';
import { expectedSpnsForUrl, parseTargetUrl } from '../spn/expected.js';
import { USERINFO_REMOVED_NOTE } from '../spn/host.js';
import { parseSpn } from '../spn/parse.js';
import { clockEvidence, readDcClock } from './clock.js';
import { collectDirectory, dnsDomainOf, type DirectoryPlan } from './directory.js';
import { collectDns } from './dns.js';
import { isClaimsRedirect, probeUrl } from './http-probe.js';
import { parseIisConfig } from './iis-config.js';
import { collectKdc } from './kdc.js';
import { KerberosHelper } from './kerberos-helper.js';
import { checkProbeAddresses, checkProbeHost, forestDomainsOf, parseProbeAllow, type ProbePolicy, type ProbeRequester } from './probe-policy.js';
import { probeKerberos } from './spnego.js';
import { recordedDns, recordedHttp, recordedNote, type Recorded } from './recorded.js';
import { collectorError, withTimeout } from './timeout.js';

export interface Why401Request {
  url: string;
  /** App-pool / service account (--identity). */
  identity?: string;
  /** An affected user (--user). */
  user?: string;
  /** Double-hop backend SPNs (--backend). */
  backends?: string[];
  /** Pasted IIS configuration (--iis) or the content of --iis-config. */
  iisConfig?: { text: string; source: 'option' | 'file' };
  /** ADFS evidence, when the caller has it (src/adfs). */
  adfs?: AdfsEvidence;
}

export interface CollectDeps {
  config: Config;
  directory(): Promise<DirectoryReader>;
  log: Logger;
  now: () => Date;
  /**
   * ADFS evidence for a claims-based site, asked only when the probe is redirected to ADFS
   * (the command wires src/adfs here when KRBOPS_ADFS_METADATA_URLS is set). Default: none.
   */
  adfs?: (http: HttpEvidence) => Promise<AdfsEvidence | undefined>;
  /** Who asks: 'chat' restricts what the HTTP probe may reach (src/collectors/probe-policy.ts). Default 'operator'. */
  requester?: ProbeRequester;
  /** The process's Kerberos helper for kinit/kvno/GSSAPI (`krbops serve` keeps one). Default: one for this request, ended after it. */
  kerberosHelper?: KerberosHelper;
}

const MAX_NAME = 256;
const MAX_BACKENDS = 16;

const isIpLiteral = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');

/** Validates the request before any I/O. Throws InvalidInputError with a clear message. */
export function validateRequest(req: Why401Request): { url: URL; backends: string[]; userinfoRemoved: boolean } {
  const { url, userinfoRemoved } = parseTargetUrl(req.url);
  for (const [name, v] of [['--identity', req.identity], ['--user', req.user]] as const) {
    if (v !== undefined && (!v.trim() || v.length > MAX_NAME || /[\0\r\n]/.test(v))) throw new InvalidInputError(`${name} "${truncate(v, 60)}" is not an account name.`);
  }
  const backends = (req.backends ?? []).map((b) => b.trim()).filter(Boolean);
  if (backends.length > MAX_BACKENDS) throw new InvalidInputError(`At most ${MAX_BACKENDS} --backend SPNs, got ${backends.length}.`);
  for (const b of backends) parseSpn(b);
  return { url, backends, userinfoRemoved };
}

/** SPN lookups for a URL: expected forms, port forms (seed 001), the CNAME alias forms, backends. */
export function planLookups(target: TargetEvidence, expected: ExpectedSpn[], backends: string[], urlAliasHosts: string[]): DirectoryPlan['lookups'] {
  const out: DirectoryPlan['lookups'] = [];
  const seen = new Set<string>();
  const add = (l: DirectoryPlan['lookups'][number]) => {
    const k = l.spn.toLowerCase();
    if (seen.has(k)) return;
    seen.add(k);
    out.push(l);
  };
  for (const e of expected) add({ spn: e.spn, role: 'expected', form: e.form });
  for (const e of expected) add({ spn: `${e.spn}:${target.effectivePort}`, role: 'port-variant', form: e.form });
  for (const h of urlAliasHosts) {
    add({ spn: `HTTP/${h}`, role: 'url-alias', form: 'fqdn' });
    if (h.includes('.')) add({ spn: `HTTP/${h.split('.')[0]}`, role: 'url-alias', form: 'short' });
  }
  for (const b of backends) add({ spn: b, role: 'backend' });
  return out;
}

/** Builds the target and expected SPNs from the URL and what DNS said. */
export function describeTarget(url: URL, canonicalHost: string | undefined, dnsSuffix: string | undefined): { target: TargetEvidence; expected: ExpectedSpn[] } {
  const urlHost = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const isIpAddress = isIpLiteral(urlHost);
  const x = expectedSpnsForUrl(url, { canonicalHost: canonicalHost ?? urlHost, dnsSuffix });
  const effectivePort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const fqdnHost = x.fqdn?.slice(5);
  const shortHost = x.short?.slice(5);
  const target: TargetEvidence = {
    url: url.href,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    urlHost,
    ...(url.port ? { port: Number(url.port) } : {}),
    effectivePort,
    path: url.pathname,
    isIpAddress,
    canonicalHost: x.canonicalHost,
    ...(fqdnHost ? { fqdn: fqdnHost } : {}),
    ...(shortHost ? { shortName: shortHost } : {}),
    ...(dnsSuffix ? { dnsSuffix } : {}),
  };
  const expected: ExpectedSpn[] = isIpAddress
    ? []
    : [
        ...(x.fqdn ? [{ spn: x.fqdn, form: 'fqdn' as const, host: fqdnHost! }] : []),
        ...(x.short && x.short !== x.fqdn ? [{ spn: x.short, form: 'short' as const, host: shortHost! }] : []),
      ];
  return { target, expected };
}

/** The SPNEGO exchange, when a probe identity is configured and there is a host to ask a ticket for. */
async function authenticate(http: HttpEvidence, target: TargetEvidence, dns: Awaited<ReturnType<typeof collectDns>>, address: string | undefined, config: Config, now: () => Date, helper: () => KerberosHelper): Promise<AuthenticationEvidence> {
  if (!config.kerberos) return { attempted: false, reason: 'no probe identity is configured (KRBOPS_KERBEROS_PRINCIPAL with KRB5_KEYTAB or KRBOPS_KERBEROS_PASSWORD)' };
  if (target.isIpAddress) return { attempted: false, as: config.kerberos.principal, reason: 'the URL names an IP address: browsers do not use Kerberos for it' };
  if (!dns.ok || !address) return { attempted: false, as: config.kerberos.principal, reason: `${dns.queried} does not resolve, so no browser can reach it` };
  return probeKerberos({ url: target.url, host: target.fqdn ?? target.canonicalHost, address, anonymous: http }, config.kerberos, { timeoutMs: config.probeTimeoutMs, now, helper: helper() });
}

/** Collects all evidence for one why-401 request. Throws only InvalidInputError (bad URL/SPN). */
export async function collectEvidence(req: Why401Request, deps: CollectDeps): Promise<Evidence> {
  const { url, backends: givenBackends, userinfoRemoved } = validateRequest(req);
  const { config, log } = deps;
  const timeoutMs = config.probeTimeoutMs;
  const collectorErrors: CollectorError[] = [];
  const inferred: string[] = userinfoRemoved ? [USERINFO_REMOVED_NOTE] : [];
  const collectedAt = deps.now();

  // Inputs: options first, then the inventory, then the pasted IIS config.
  const inputs: InputsEvidence = {
    backends: givenBackends.map((spn) => ({ spn, source: 'option' as const })),
    nlbNodes: [],
    iisConfig: req.iisConfig ? req.iisConfig.source : 'none',
  };
  if (req.identity) inputs.identity = { query: req.identity.trim(), source: 'option' };
  if (req.user) inputs.user = req.user.trim();
  let recorded: { rec: Recorded; file: string } | undefined;
  if (config.inventoryFile) {
    try {
      const site = findSite(await loadInventory(config.inventoryFile), url);
      if (site) {
        if (!inputs.identity && site.identity) inputs.identity = { query: site.identity, source: 'inventory' };
        if (!inputs.backends.length) inputs.backends = site.backends.map((spn) => ({ spn, source: 'inventory' as const }));
        inputs.nlbNodes = site.nlbNodes;
        if (site.iisSite) inputs.site = site.iisSite;
        if (site.recorded) recorded = { rec: site.recorded, file: config.inventoryFile };
        inferred.push(`Inventory ${config.inventoryFile}: ${site.url}${site.identity ? `, identity ${site.identity}` : ''}${site.nlbNodes.length ? `, NLB nodes ${site.nlbNodes.join(', ')}` : ''}${site.backends.length ? `, backends ${site.backends.join(', ')}` : ''}`);
      }
    } catch (e) {
      collectorErrors.push(collectorError('inventory', e));
    }
  }
  const iis = req.iisConfig ? parseIisConfig(req.iisConfig.text, req.iisConfig.source) : undefined;
  if (iis?.error) collectorErrors.push(iis.error);
  if (iis?.ok && !inputs.identity) {
    const pools = iis.appPools.filter((p) => p.userName || p.identityType);
    const [p] = pools;
    if (p && pools.length === 1) {
      const who = p.identityType && !/^specificuser$/i.test(p.identityType) ? p.identityType : p.userName;
      if (who) {
        inputs.identity = { query: who, source: 'iis-config' };
        inferred.push(`App pool identity: ${who} (application pool "${p.name}" in the pasted IIS config)`);
      }
    }
  }

  // The directory, opened once; info() gives the DNS suffix for short host names.
  // Through a promise: a missing LDAP configuration (thrown synchronously) becomes evidence too.
  const dirP = withTimeout(Promise.resolve().then(() => deps.directory()), timeoutMs, 'The directory');
  dirP.catch(() => undefined);
  const infoP: Promise<DirectoryInfo | undefined> = dirP.then((d) => withTimeout(d.info(), timeoutMs, 'The directory')).catch(() => undefined);
  const dcClockP = dirP
    .then((d) => readDcClock(() => d.currentTime(), deps.now, timeoutMs))
    .catch((e) => ({ error: `DC clock: ${collectorError('clock', e).message}` }));

  const urlHost = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const isIp = isIpLiteral(urlHost);
  let dnsSuffix: string | undefined;
  let queryHost = urlHost;
  if (!isIp && !urlHost.includes('.')) {
    dnsSuffix = dnsDomainOf((await infoP)?.defaultNamingContext);
    if (dnsSuffix) {
      queryHost = `${urlHost}.${dnsSuffix}`;
      inferred.push(`${urlHost} qualified as ${queryHost} with the domain's DNS suffix`);
    }
  }
  const recordedKinds = recorded ? ([...(recorded.rec.dns ? ['DNS'] : []), ...(recorded.rec.http ? ['HTTP'] : [])] as ('DNS' | 'HTTP')[]) : [];
  if (recorded && recordedKinds.length) inferred.push(recordedNote(recorded.rec, recorded.file, recordedKinds));
  // From chat, the host (then every address it resolves to) must pass the probe policy before anything is sent to it.
  // A recorded HTTP answer sends nothing, so it needs no policy.
  const policy: ProbePolicy | undefined =
    deps.requester === 'chat' && !recorded?.rec.http ? { requester: 'chat', allow: parseProbeAllow((config.probeAllow ?? []).join(',')), forestDomains: forestDomainsOf(await infoP) } : undefined;
  if (policy) checkProbeHost(policy, queryHost);
  const dns = recorded?.rec.dns ? recordedDns(recorded.rec.dns, queryHost, recorded.file) : await collectDns(queryHost, { servers: config.dnsServers, timeoutMs });
  if (policy && dns.addresses.length) checkProbeAddresses(policy, queryHost, dns.addresses.map((a) => a.address));
  if (dns.error) collectorErrors.push(dns.error);
  if (dns.chain.length > 1) inferred.push(`Canonical host: ${dns.canonicalName} (${dns.chain.join(' → ')}); browsers build the SPN from it`);
  const canonical = dns.chain.length > 1 || (dns.ok && queryHost !== urlHost) ? dns.canonicalName : undefined;
  const { target, expected } = describeTarget(url, canonical, dnsSuffix);

  // Everything else in parallel.
  const address = dns.addresses[0]?.address;
  // Without a checked address, chat never lets the probe resolve the name itself.
  const httpP: Promise<HttpEvidence> = recorded?.rec.http
    ? Promise.resolve(recordedHttp(recorded.rec.http, address, recorded.file))
    : policy && !address
      ? Promise.resolve({ ok: false, wwwAuthenticate: [], schemes: [], error: { collector: 'http', code: 'NOT_AUTHORIZED', message: `not probed from chat: DNS gave no address for ${queryHost} to check first` } })
      : probeUrl(url.href, { address, timeoutMs, now: deps.now });
  const ptrHosts = dns.ptr.flatMap((p) => p.names).filter((n) => n !== target.canonicalHost);
  const backendSpns = inputs.backends.map((b) => b.spn);
  const plan: DirectoryPlan = {
    lookups: planLookups(target, expected, backendSpns, dns.chain.length > 1 ? dns.chain.slice(0, 1) : []),
    identity: inputs.identity,
    user: inputs.user,
    hosts: [
      ...(isIp ? [] : [{ host: target.fqdn ?? target.canonicalHost, role: 'url-host' as const }]),
      ...[...new Set(ptrHosts)].slice(0, 4).map((host) => ({ host, role: 'ptr' as const })),
      ...inputs.nlbNodes.map((host) => ({ host, role: 'nlb-node' as const })),
      ...[...new Set(backendSpns.map((b) => parseSpn(b).host.toLowerCase()))].map((host) => ({ host, role: 'backend-host' as const })),
    ],
  };
  const info = await infoP;
  if (info?.server.startsWith('file:')) inferred.unshift(`Directory: the export ${info.server}, not a live DC`);
  const directoryP = collectDirectory(dirP, plan, { timeoutMs, info });
  // Without the process's helper, one for this request (started only if a Kerberos step runs), ended below.
  let ownHelper: KerberosHelper | undefined;
  const helper = () => deps.kerberosHelper ?? (ownHelper ??= new KerberosHelper());
  const kdcP = config.kerberos && expected.length + backendSpns.length > 0 ? collectKdc([...expected.map((e) => e.spn), ...backendSpns], config.kerberos, { timeoutMs, helper: helper() }) : Promise.resolve(undefined);
  const adfsHook = deps.adfs;
  const adfsP: Promise<AdfsEvidence | undefined> = req.adfs
    ? Promise.resolve(req.adfs)
    : adfsHook
      ? httpP.then((h) =>
          h.ok && h.status !== undefined && h.status >= 300 && h.status < 400 && isClaimsRedirect(h.location)
            ? withTimeout(adfsHook(h), timeoutMs, 'The ADFS metadata').catch((e): AdfsEvidence => ({ ok: false, error: collectorError('adfs', e), certificates: [], findings: [] }))
            : undefined,
        )
      : Promise.resolve(undefined);
  const authP: Promise<AuthenticationEvidence> = recorded?.rec.http
    ? Promise.resolve({ attempted: false, reason: `the HTTP answer is recorded in ${recorded.file}: there is no live site to authenticate to` })
    : httpP.then((h) => authenticate(h, target, dns, address, config, deps.now, helper));
  const [http, directory, kdc, dcClock, adfs, authentication] = await Promise.all([httpP, directoryP, kdcP, dcClockP, adfsP, authP]).finally(() => ownHelper?.close());

  if (http.error) collectorErrors.push(http.error);
  if (directory.error) collectorErrors.push(directory.error);
  if (kdc?.error) collectorErrors.push(kdc.error);
  if (adfs?.error) collectorErrors.push(adfs.error);
  inferred.push(...directory.inferred);
  const { inferred: _unused, ...directoryEvidence } = directory;
  const clock = clockEvidence(deps.now(), dcClock, http);
  log.debug({ url: target.url, collectorErrors: collectorErrors.length }, 'why-401 evidence collected');

  return {
    collectedAt: collectedAt.toISOString(),
    target,
    expected,
    inputs,
    inferred,
    directory: directoryEvidence,
    dns,
    http,
    clock,
    ...(iis ? { iis } : {}),
    ...(kdc ? { kdc } : {}),
    ...(adfs ? { adfs } : {}),
    authentication,
    collectorErrors,
  };
}
