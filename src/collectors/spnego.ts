/**
 * The SPNEGO probe: authenticates to the URL as a browser would and records what happened.
 *
 *  1. TGT for the probe identity (kinit, reused by the Kerberos helper's policy) in the helper's
 *     private directory; each probe works on its own copy of the TGT-only cache, removed afterwards;
 *     never the host's default cache.
 *  2. A service ticket for exactly HTTP/<host after CNAMEs> (no port, no reverse DNS: what Chrome and
 *     Edge on Windows ask for), through the npm `kerberos` addon (real GSSAPI, SPNEGO mechanism) in the
 *     Kerberos helper process (src/collectors/kerberos-helper.ts), with a krb5 configuration that turns
 *     off MIT's own host canonicalisation; a fresh TGS-REQ every probe.
 *  3. GET with `Authorization: Negotiate <token>` to the address DNS gave; a 401 with a token is an
 *     SPNEGO reject, decoded (src/kerberos/tokens.ts) so the KRB-ERROR's code and server time are
 *     evidence; any other status proves Kerberos works, and the server's AP-REP is checked
 *     (mutual authentication).
 * Everything is bounded by one timeout. Never throws.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { codeOfMitMessage, kerberosErrorName } from '../kerberos/codes.js';
import { decodeNegotiateToken, kerberosMessageOf } from '../kerberos/tokens.js';
import type { AuthenticationEvidence, HttpEvidence } from '../model/index.js';
import { kinitFailure } from './kdc.js';
import { KerberosHelper } from './kerberos-helper.js';
import { withTimeout } from '../timeout.js';

/** How to make the probe work when the addon is missing. */
export const KERBEROS_ADDON_HINT = 'install the optional Kerberos addon: `npm install kerberos` on the krbops host (it builds from source: needs g++, make, python3 and libkrb5-dev)';

/** Response headers that carry the authenticated user on common servers and proxies. */
const USER_HEADERS = ['x-remote-user', 'remote-user', 'x-authenticated-user', 'x-forwarded-user'];

export interface SpnegoProbeRequest {
  url: string;
  /** The host after CNAMEs, fully qualified: the SPN is HTTP/<host>. */
  host: string;
  /** Address to connect to (from the DNS collector). */
  address?: string;
  /** The anonymous probe's answer: without a Negotiate challenge there is nothing to exchange. */
  anonymous: HttpEvidence;
}

export interface SpnegoProbeOptions {
  timeoutMs: number;
  now?: () => Date;
  /** Path of the `kerberos` package (tests point it elsewhere to simulate a missing addon). Default: resolved from krbops. */
  kerberosModule?: string;
  /** Directory of kinit (default: PATH). */
  binDir?: string;
  /** The process's Kerberos helper (`krbops serve` keeps one); default: one for this probe, ended after it. */
  helper?: KerberosHelper;
}

/** `Negotiate <base64>` from WWW-Authenticate values (several challenges may share one header). */
export function negotiateTokenOf(values: string[]): string | undefined {
  for (const v of values) {
    for (const piece of v.split(',')) {
      const m = /^\s*Negotiate\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(piece);
      if (m) return m[1];
    }
  }
  return undefined;
}

function resolveAddon(override?: string): string | undefined {
  if (override) return override;
  try {
    return createRequire(import.meta.url).resolve('kerberos');
  } catch {
    return undefined;
  }
}

class Deadline {
  constructor(private readonly end: number) {}
  left(): number {
    return Math.max(1, this.end - Date.now());
  }
  race<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.left(), () => Object.assign(new Error(`${what} did not finish in time`), { code: 'PROBE_TIMEOUT' }));
  }
}

interface NegotiateReply {
  status: number;
  wwwAuthenticate: string[];
  user?: string;
}

