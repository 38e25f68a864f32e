/**
 * HTTP probe: one anonymous GET to the URL, exactly what a browser sends before authenticating.
 * No credentials, no redirects followed (a redirect is evidence: claims sites send users to ADFS).
 * Records the status, every WWW-Authenticate scheme, how the connection is treated on the 401
 * (keep-alive matters for the Negotiate handshake, seed 001), Date (clock skew), Persistent-Auth,
 * Server, and for https the certificate names.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { HttpEvidence, TlsEvidence } from '../model/index.js';
import { CollectorTimeoutError, collectorError } from './timeout.js';

export interface ProbeOptions {
  /** Connect to this address instead of resolving the host (the address the DNS collector found). */
  address?: string;
  /** Default 4000 ms (KRBOPS_PROBE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Clock for observedAt (tests). */
  now?: () => Date;
  /** Largest body read before the connection is dropped, default 64 KiB. */
  maxBodyBytes?: number;
}

/** Scheme names from WWW-Authenticate values: `Negotiate`, `NTLM`, `Basic realm="x"` → Basic. */
export function authSchemes(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    // One header may carry several challenges (`Negotiate, NTLM`); commas inside quotes are not separators.
    const pieces: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of v) {
      if (ch === '"') quoted = !quoted;
      if (ch === ',' && !quoted) {
        pieces.push(cur);
        cur = '';
      } else cur += ch;
    }
    pieces.push(cur);
    for (const piece of pieces) {
      const first = piece.trim().split(/\s+/)[0];
      // Auth parameters (`qop="auth"`) continue the previous challenge; they are not schemes.
      if (!first || first.includes('=') || first.includes('"')) continue;
      if (!out.some((x) => x.toLowerCase() === first.toLowerCase())) out.push(first);
    }
  }
  return out;
}

/** A redirect to ADFS sign-in (`/adfs/ls/`, `wa=wsignin1.0`): the site uses claims-based authentication (seed 004). */
export function isClaimsRedirect(location: string | undefined): boolean {
  return !!location && (/\/adfs\/ls\b/i.test(location) || /[?&]wa=wsignin1\.0\b/i.test(location));
}

function certNames(cert: PeerCertificate): string[] {
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:') || s.startsWith('IP Address:'))
    .map((s) => s.replace(/^DNS:|^IP Address:/, ''));
  return names;
}

function tlsEvidence(socket: TLSSocket, host: string): TlsEvidence | undefined {
  const cert = socket.getPeerCertificate?.();
  if (!cert || !Object.keys(cert).length) return undefined;
  const subject = typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
  return {
    subject,
    issuer: typeof cert.issuer?.CN === 'string' ? cert.issuer.CN : undefined,
    altNames: certNames(cert),
    validTo: cert.valid_to ? new Date(cert.valid_to).toISOString() : undefined,
    authorized: socket.authorized,
    ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
    nameMatches: checkServerIdentity(host, cert) === undefined,
  };
}

/** Probes `url` anonymously. Never throws: failures come back as `ok: false` with `error`. */
export function probeUrl(url: string, options: ProbeOptions = {}): Promise<HttpEvidence> {
  const timeoutMs = options.timeoutMs ?? 4000;
  const now = options.now ?? (() => new Date());
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const started = Date.now();
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const lib = isHttps ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: 1 });
  const base: HttpEvidence = { ok: false, wwwAuthenticate: [], schemes: [] };

  return new Promise<HttpEvidence>((resolve) => {
    let settled = false;
    const finish = (ev: HttpEvidence) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      agent.destroy();
      resolve({ ...ev, durationMs: Date.now() - started });
    };
    const address = options.address;
    const req = lib.request(
      {
        protocol: u.protocol,
        hostname: host,
        port: u.port || (isHttps ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        agent,
        headers: { Host: u.host, 'User-Agent': 'krbops-probe/1 (anonymous)', Accept: '*/*', Connection: 'keep-alive' },
        ...(address && !isIP(host)
          ? {
              lookup: ((_h: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
                const family = isIP(address);
                if (opts?.all) cb(null, [{ address, family }]);
                else cb(null, address, family);
              }) as never,
            }
          : {}),
        ...(isHttps ? { servername: isIP(host) ? undefined : host, rejectUnauthorized: false } : {}),
      },
      (res) => {
        const observedAt = now().toISOString();
        const raw = res.rawHeaders;
        const www: string[] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const [name = '', value = ''] = raw.slice(i, i + 2);
          if (name.toLowerCase() === 'www-authenticate') www.push(value);
        }
        const connection = res.headers.connection;
        const ka = res.headers['keep-alive'];
        const keepAlive = Array.isArray(ka) ? ka.join(', ') : ka;
        const closes = /\bclose\b/i.test(connection ?? '') || (res.httpVersion === '1.0' && !/keep-alive/i.test(connection ?? ''));
        const pa = res.headers['persistent-auth'];
        const ev: HttpEvidence = {
          ok: true,
          address: res.socket?.remoteAddress ?? address,
          status: res.statusCode,
          statusText: res.statusMessage,
          httpVersion: res.httpVersion,
          wwwAuthenticate: www,
          schemes: authSchemes(www),
          ...(connection ? { connection } : {}),
          ...(keepAlive ? { keepAlive } : {}),
          closesConnection: closes,
          ...(res.headers.date ? { date: res.headers.date } : {}),
          ...(pa ? { persistentAuth: Array.isArray(pa) ? pa.join(', ') : pa } : {}),
          ...(res.headers.server ? { server: String(res.headers.server) } : {}),
          ...(res.headers.location ? { location: res.headers.location } : {}),
          observedAt,
          ...(isHttps ? { tls: tlsEvidence(res.socket as TLSSocket, host) } : {}),
        };
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > maxBody) {
            res.destroy();
            finish(ev);
          }
        });
        res.on('end', () => finish(ev));
        res.on('error', () => finish(ev));
        res.on('close', () => finish(ev));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new CollectorTimeoutError(`The web server ${u.host}`, timeoutMs));
    }, timeoutMs);
    timer.unref?.();
    req.on('error', (e) => finish({ ...base, ...(address ? { address } : {}), error: collectorError('http', e) }));
    req.end();
  });
}
