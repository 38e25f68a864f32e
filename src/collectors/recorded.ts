/**
 * Recorded answers: DNS and HTTP evidence written into the inventory (`recorded:` under a site)
 * instead of asked live. The demo domain uses them (examples/krbops.yaml), so why-401 answers
 * the same on every machine without a network; every answer built from them says they are recorded.
 */
import type { DnsEvidence, HttpEvidence } from '../model/index.js';
import type { InventorySite } from '../inventory.js';
import { authSchemes } from './http-probe.js';

export type Recorded = NonNullable<InventorySite['recorded']>;

const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** The line every answer built from recorded evidence carries (in "Inferred"). */
export function recordedNote(rec: Recorded, file: string, what: ('DNS' | 'HTTP')[]): string {
  return `${what.join(' and ')} answer${what.length > 1 ? 's' : ''} RECORDED in ${file}${rec.source ? ` (${rec.source})` : ''}, not asked live`;
}

/** DNS evidence from a recorded answer for the queried name. */
export function recordedDns(rec: NonNullable<Recorded['dns']>, queried: string, file: string): DnsEvidence {
  const chain = rec.chain?.length ? rec.chain.map(lower) : [lower(queried)];
  const addresses = rec.addresses.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  return {
    ok: addresses.length > 0,
    ...(addresses.length ? {} : { error: { collector: 'dns' as const, code: 'ENOTFOUND', message: `${chain.at(-1)} has no A or AAAA record (recorded in ${file})` } }),
    servers: [`recorded in ${file}`],
    queried: lower(queried),
    chain,
    canonicalName: chain.at(-1)!,
    addresses,
    ptr: addresses.slice(0, 4).map(({ address }) => {
      const names = (rec.ptr[address] ?? []).map(lower);
      return names.length ? { address, names } : { address, names, error: 'no PTR record' };
    }),
  };
}

/** HTTP evidence from a recorded response. No Date header: a recorded clock would only show skew. */
export function recordedHttp(rec: NonNullable<Recorded['http']>, address: string | undefined, file: string): HttpEvidence {
  const closes = /\bclose\b/i.test(rec.connection ?? '') || (rec.httpVersion === '1.0' && !/keep-alive/i.test(rec.connection ?? ''));
  return {
    ok: true,
    address: address ? `${address} (recorded in ${file})` : `recorded in ${file}`,
    status: rec.status,
    ...(rec.statusText ? { statusText: rec.statusText } : {}),
    httpVersion: rec.httpVersion ?? '1.1',
    wwwAuthenticate: rec.wwwAuthenticate,
    schemes: authSchemes(rec.wwwAuthenticate),
    ...(rec.connection ? { connection: rec.connection } : {}),
    closesConnection: closes,
    ...(rec.persistentAuth ? { persistentAuth: rec.persistentAuth } : {}),
    ...(rec.server ? { server: rec.server } : {}),
    ...(rec.location ? { location: rec.location } : {}),
    durationMs: 0,
  };
}