function negotiateGet(url: string, address: string | undefined, token: string, timeoutMs: number): Promise<NegotiateReply> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const lib = isHttps ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        hostname: host,
        port: u.port || (isHttps ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        agent: false,
        headers: { Host: u.host, 'User-Agent': 'krbops-probe/1 (Negotiate)', Accept: '*/*', Authorization: `Negotiate ${token}` },
        ...(address && !isIP(host)
          ? {
              lookup: ((_h: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
                if (opts?.all) cb(null, [{ address, family: isIP(address) }]);
                else cb(null, address, isIP(address));
              }) as never,
            }
          : {}),
        ...(isHttps ? { servername: isIP(host) ? undefined : host, rejectUnauthorized: false } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        const raw = res.rawHeaders;
        const www: string[] = [];
        let user: string | undefined;
        for (let i = 0; i < raw.length; i += 2) {
          const [rawName = '', value = ''] = raw.slice(i, i + 2);
          const name = rawName.toLowerCase();
          if (name === 'www-authenticate') www.push(value);
          else if (!user && USER_HEADERS.includes(name) && value.trim()) user = value.trim().slice(0, 256);
        }
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, wwwAuthenticate: www, ...(user ? { user } : {}) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`the web server did not answer within ${timeoutMs} ms`), { code: 'PROBE_TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** Runs the exchange. Never throws: every failure is an outcome with its reason. */
export async function probeKerberos(req: SpnegoProbeRequest, kerberos: NonNullable<Config['kerberos']>, options: SpnegoProbeOptions): Promise<AuthenticationEvidence> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const spn = `HTTP/${req.host}`;
  const base: AuthenticationEvidence = { attempted: true, as: kerberos.principal, spn };
  const done = (ev: AuthenticationEvidence): AuthenticationEvidence => ({ ...ev, durationMs: Date.now() - started });

  if (!req.anonymous.ok || req.anonymous.status === undefined) return done({ attempted: false, as: kerberos.principal, spn, reason: 'the site did not answer the anonymous request' });
  if (!req.anonymous.schemes.some((s) => s.toLowerCase() === 'negotiate')) {
    return done({ ...base, outcome: 'not-offered', httpStatus: req.anonymous.status, message: req.anonymous.schemes.length ? `the server offers ${req.anonymous.schemes.join(', ')}, not Negotiate` : `the server answered ${req.anonymous.status} without an authentication challenge` });
  }
  if (!kerberos.keytab && !kerberos.password) return done({ attempted: false, as: kerberos.principal, spn, reason: 'KRBOPS_KERBEROS_PRINCIPAL is set but neither KRB5_KEYTAB nor KRBOPS_KERBEROS_PASSWORD is' });
  const addon = resolveAddon(options.kerberosModule);
  if (!addon) return done({ attempted: false, as: kerberos.principal, spn, reason: `the Kerberos addon is not installed: ${KERBEROS_ADDON_HINT}` });

  const deadline = new Deadline(started + options.timeoutMs);
  const helper = options.helper ?? new KerberosHelper();
  let ctx: number | undefined;
  try {
    const first = await deadline.race(helper.init(`HTTP@${req.host}`, addon, kerberos, deadline.left(), options.binDir), 'Getting a service ticket');
    if (first.error && first.stage === 'load') return done({ attempted: false, as: kerberos.principal, spn, reason: `the Kerberos addon could not load (${first.error}): ${KERBEROS_ADDON_HINT}` });
    if (first.kinit) {
      const failure = kinitFailure(kerberos, first.kinit, options.timeoutMs);
      return done({ ...base, outcome: 'error', message: failure.code === 'PROBE_TIMEOUT' ? `The exchange did not finish within ${options.timeoutMs} ms (KRBOPS_PROBE_TIMEOUT_MS): ${failure.message}` : failure.message });
    }
    if (first.code === 'PROBE_TIMEOUT') throw Object.assign(new Error(`Getting a service ticket did not finish in time: ${first.error}`), { code: 'PROBE_TIMEOUT' });
    if (first.token) ctx = first.ctx;
    if (first.error || !first.token) {
      const message = (first.error ?? 'no token').replace(/^Unspecified GSS failure\.\s+Minor code may provide more information:?\s*/i, '');
      const code = codeOfMitMessage(message);
      if (code === undefined) return done({ ...base, outcome: 'error', message: `Getting a ticket for ${spn} failed: ${message}` });
      return done({ ...base, outcome: 'no-ticket', kerberosError: { code, name: kerberosErrorName(code), from: 'kdc', message } });
    }
    const sent = kerberosMessageOf(decodeNegotiateToken(first.token));
    const ticket = sent?.type === 'ap-req' ? { etype: sent.etype, etypeName: sent.etypeName, ...(sent.kvno !== undefined ? { kvno: sent.kvno } : {}) } : undefined;
    const withTicket: AuthenticationEvidence = { ...base, ...(ticket ? { ticket } : {}) };

    const reply = await deadline.race(negotiateGet(req.url, req.address, first.token, deadline.left()), 'The authenticated request');
    const observedAt = now().toISOString();
    const serverToken = negotiateTokenOf(reply.wwwAuthenticate);
    const answered: AuthenticationEvidence = { ...withTicket, httpStatus: reply.status, observedAt, ...(reply.user ? { user: reply.user } : {}) };
    if (reply.status === 401) {
      if (!serverToken) return done({ ...answered, outcome: 'rejected', rejectToken: 'none' });
      try {
        const m = kerberosMessageOf(decodeNegotiateToken(serverToken));
        if (m?.type !== 'krb-error') return done({ ...answered, outcome: 'rejected', rejectToken: 'undecodable', message: 'the reject token holds no KRB-ERROR' });
        return done({
          ...answered,
          outcome: 'rejected',
          kerberosError: { code: m.code, name: m.name, from: 'server', serverTime: m.stime, serverName: `${m.sname}@${m.realm}`, ...(m.eText ? { eText: m.eText } : {}) },
        });
      } catch (e) {
        return done({ ...answered, outcome: 'rejected', rejectToken: 'undecodable', message: (e as Error).message });
      }
    }
    if (!serverToken) return done({ ...answered, outcome: 'authenticated', mutual: 'no-token' });
    const fin = await deadline.race(helper.finish(first.ctx, serverToken, deadline.left()), 'Mutual authentication');
    // The helper was restarted since the first step, or had no time for this one: nothing was verified either way.
    if (fin.stage === 'context' || fin.stage === 'lock') return done({ ...answered, outcome: 'error', message: `Mutual authentication could not be checked: ${fin.error}` });
    if (fin.error || !fin.complete) {
      return done({ ...answered, outcome: 'authenticated', mutual: 'failed', message: (fin.error ?? 'the security context did not complete').replace(/^Unspecified GSS failure\.\s+Minor code may provide more information:?\s*/i, '') });
    }
    return done({ ...answered, outcome: 'authenticated', mutual: 'verified' });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return done({ ...base, outcome: 'error', message: `${err.message ?? String(e)}${err.code === 'PROBE_TIMEOUT' ? ` (KRBOPS_PROBE_TIMEOUT_MS=${options.timeoutMs})` : ''}` });
  } finally {
    if (ctx !== undefined) helper.end(ctx);
    if (!options.helper) await helper.close();
  }
}
