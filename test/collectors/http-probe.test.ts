/**
 * The HTTP probe against small local servers on loopback addresses that answer like IIS does:
 * 401 with Negotiate and NTLM, NTLM only with Connection: close, a skewed Date, a redirect to
 * ADFS, TLS with a certificate, a server that never answers.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSchemes, isClaimsRedirect, probeUrl } from '../../src/collectors/http-probe.js';
import { makeServerCert } from '../helpers/tls.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: (http.Server | net.Server)[] = [];

async function listen<T extends http.Server | net.Server>(server: T, host: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const iis401 = (schemes: string[], extra: Record<string, string> = {}): Handler => (_req, res) => {
  res.statusCode = 401;
  res.statusMessage = 'Unauthorized';
  res.setHeader('Server', 'Microsoft-IIS/10.0');
  res.setHeader('WWW-Authenticate', schemes);
  res.setHeader('Content-Type', 'text/html');
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.end('<h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1>');
};

let negotiatePort: number;
let ntlmClosePort: number;
let skewPort: number;
let adfsPort: number;
let silentPort: number;
let tlsPort: number;
let seenHost: string | undefined;

beforeAll(async () => {
  negotiatePort = await listen(http.createServer((req, res) => {
    seenHost = req.headers.host;
    iis401(['Negotiate', 'NTLM'], { 'Persistent-Auth': 'true' })(req, res);
  }), '127.0.0.2');
  ntlmClosePort = await listen(http.createServer(iis401(['NTLM'], { Connection: 'close' })), '127.0.0.3');
  skewPort = await listen(http.createServer((req, res) => {
    res.sendDate = false;
    iis401(['Negotiate', 'NTLM'], { Date: new Date(Date.now() + 9 * 60_000).toUTCString() })(req, res);
  }), '127.0.0.4');
  adfsPort = await listen(http.createServer((_req, res) => {
    res.writeHead(302, { Location: 'https://adfs.contoso.test/adfs/ls/?wa=wsignin1.0&wtrealm=https%3a%2f%2fcrm.contoso.test%2f' }).end();
  }), '127.0.0.5');
  silentPort = await listen(net.createServer((c) => c.resume() /* reads the request, never answers */), '127.0.0.6');
  const cert = makeServerCert(['crm.contoso.test']);
  tlsPort = await listen(https.createServer({ key: cert.key, cert: cert.cert }, iis401(['Negotiate', 'NTLM'])), '127.0.0.7');
});

afterAll(async () => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

describe('probeUrl', () => {
  it('records a 401 offering Negotiate and NTLM with keep-alive, as IIS sends it', async () => {
    const ev = await probeUrl(`http://127.0.0.2:${negotiatePort}/crm/main.aspx?x=1`);
    expect(ev).toMatchObject({
      ok: true,
      address: '127.0.0.2',
      status: 401,
      statusText: 'Unauthorized',
      httpVersion: '1.1',
      wwwAuthenticate: ['Negotiate', 'NTLM'],
      schemes: ['Negotiate', 'NTLM'],
      closesConnection: false,
      persistentAuth: 'true',
      server: 'Microsoft-IIS/10.0',
    });
    expect(Date.parse(ev.date!)).not.toBeNaN();
    expect(ev.durationMs).toBeLessThan(2000);
  });

  it('connects to the address DNS gave while sending the URL host', async () => {
    const ev = await probeUrl(`http://crm.contoso.test:${negotiatePort}/`, { address: '127.0.0.2' });
    expect(ev).toMatchObject({ ok: true, status: 401, address: '127.0.0.2' });
    expect(seenHost).toBe(`crm.contoso.test:${negotiatePort}`);
  });

  it('records NTLM only and Connection: close on the 401 (keep-alive off, seed 001)', async () => {
    const ev = await probeUrl(`http://127.0.0.3:${ntlmClosePort}/`);
    expect(ev).toMatchObject({ ok: true, status: 401, schemes: ['NTLM'], connection: 'close', closesConnection: true });
  });

  it('records the server Date as sent, for the clock-skew rule', async () => {
    const ev = await probeUrl(`http://127.0.0.4:${skewPort}/`);
    const skew = Date.parse(ev.date!) - Date.parse(ev.observedAt!);
    expect(skew).toBeGreaterThan(8 * 60_000);
    expect(skew).toBeLessThan(10 * 60_000);
  });

  it('does not follow a redirect: the ADFS sign-in redirect is the evidence of a claims site', async () => {
    const ev = await probeUrl(`http://127.0.0.5:${adfsPort}/`);
    expect(ev).toMatchObject({ ok: true, status: 302 });
    expect(isClaimsRedirect(ev.location)).toBe(true);
  });

  it('records the TLS certificate names and whether they match', async () => {
    const ev = await probeUrl(`https://crm.contoso.test:${tlsPort}/`, { address: '127.0.0.7' });
    expect(ev).toMatchObject({ ok: true, status: 401 });
    expect(ev.tls).toMatchObject({ subject: 'crm.contoso.test', altNames: ['crm.contoso.test'], authorized: false, nameMatches: true });
    const other = await probeUrl(`https://other.contoso.test:${tlsPort}/`, { address: '127.0.0.7' });
    expect(other.tls?.nameMatches).toBe(false);
  });

  it('gives up after the timeout and records it instead of throwing', async () => {
    const ev = await probeUrl(`http://127.0.0.6:${silentPort}/`, { timeoutMs: 300 });
    expect(ev).toMatchObject({ ok: false, error: { collector: 'http', code: 'PROBE_TIMEOUT' } });
    expect(ev.error!.message).toContain('did not answer within 300 ms');
  });

  it('records a refused connection', async () => {
    const ev = await probeUrl('http://127.0.0.8:9/');
    expect(ev).toMatchObject({ ok: false, error: { collector: 'http', code: 'ECONNREFUSED' } });
  });
});

describe('authSchemes', () => {
  it('splits combined challenges and ignores parameters and tokens', () => {
    expect(authSchemes(['Negotiate, NTLM'])).toEqual(['Negotiate', 'NTLM']);
    expect(authSchemes(['Basic realm="crm, contoso"', 'Negotiate oYHtMIHqoAMKAQA='])).toEqual(['Basic', 'Negotiate']);
    expect(authSchemes(['Digest realm="x", qop="auth", nonce="a"', 'ntlm', 'NTLM'])).toEqual(['Digest', 'ntlm']);
    expect(authSchemes([])).toEqual([]);
  });
});
