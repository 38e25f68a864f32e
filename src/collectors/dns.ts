/**
 * DNS collector: A/AAAA, the CNAME chain and PTR of the URL host, asked of the resolvers in
 * KRBOPS_DNS_SERVERS (default: the system's). The canonical name at the end of the chain is what
 * browsers build the SPN from (seed 002, "Check DNS").
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsEvidence } from '../model/index.js';
import { collectorError, withTimeout } from './timeout.js';

export interface DnsOptions {
  /** Resolver addresses (`10.0.0.1`, `127.0.0.1:5353`, `[::1]:53`); default: the system's resolvers. */
  servers?: string[];
  /** Bound for the whole collection, default 3000 ms. */
  timeoutMs?: number;
  /** Longest CNAME chain followed, default 8. */
  maxChain?: number;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);
const trimDot = (s: string) => s.replace(/\.$/, '').toLowerCase();

async function orEmpty<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (e) {
    if (NO_DATA.has((e as { code?: string }).code ?? '')) return [];
    throw e;
  }
}

/** Collects DNS evidence for `host` (an FQDN, or an IP address for PTR only). Never throws. */
export async function collectDns(host: string, options: DnsOptions = {}): Promise<DnsEvidence> {
  const servers = options.servers ?? [];
  const timeoutMs = options.timeoutMs ?? 3000;
  const ev: DnsEvidence = { ok: false, servers, queried: host, chain: [host], canonicalName: host, addresses: [], ptr: [] };
  const resolver = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  try {
    if (servers.length) resolver.setServers(servers);
  } catch (e) {
    return { ...ev, error: { collector: 'dns', code: 'CONFIG_INVALID', message: `KRBOPS_DNS_SERVERS: ${(e as Error).message}` } };
  }
  try {
    await withTimeout(
      (async () => {
        if (isIP(host)) {
          ev.addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
        } else {
          let name = trimDot(host);
          const seen = new Set([name]);
          for (let i = 0; i < (options.maxChain ?? 8); i++) {
            const [first] = await orEmpty(resolver.resolveCname(name));
            if (first === undefined) break;
            name = trimDot(first);
            if (seen.has(name)) break; // CNAME loop
            seen.add(name);
            ev.chain.push(name);
          }
          ev.canonicalName = name;
          const [v4, v6] = await Promise.all([orEmpty(resolver.resolve4(name)), orEmpty(resolver.resolve6(name))]);
          ev.addresses = [...v4.map((a) => ({ address: a, family: 4 as const })), ...v6.map((a) => ({ address: a, family: 6 as const }))];
          if (!ev.addresses.length) {
            ev.error = { collector: 'dns', code: 'ENOTFOUND', message: `${name} has no A or AAAA record${servers.length ? ` on ${servers.join(', ')}` : ''}` };
          }
        }
        ev.ptr = await Promise.all(
          ev.addresses.slice(0, 4).map(async ({ address }) => {
            try {
              return { address, names: (await resolver.reverse(address)).map(trimDot) };
            } catch (e) {
              const code = (e as { code?: string }).code ?? 'ERROR';
              return { address, names: [], error: NO_DATA.has(code) ? 'no PTR record' : code };
            }
          }),
        );
      })(),
      timeoutMs,
      `DNS for ${host}`,
    );
    ev.ok = !ev.error;
  } catch (e) {
    resolver.cancel();
    ev.error = collectorError('dns', e);
    ev.ok = false;
  }
  return ev;
}
